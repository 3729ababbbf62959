// The plans of mentoring workflows: welcoming a newcomer, announcing a mentor, putting someone on
// the waitlist. Pure: the adapter (jobs/onboarding.ts) gathers loads and search results, these
// decide the actions, in an order that a retry can resume from at any point.
import type { Action } from "./actions.js";
import { renderMarker } from "./markers.js";
import { renderMentorAssigned } from "./welcome.js";

export function welcomeKey(login: string): string {
  return `welcome:${login.toLowerCase()}`;
}

export function mentorKey(login: string, since: number): string {
  return `mentor:${login.toLowerCase()}:${since}`;
}

export function waitlistKey(login: string): string {
  return `waitlist:${login.toLowerCase()}`;
}

export interface ItemRef {
  kind: "issue" | "pr";
  number: number;
}

export interface WelcomePlanInput {
  newcomer: string;
  item: ItemRef;
  subsystem: string | null;
  /** The mentor matched, or null (no mentors configured, or none free). */
  mentor: string | null;
  /** On the waitlist (no mentor free), with the label that says so. */
  waitlist: { position: number; label: string } | null;
  /** The welcome text, without its marker. */
  text: string;
  now: number;
}

export function welcomePlan(input: WelcomePlanInput): Action[] {
  const { newcomer, item, mentor, now } = input;
  const key = welcomeKey(newcomer);
  const marker = renderMarker("welcome", {
    newcomer,
    mentor,
    item: item.number,
    kind: item.kind,
    since: now,
    subsystem: input.subsystem,
    waitlisted: input.waitlist !== null,
  });
  const actions: Action[] = [{ type: "mark-welcomed", login: newcomer }];
  if (input.waitlist) {
    actions.push(
      { type: "add-labels", issue: item.number, labels: [input.waitlist.label] },
      {
        type: "enqueue-waitlist",
        entry: { login: newcomer, subsystem: input.subsystem, item: item.number, since: now },
      },
    );
  }
  actions.push({ type: "comment", issue: item.number, key, body: `${marker}\n${input.text}` });
  if (mentor) {
    actions.push({
      type: "start-mentorship",
      commentOn: item.number,
      mentorship: {
        newcomer,
        mentor,
        item: item.number,
        kind: item.kind,
        pr: item.kind === "pr" ? item.number : null,
        since: now,
        lastActivity: now,
        commentId: null,
        commentKey: key,
      },
    });
    if (item.kind === "pr") actions.push({ type: "request-review", pr: item.number, logins: [mentor] });
  }
  actions.push({ type: "record-welcome", newcomer, mentor, at: now });
  return actions;
}

export interface AnnounceInput {
  newcomer: string;
  mentor: string;
  explanation: string[];
  item: ItemRef;
  afterWaiting: boolean;
  now: number;
  /** A line before the announcement (why the mentor changes). */
  preface?: string;
  /** Keep the mentorship's first item and PR when the mentor changes. */
  keep?: { item: number; kind: "issue" | "pr"; pr: number | null };
}

/** A mentor for a newcomer: the announcement, the mentorship, and a review request on a PR. */
export function announcePlan(input: AnnounceInput): Action[] {
  const { newcomer, mentor, item, now } = input;
  const key = mentorKey(newcomer, now);
  const first = input.keep ?? { item: item.number, kind: item.kind, pr: item.kind === "pr" ? item.number : null };
  const marker = renderMarker("mentor", { newcomer, mentor, item: first.item, kind: first.kind, since: now });
  const text = renderMentorAssigned({
    newcomer,
    mentor,
    explanation: input.explanation,
    afterWaiting: input.afterWaiting,
  });
  const body = [marker, ...(input.preface ? [input.preface, ""] : []), text].join("\n");
  const actions: Action[] = [
    { type: "comment", issue: item.number, key, body },
    {
      type: "start-mentorship",
      // The comment is on the item the announcement is about; the mentorship keeps its first item.
      commentOn: item.number,
      mentorship: {
        newcomer,
        mentor,
        item: first.item,
        kind: first.kind,
        pr: first.pr,
        since: now,
        lastActivity: now,
        commentId: null,
        commentKey: key,
      },
    },
  ];
  const pr = first.pr ?? (item.kind === "pr" ? item.number : null);
  if (pr !== null) actions.push({ type: "request-review", pr, logins: [mentor] });
  return actions;
}

/** Every mentor is busy: the end of the line, the label that says so, and a note. */
export function waitlistPlan(input: {
  newcomer: string;
  item: ItemRef;
  subsystem: string | null;
  position: number;
  label: string;
  now: number;
}): Action[] {
  const { newcomer, item, now } = input;
  return [
    { type: "enqueue-waitlist", entry: { login: newcomer, subsystem: input.subsystem, item: item.number, since: now } },
    { type: "add-labels", issue: item.number, labels: [input.label] },
    {
      type: "comment",
      issue: item.number,
      key: waitlistKey(newcomer),
      repost: true,
      body: [
        renderMarker("waitlist", { newcomer, item: item.number, since: now, subsystem: input.subsystem }),
        `@${newcomer}, every mentor is busy right now. You are number ${input.position} in line, and you will hear here as soon as one is free.`,
      ].join("\n"),
    },
  ];
}
