// The welcome comment for a newcomer, and the note when a mentor is assigned later. Pure markdown
// (the adapter adds the marker). Only the newcomer and their mentor are @-mentioned: text from issue
// titles and explanations is neutralised so it can neither ping people nor link other items.
import { escapeInline, escapeTitle, neutralise } from "./markdown.js";

export interface WelcomeInput {
  newcomer: string;
  kind: "issue" | "pr" | "claim";
  /** Optional maintainer template from config; placeholders {{newcomer}}, {{mentor}}, {{nextSteps}}, {{issues}}. */
  template: string | null;
  contributingUrl: string | null;
  testsUrl: string | null;
  /** Open good-first async issues in the newcomer's subsystem. */
  suggestions: Array<{ number: number; title: string }>;
  subsystemName: string | null;
  mentor: { login: string; explanation: string[] } | null;
  /** No mentor free: on the waitlist at this position (1-based). */
  waitlistPosition: number | null;
  botSlug: string;
}

const SUGGESTED_AT_MOST = 5;

const THANKS: Record<WelcomeInput["kind"], string> = {
  issue: "Thanks for opening this issue",
  pr: "Thanks for this pull request",
  claim: "Thanks for picking up this issue",
};

export function renderWelcome(input: WelcomeInput): string {
  const blocks: Record<string, string> = {
    newcomer: `@${input.newcomer}`,
    nextSteps: renderNextSteps(input),
    issues: renderSuggestions(input),
    mentor: renderMentorBlock(input),
  };
  if (input.template !== null && input.template.trim() !== "") return tidy(expand(input.template, blocks));
  const greeting = `Welcome, ${blocks.newcomer}! ${THANKS[input.kind]}: it is good to have you here.`;
  return tidy([greeting, blocks.mentor, blocks.nextSteps, blocks.issues].join("\n\n"));
}

export function renderMentorAssigned(input: {
  newcomer: string;
  mentor: string;
  explanation: string[];
  afterWaiting: boolean;
}): string {
  const opening = input.afterWaiting
    ? `@${input.newcomer}, thanks for waiting: a mentor is free now. @${input.mentor} will be your mentor.`
    : `@${input.newcomer}, @${input.mentor} will be your mentor.`;
  return [
    `${opening} Ask them anything about this work here; there are no silly questions.`,
    "",
    renderWhy(input.explanation),
  ].join("\n");
}

/** `{{name}}` placeholders in one pass, so text they bring in is never expanded again; unknown ones stay. */
function expand(template: string, blocks: Record<string, string>): string {
  return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (whole, name: string) =>
    Object.hasOwn(blocks, name) ? (blocks[name] ?? whole) : whole,
  );
}

function renderNextSteps(input: WelcomeInput): string {
  const steps: string[] = [];
  if (input.contributingUrl) steps.push(`Read the [contributing guide](${linkTarget(input.contributingUrl)}).`);
  if (input.testsUrl) steps.push(`See [how to run the tests](${linkTarget(input.testsUrl)}) before you push.`);
  steps.push(
    "Comment `/claim` on an issue to take it, so nobody else starts the same work.",
    "Comment `/mentor` to ask for a mentor, or to get your mentor's attention.",
    "Comment `/help` to list every command here.",
  );
  return [
    "**Next steps**",
    "",
    ...steps.map((step) => `- ${step}`),
    "",
    `Commands go on a line of their own, as \`/name\` or \`@${input.botSlug} name\`.`,
  ].join("\n");
}

function renderSuggestions(input: WelcomeInput): string {
  if (input.suggestions.length === 0) return "";
  const where = input.subsystemName ? ` in ${escapeInline(input.subsystemName)}` : "";
  const rows = input.suggestions
    .slice(0, SUGGESTED_AT_MOST)
    .map((issue) => `- #${issue.number} ${escapeTitle(issue.title)}`);
  return [`**Good first async issues${where}**`, "", ...rows].join("\n");
}

function renderMentorBlock(input: WelcomeInput): string {
  if (input.mentor) {
    return [
      `Your mentor is @${input.mentor.login}: ask them anything about this work, here or with \`/mentor\`.`,
      "",
      renderWhy(input.mentor.explanation),
    ].join("\n");
  }
  if (input.waitlistPosition === null) return "";
  const position = input.waitlistPosition;
  const place = Number.isInteger(position) && position > 0 ? `You are number ${position} in line` : "You are in line";
  return (
    `Every mentor is busy right now, so nobody is assigned to you yet. ${place}, and you will hear here ` +
    "as soon as a mentor is free. Meanwhile, the steps below are a good start."
  );
}

function renderWhy(explanation: string[]): string {
  const lines = explanation.filter((line) => line.trim() !== "").map((line) => `- ${neutralise(line)}`);
  return [
    "<details><summary>Why this mentor?</summary>",
    "",
    ...(lines.length > 0 ? lines : ["- (no details recorded)"]),
    "",
    "</details>",
  ].join("\n");
}

/** A link target that cannot close the link early. */
function linkTarget(url: string): string {
  return url.replace(/[\s()<>]/g, encodeURIComponent);
}

/** No runs of blank lines where a block was empty, and no trailing space. */
function tidy(markdown: string): string {
  return markdown.replace(/\n{3,}/g, "\n\n").trim();
}
