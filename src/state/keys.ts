// Every Redis key Shepherd writes outside BullMQ, in one place so the layout is visible.
export interface Keys {
  delivery(id: string): string;
  config(owner: string, repo: string): string;
  configGeneration(owner: string): string;
  item(repoId: number, number: number): string;
  itemLock(repoId: number, number: number): string;
  milestones(repoId: number): string;
  appSlug(): string;
  claim(repoId: number, number: number): string;
  claimsOf(repoId: number, login: string): string;
  claimedIssues(repoId: number): string;
  linkedPrs(repoId: number, issue: number): string;
  permission(owner: string, repo: string, login: string): string;
  teamMember(org: string, team: string, login: string): string;
  commandDone(delivery: string, step: string): string;
  epoch(): string;
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
    claim: (repoId, number) => `${p}:claim:${repoId}:${number}`,
    claimsOf: (repoId, login) => `${p}:claims-of:${repoId}:${login.toLowerCase()}`,
    claimedIssues: (repoId) => `${p}:claimed:${repoId}`,
    linkedPrs: (repoId, issue) => `${p}:linked-prs:${repoId}:${issue}`,
    permission: (owner, repo, login) => `${p}:perm:${owner.toLowerCase()}/${repo.toLowerCase()}:${login.toLowerCase()}`,
    teamMember: (org, team, login) => `${p}:team:${org.toLowerCase()}/${team.toLowerCase()}:${login.toLowerCase()}`,
    commandDone: (delivery, step) => `${p}:cmd-done:${delivery}:${step}`,
    epoch: () => `${p}:epoch`,
  };
}
