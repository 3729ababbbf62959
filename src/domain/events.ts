// A webhook payload becomes one typed event, parsed with zod, before any handler sees it (Prow's
// GenericCommentEvent idea): handlers never read raw payloads. A payload that does not parse is
// reported with the field that failed and never reaches a handler.
import { z } from "zod";

export interface RepoRef {
  id: number;
  owner: string;
  repo: string;
}

export interface Person {
  login: string;
  isBot: boolean;
  /** GitHub's author_association, where the payload has one (NONE otherwise). */
  association: string;
}

export interface Item {
  kind: "issue" | "pr";
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  stateReason: string | null;
  /** PRs only: merged when closed. */
  merged: boolean;
  labels: string[];
  assignees: string[];
  milestone: { number: number; title: string } | null;
  author: Person;
  /** Epoch ms; null when the payload does not say. */
  createdAt: number | null;
}

interface Base {
  delivery: string;
  installationId: number;
  repo: RepoRef;
  sender: Person;
  /** Caused by Shepherd itself (GitHub sends the app's own changes back as webhooks). */
  bySelf: boolean;
}

export type ItemAction = "opened" | "edited" | "reopened" | "closed" | "synchronize" | "ready_for_review";

export interface ItemEvent extends Base {
  type: "item";
  action: ItemAction;
  item: Item;
  /** The body before an edit; null when the body did not change (or the event is not an edit). */
  previousBody: string | null;
  bodyChanged: boolean;
  /** A PR's head commit (what its checks go on); null for issues. */
  headSha: string | null;
}

export interface LabelEvent extends Base {
  type: "label";
  action: "labeled" | "unlabeled";
  item: Item;
  label: string;
}

export type CommentSource = "issue-comment" | "review-comment" | "review";

export interface CommentEvent extends Base {
  type: "comment";
  action: "created" | "edited";
  source: CommentSource;
  item: Item;
  comment: { id: number; body: string; previous: string | null; author: Person };
}

export interface InstallationEvent {
  type: "installation";
  /** `added`: a new installation or repos added to one; `removed`: uninstalled, or repos taken away. */
  action: "added" | "removed";
  delivery: string;
  installationId: number;
  repositories: Array<{ id: number; owner: string; repo: string }>;
}

/** A person (or another bot) assigned or unassigned someone: claims follow GitHub. */
export interface AssignmentEvent extends Base {
  type: "assignment";
  action: "assigned" | "unassigned";
  item: Item;
  assignee: string;
}

/** The issue left the repository: moved to another one, or deleted. */
export interface GoneEvent extends Base {
  type: "gone";
  action: "transferred" | "deleted";
  item: Item;
}

export interface PushEvent extends Base {
  type: "push";
  ref: string;
  defaultBranch: string | null;
  /** Paths added, modified or removed by the pushed commits. */
  paths: string[];
  /** The commit the branch points to after the push. */
  after: string | null;
}

export interface MilestoneEvent extends Base {
  type: "milestone";
  action: string;
}

export type ShepherdEvent =
  ItemEvent | LabelEvent | AssignmentEvent | GoneEvent | CommentEvent | InstallationEvent | PushEvent | MilestoneEvent;

/** Where Shepherd reacts to a command it ran. */
export type ReactionTarget =
  | { kind: "issue-comment"; id: number }
  | { kind: "issue"; number: number }
  | { kind: "review-comment"; id: number }
  | { kind: "none" };

/** Text that may carry commands, wherever it was typed: an item's body, a comment or a review. */
export interface GenericComment {
  body: string;
  /** The text before an edit: only commands not in it run. Null for new text. */
  previous: string | null;
  author: Person;
  item: Item;
  react: ReactionTarget;
}

export type NormaliseResult =
  { ok: true; event: ShepherdEvent } | { ok: false; reason: "not-handled" | "malformed"; detail: string };

