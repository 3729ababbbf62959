// A small subset of GitHub's issue search syntax, enough for the bot's reports:
// repo:, org:/user:, is:/type:, state:, label: (comma = any), author:, assignee:, milestone:,
// no:label|assignee|milestone, created:/updated:/closed: ranges, comments: ranges, negation with
// a leading "-", and free words matched in title and body.
import type { FakeState, InstallationRecord, IssueRecord, RepoRecord } from "./state.js";

export interface SearchHit {
  repo: RepoRecord;
  issue: IssueRecord;
}

interface Term {
  negate: boolean;
  qualifier: string | undefined;
  value: string;
}

const TERM = /(-?)([a-z_]+):("[^"]*"|\S+)|"([^"]*)"|(\S+)/gi;

function parse(query: string): Term[] {
  const terms: Term[] = [];
  for (const match of query.matchAll(TERM)) {
    const [, negate, qualifier, qualified, quoted, word] = match;
    if (qualifier !== undefined && qualified !== undefined) {
      terms.push({
        negate: negate === "-",
        qualifier: qualifier.toLowerCase(),
        value: qualified.replace(/^"|"$/g, ""),
      });
    } else {
      terms.push({ negate: false, qualifier: undefined, value: quoted ?? word ?? "" });
    }
  }
  return terms;
}

/** `>=2024-01-01`, `<5`, `a..b`, `a..*`, or an exact value (a date matches the whole day). */
function inRange(actual: string | number | null, range: string): boolean {
  if (actual === null) return false;
  const numeric = typeof actual === "number";
  const compare = (bound: string): number => {
    if (numeric) return actual - Number(bound);
    const value = actual.slice(0, bound.length);
    return value < bound ? -1 : value > bound ? 1 : 0;
  };
  const between = /^(.+)\.\.(.+)$/.exec(range);
  if (between) {
    const [, low = "*", high = "*"] = between;
    return (low === "*" || compare(low) >= 0) && (high === "*" || compare(high) <= 0);
  }
  const op = /^(>=|<=|>|<)?(.+)$/.exec(range);
  const bound = op?.[2] ?? range;
  switch (op?.[1]) {
    case ">=":
      return compare(bound) >= 0;
    case "<=":
      return compare(bound) <= 0;
    case ">":
      return compare(bound) > 0;
    case "<":
      return compare(bound) < 0;
    default:
      return compare(bound) === 0;
  }
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function matchesIs(issue: IssueRecord, value: string): boolean {
  switch (value.toLowerCase()) {
    case "issue":
      return issue.pull === null;
    case "pr":
    case "pull-request":
      return issue.pull !== null;
    case "open":
    case "closed":
      return issue.state === value.toLowerCase();
    case "merged":
      return issue.pull?.merged === true;
    case "unmerged":
      return issue.pull !== null && !issue.pull.merged;
    case "draft":
      return issue.pull?.draft === true;
    case "locked":
      return issue.locked;
    case "unlocked":
      return !issue.locked;
    default:
      return true;
  }
}

function matchesTerm(hit: SearchHit, term: Term, commentCount: () => number): boolean {
  const { repo, issue } = hit;
  const value = term.value;
  switch (term.qualifier) {
    case undefined: {
      const text = `${issue.title}\n${issue.body ?? ""}`.toLowerCase();
      return text.includes(value.toLowerCase());
    }
    case "repo":
      return same(`${repo.owner}/${repo.name}`, value);
    case "org":
    case "user":
    case "owner":
      return same(repo.owner, value);
    case "is":
    case "type":
      return matchesIs(issue, value);
    case "state":
      return issue.state === value.toLowerCase();
    case "label":
      return value.split(",").some((name) => issue.labels.some((label) => same(label, name)));
    case "author":
      return same(issue.user, value);
    case "assignee":
      return issue.assignees.some((login) => same(login, value));
    case "milestone":
      return issue.milestone !== null && same(repo.milestones.get(issue.milestone)?.title ?? "", value);
    case "no":
      return value === "label"
        ? issue.labels.length === 0
        : value === "assignee"
          ? issue.assignees.length === 0
          : value === "milestone"
            ? issue.milestone === null
            : true;
    case "created":
      return inRange(issue.createdAt, value);
    case "updated":
      return inRange(issue.updatedAt, value);
    case "closed":
      return inRange(issue.closedAt, value);
    case "comments":
      return inRange(commentCount(), value);
    default:
      // Qualifiers the fake does not model (in:, sort:, reason:...) do not filter.
      return true;
  }
}

const SORT_KEYS: Record<string, (hit: SearchHit, state: FakeState) => string | number> = {
  created: (hit) => hit.issue.createdAt,
  updated: (hit) => hit.issue.updatedAt,
  comments: (hit, state) => state.commentsOn(hit.repo, hit.issue.number).length,
};

export function searchIssues(
  state: FakeState,
  query: string,
  options: { sort?: string | undefined; order?: string | undefined; installation?: InstallationRecord | undefined },
): SearchHit[] {
  const terms = parse(query);
  const { installation } = options;
  const hits: SearchHit[] = [];
  for (const repo of state.repos.values()) {
    // Installation tokens only see the repositories the installation was granted.
    if (installation && !state.covers(installation, repo.owner, repo.name)) continue;
    for (const issue of repo.issues.values()) {
      const hit = { repo, issue };
      const count = (): number => state.commentsOn(repo, issue.number).length;
      if (terms.every((term) => matchesTerm(hit, term, count) !== term.negate)) hits.push(hit);
    }
  }
  const sortKey = SORT_KEYS[options.sort ?? ""] ?? ((hit: SearchHit) => hit.issue.id);
  const direction = options.order === "asc" ? 1 : -1;
  return hits.sort((a, b) => {
    const x = sortKey(a, state);
    const y = sortKey(b, state);
    return direction * (x < y ? -1 : x > y ? 1 : 0);
  });
}
