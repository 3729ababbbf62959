// Every Redis key Shepherd writes outside BullMQ, in one place so the layout is visible.
//
// Convention: a key that belongs to one repository names it right after its family, as the repo id
// (`item:<repoId>:<n>`) or as `owner/name` (`config:<owner>/<name>`). Uninstalling purges a repo by
// that rule (./purge.ts), so a new family that follows it is purged without being listed there.
export interface Keys {
  /** What every state key starts with. */
  root(): string;
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
  epoch(): string;
  mentorship(repoId: number, newcomer: string): string;
  mentorships(repoId: number): string;
  mentees(repoId: number, mentor: string): string;
  mentorLastAssigned(repoId: number): string;
  mentorAway(repoId: number): string;
  welcomed(repoId: number): string;
  waitlist(repoId: number): string;
  mergedPrs(repoId: number, login: string): string;
  lock(name: string): string;
  teamMembers(org: string, team: string): string;
  projection(repoId: number): string;
  snapshots(repoId: number): string;
  welcomes(repoId: number): string;
  repoId(owner: string, repo: string): string;
  /** A repository Shepherd was taken off: jobs still queued for it are dropped (gone.ts). */
  gone(owner: string, repo: string): string;
  tracking(repoId: number): string;
  backlog(repoId: number): string;
  /** The code index of a repo: a hash of identifier → entry, and its meta (commit, size). */
  codeIndex(repoId: number): string;
  /** The "Shepherd config" check run of one commit: intent before the create, then its id and URL. */
  configCheck(repoId: number, sha: string): string;
  codeIndexMeta(repoId: number): string;
  digest(repoId: number, week: string): string;
  /** An ETag of a conditional listing; repo-scoped ones start `<repoId>:`. */
  conditional(url: string): string;
  run(id: string): string;
  comments(repoId: number, issue: number): string;
  pause(lane: string): string;
  writeSlot(lane: string): string;
  /** Replay of missed deliveries: the time before which every delivery was decided, and each GUID asked for. */
  replayCheckpoint(): string;
  replayAsked(guid: string): string;
}

export function createKeys(prefix: string): Keys {
  const p = `${prefix}:s`;
  return {
    root: () => `${p}:`,
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
    epoch: () => `${p}:epoch`,
    mentorship: (repoId, newcomer) => `${p}:mentorship:${repoId}:${newcomer.toLowerCase()}`,
    mentorships: (repoId) => `${p}:mentorships:${repoId}`,
    mentees: (repoId, mentor) => `${p}:mentees:${repoId}:${mentor.toLowerCase()}`,
    mentorLastAssigned: (repoId) => `${p}:mentor-last:${repoId}`,
    mentorAway: (repoId) => `${p}:mentor-away:${repoId}`,
    welcomed: (repoId) => `${p}:welcomed:${repoId}`,
    waitlist: (repoId) => `${p}:waitlist:${repoId}`,
    mergedPrs: (repoId, login) => `${p}:merged:${repoId}:${login.toLowerCase()}`,
    lock: (name) => `${p}:lock:${name}`,
    teamMembers: (org, team) => `${p}:team-members:${org.toLowerCase()}/${team.toLowerCase()}`,
    projection: (repoId) => `${p}:projection:${repoId}`,
    snapshots: (repoId) => `${p}:snapshots:${repoId}`,
    welcomes: (repoId) => `${p}:welcomes:${repoId}`,
    repoId: (owner, repo) => `${p}:repo-id:${owner.toLowerCase()}/${repo.toLowerCase()}`,
    gone: (owner, repo) => `${p}:gone:${owner.toLowerCase()}/${repo.toLowerCase()}`,
    tracking: (repoId) => `${p}:tracking:${repoId}`,
    backlog: (repoId) => `${p}:backlog:${repoId}`,
    codeIndex: (repoId) => `${p}:code-index:${repoId}`,
    configCheck: (repoId, sha) => `${p}:config-check:${repoId}:${sha}`,
    codeIndexMeta: (repoId) => `${p}:code-index-meta:${repoId}`,
    digest: (repoId, week) => `${p}:digest:${repoId}:${week}`,
    conditional: (url) => `${p}:etag:${url}`,
    run: (id) => `${p}:run:${id}`,
    comments: (repoId, issue) => `${p}:comments:${repoId}:${issue}`,
    pause: (lane) => `${p}:pause:${lane}`,
    writeSlot: (lane) => `${p}:write-slot:${lane}`,
    replayCheckpoint: () => `${p}:replay-checkpoint`,
    replayAsked: (guid) => `${p}:replay-asked:${guid}`,
  };
}