const User = z.object({ login: z.string().min(1), type: z.string().nullish() });
const Label = z.union([z.string(), z.object({ name: z.string() })]);
const RawItem = z.object({
  number: z.number().int().positive(),
  title: z.string().nullish(),
  body: z.string().nullish(),
  state: z.string().nullish(),
  state_reason: z.string().nullish(),
  merged: z.boolean().nullish(),
  user: User.nullish(),
  author_association: z.string().nullish(),
  labels: z.array(Label).nullish(),
  assignees: z.array(User.nullable()).nullish(),
  milestone: z.object({ number: z.number(), title: z.string() }).nullish(),
  pull_request: z.object({ merged_at: z.string().nullish() }).nullish(),
  created_at: z.string().nullish(),
});
type RawItem = z.infer<typeof RawItem>;
const Repository = z.object({
  id: z.number().int(),
  name: z.string().min(1),
  owner: z.object({ login: z.string().min(1) }),
  default_branch: z.string().nullish(),
});
const Common = z.object({
  installation: z.object({ id: z.number().int() }),
  repository: Repository,
  sender: User,
});
const RawComment = z.object({
  id: z.number().int(),
  body: z.string().nullish(),
  user: User.nullish(),
  author_association: z.string().nullish(),
});
const Changes = z.object({ body: z.object({ from: z.string().nullish() }).nullish() }).nullish();

const ItemPayload = Common.extend({
  action: z.enum(["opened", "edited", "reopened", "closed", "synchronize", "ready_for_review"]),
  changes: Changes,
  pull_request: z.object({ head: z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/) }).nullish() }).nullish(),
});
const LabelPayload = Common.extend({
  action: z.enum(["labeled", "unlabeled"]),
  label: z.object({ name: z.string().min(1) }),
});
const AssignmentPayload = Common.extend({
  action: z.enum(["assigned", "unassigned"]),
  assignee: User,
});
const GonePayload = Common.extend({ action: z.enum(["transferred", "deleted"]) });
const CommentPayload = Common.extend({
  action: z.enum(["created", "edited"]),
  comment: RawComment,
  changes: Changes,
});
const ReviewPayload = Common.extend({
  action: z.enum(["submitted", "edited"]),
  review: RawComment,
  pull_request: RawItem,
  changes: Changes,
});
const RepoSummary = z.object({ id: z.number().int(), name: z.string(), full_name: z.string() });
const InstallationPayload = z.object({
  action: z.string(),
  installation: z.object({ id: z.number().int() }),
  repositories: z.array(RepoSummary).nullish(),
  repositories_added: z.array(RepoSummary).nullish(),
  repositories_removed: z.array(RepoSummary).nullish(),
});
const Paths = z.object({
  added: z.array(z.string()).nullish(),
  modified: z.array(z.string()).nullish(),
  removed: z.array(z.string()).nullish(),
});
const PushPayload = Common.extend({
  ref: z.string(),
  after: z
    .string()
    .regex(/^[0-9a-f]{7,40}$/)
    .nullish(),
  commits: z.array(Paths).nullish(),
  head_commit: Paths.nullish(),
});
const MilestonePayload = Common.extend({ action: z.string() });

/** The event and action pairs Shepherd acts on; anything else is answered and dropped. */
const HANDLED: Record<string, readonly string[] | "any"> = {
  issues: [
    "opened",
    "edited",
    "reopened",
    "closed",
    "labeled",
    "unlabeled",
    "assigned",
    "unassigned",
    "transferred",
    "deleted",
  ],
  pull_request: ["opened", "edited", "reopened", "closed", "synchronize", "ready_for_review", "labeled", "unlabeled"],
  issue_comment: ["created", "edited"],
  pull_request_review: ["submitted", "edited"],
  pull_request_review_comment: ["created", "edited"],
  installation: ["created", "deleted"],
  installation_repositories: ["added", "removed"],
  push: "any",
  milestone: "any",
};

/** The webhook events Shepherd acts on; app.yml subscribes to the same list (a test keeps them in step). */
export const HANDLED_EVENTS: readonly string[] = Object.keys(HANDLED);

export function isHandledAction(name: string, action: string | undefined): boolean {
  const handled = HANDLED[name];
  if (!handled) return false;
  return handled === "any" || (action !== undefined && handled.includes(action));
}

export interface DeliveryInput {
  id: string;
  name: string;
  payload: unknown;
}

