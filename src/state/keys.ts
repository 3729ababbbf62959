// Every Redis key Shepherd writes outside BullMQ, in one place so the layout is visible.
export interface Keys {
  delivery(id: string): string;
  config(owner: string, repo: string): string;
  configGeneration(owner: string): string;
  item(repoId: number, number: number): string;
  itemLock(repoId: number, number: number): string;
  milestones(repoId: number): string;
  appSlug(): string;
}

export function createKeys(prefix: string): Keys {
  const p = `${prefix}:s`;
  return {
    delivery: (id) => `${p}:delivery:${id}`,
    config: (owner, repo) => `${p}:config:${owner.toLowerCase()}/${repo.toLowerCase()}`,
    configGeneration: (owner) => `${p}:config-gen:${owner.toLowerCase()}`,
    item: (repoId, number) => `${p}:item:${repoId}:${number}`,
    itemLock: (repoId, number) => `${p}:lock:${repoId}:${number}`,
    milestones: (repoId) => `${p}:milestones:${repoId}`,
    appSlug: () => `${p}:app-slug`,
  };
}
