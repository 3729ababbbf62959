// Issue references in PR text: `Fixes #12`, `Refs #12`, `closes: #3`. Only same-repository numbers.

const REFERENCE =
  /\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?|refs?|references?|see|part of|related to)\s*:?\s+#(\d{1,9})\b/gi;
const CLOSING = /^(close[sd]?|fix(?:e[sd])?|resolve[sd]?)$/i;

export interface IssueReference {
  number: number;
  /** `Fixes`/`Closes`/`Resolves`: merging the PR closes the issue. */
  closes: boolean;
}

/** References in order of appearance, each number once (a closing mention wins). */
export function findIssueReferences(text: string): IssueReference[] {
  const found = new Map<number, IssueReference>();
  for (const match of text.matchAll(REFERENCE)) {
    const number = Number(match[2]);
    const closes = CLOSING.test(match[1] ?? "");
    const previous = found.get(number);
    found.set(number, { number, closes: closes || (previous?.closes ?? false) });
  }
  return [...found.values()];
}