/** Turns one delivery into an event; `botLogin` tells Shepherd's own changes from people's. */
export function normaliseEvent(delivery: DeliveryInput, botLogin: string): NormaliseResult {
  const action = actionOf(delivery.payload);
  if (!isHandledAction(delivery.name, action)) {
    return { ok: false, reason: "not-handled", detail: `${delivery.name}.${action ?? "-"}` };
  }
  try {
    const event = parse(delivery, botLogin.toLowerCase());
    return event ? { ok: true, event } : { ok: false, reason: "malformed", detail: "no item in the payload" };
  } catch (error) {
    if (error instanceof z.ZodError) return { ok: false, reason: "malformed", detail: describeZodError(error) };
    throw error;
  }
}

function parse(delivery: DeliveryInput, bot: string): ShepherdEvent | null {
  const { id, name, payload } = delivery;
  const raw = payload as Record<string, unknown>;
  switch (name) {
    case "issues":
    case "pull_request": {
      const rawItem = itemAt(payload, name === "issues" ? "issue" : "pull_request");
      const kind = name === "pull_request" || rawItem.pull_request ? "pr" : "issue";
      if (raw.action === "assigned" || raw.action === "unassigned") {
        const data = AssignmentPayload.parse(payload);
        return {
          type: "assignment",
          action: data.action,
          assignee: data.assignee.login,
          item: item(rawItem, kind),
          ...base(id, data, bot),
        };
      }
      if (raw.action === "transferred" || raw.action === "deleted") {
        const data = GonePayload.parse(payload);
        return { type: "gone", action: data.action, item: item(rawItem, kind), ...base(id, data, bot) };
      }
      if (raw.action === "labeled" || raw.action === "unlabeled") {
        const data = LabelPayload.parse(payload);
        return {
          type: "label",
          action: data.action,
          label: data.label.name,
          item: item(rawItem, kind),
          ...base(id, data, bot),
        };
      }
      const data = ItemPayload.parse(payload);
      const from = data.changes?.body?.from;
      const bodyChanged = data.action === "edited" && data.changes?.body !== undefined && data.changes?.body !== null;
      return {
        type: "item",
        action: data.action,
        item: item(rawItem, kind),
        previousBody: bodyChanged ? (from ?? "") : null,
        bodyChanged,
        headSha: data.pull_request?.head?.sha ?? null,
        ...base(id, data, bot),
      };
    }
    case "issue_comment":
    case "pull_request_review_comment": {
      const data = CommentPayload.parse(payload);
      const review = name === "pull_request_review_comment";
      const rawItem = itemAt(payload, review ? "pull_request" : "issue");
      const kind = review || rawItem.pull_request ? "pr" : "issue";
      return {
        type: "comment",
        action: data.action,
        source: review ? "review-comment" : "issue-comment",
        item: item(rawItem, kind),
        comment: comment(data.comment, data.action === "edited" ? data.changes : null),
        ...base(id, data, bot),
      };
    }
    case "pull_request_review": {
      const data = ReviewPayload.parse(payload);
      return {
        type: "comment",
        action: data.action === "submitted" ? "created" : "edited",
        source: "review",
        item: item(data.pull_request, "pr"),
        comment: comment(data.review, data.action === "edited" ? data.changes : null),
        ...base(id, data, bot),
      };
    }
    case "installation":
    case "installation_repositories": {
      const data = InstallationPayload.parse(payload);
      const removed = data.action === "deleted" || data.action === "removed";
      const list =
        (name === "installation" ? data.repositories : removed ? data.repositories_removed : data.repositories_added) ??
        [];
      return {
        type: "installation",
        action: removed ? "removed" : "added",
        delivery: id,
        installationId: data.installation.id,
        repositories: list.map((entry) => ({
          id: entry.id,
          owner: entry.full_name.split("/")[0] ?? "",
          repo: entry.name,
        })),
      };
    }
    case "push": {
      const data = PushPayload.parse(payload);
      const commits = [...(data.commits ?? []), ...(data.head_commit ? [data.head_commit] : [])];
      const paths = new Set(
        commits.flatMap((entry) => [...(entry.added ?? []), ...(entry.modified ?? []), ...(entry.removed ?? [])]),
      );
      return {
        type: "push",
        ref: data.ref,
        defaultBranch: data.repository.default_branch ?? null,
        paths: [...paths],
        after: data.after ?? null,
        ...base(id, data, bot),
      };
    }
    case "milestone": {
      const data = MilestonePayload.parse(payload);
      return { type: "milestone", action: data.action, ...base(id, data, bot) };
    }
    default:
      return null;
  }
}

/** The item under `field`, parsed so a failure names the field (`issue.number: ...`). */
function itemAt(payload: unknown, field: "issue" | "pull_request"): RawItem {
  return z.object({ [field]: RawItem }).parse(payload)[field] as RawItem;
}

function actionOf(payload: unknown): string | undefined {
  const action = (payload as { action?: unknown } | null)?.action;
  return typeof action === "string" ? action : undefined;
}

function base(delivery: string, data: z.infer<typeof Common>, bot: string): Base {
  const sender = person(data.sender, null);
  return {
    delivery,
    installationId: data.installation.id,
    repo: { id: data.repository.id, owner: data.repository.owner.login, repo: data.repository.name },
    sender,
    bySelf: sender.login.toLowerCase() === bot,
  };
}

function person(user: z.infer<typeof User> | null | undefined, association: string | null | undefined): Person {
  return {
    login: user?.login ?? "",
    isBot: user?.type === "Bot",
    association: association ?? "NONE",
  };
}

/** An issue or PR as the REST API lists it (a PR listed with the issues has `pull_request`). */
export function itemFromRest(raw: unknown): Item | null {
  const parsed = RawItem.safeParse(raw);
  if (!parsed.success) return null;
  return item(parsed.data, parsed.data.pull_request ? "pr" : "issue");
}

function item(raw: RawItem, kind: "issue" | "pr"): Item {
  const created = raw.created_at ? Date.parse(raw.created_at) : Number.NaN;
  return {
    kind,
    number: raw.number,
    title: raw.title ?? "",
    body: raw.body ?? "",
    state: raw.state === "closed" ? "closed" : "open",
    stateReason: raw.state_reason ?? null,
    merged: raw.merged === true || Boolean(raw.pull_request?.merged_at),
    labels: (raw.labels ?? []).map((label) => (typeof label === "string" ? label : label.name)).filter(Boolean),
    assignees: (raw.assignees ?? []).flatMap((user) => (user ? [user.login] : [])),
    milestone: raw.milestone ? { number: raw.milestone.number, title: raw.milestone.title } : null,
    author: person(raw.user, raw.author_association),
    createdAt: Number.isFinite(created) ? created : null,
  };
}

function comment(raw: z.infer<typeof RawComment>, changes: z.infer<typeof Changes>): CommentEvent["comment"] {
  const edited = changes !== null && changes !== undefined;
  return {
    id: raw.id,
    body: raw.body ?? "",
    previous: edited && changes.body ? (changes.body.from ?? "") : null,
    author: person(raw.user, raw.author_association),
  };
}

/** "issue.number: expected number", naming the first failing field only: enough to find it. */
function describeZodError(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return "invalid payload";
  const path = first.path.map(String).join(".") || "(payload)";
  return `${path}: ${first.message}`;
}

/**
 * The text an event brings that may carry commands. An edit that did not touch the text brings
 * none (a title edit must not run the body's commands again).
 */
export function genericComment(event: ShepherdEvent): GenericComment | null {
  if (event.type === "item") {
    if (event.action !== "opened" && !(event.action === "edited" && event.bodyChanged)) return null;
    return {
      body: event.item.body,
      previous: event.action === "edited" ? (event.previousBody ?? "") : null,
      author: event.item.author,
      item: event.item,
      react: { kind: "issue", number: event.item.number },
    };
  }
  if (event.type === "comment") {
    if (event.action === "edited" && event.comment.previous === null) return null;
    const react: ReactionTarget =
      event.source === "issue-comment"
        ? { kind: "issue-comment", id: event.comment.id }
        : event.source === "review-comment"
          ? { kind: "review-comment", id: event.comment.id }
          : // GitHub has no reactions on reviews: success is silent there.
            { kind: "none" };
    return {
      body: event.comment.body,
      previous: event.comment.previous,
      author: event.comment.author,
      item: event.item,
      react,
    };
  }
  return null;
}
