import { describe, expect, it } from "vitest";
import { renderMarker } from "../../src/domain/markers.js";
import { isShepherdIssue } from "../../src/domain/track.js";

const scope = { botLogin: "shepherd[bot]" };

describe("isShepherdIssue", () => {
  it.each([
    ["opened by the bot", { number: 5, author: "Shepherd[bot]", body: "" }, scope, true],
    ["a summary body", { number: 5, author: "someone", body: `${renderMarker("progress")}\n## x` }, scope, true],
    ["a digest body", { number: 5, author: null, body: renderMarker("digest", { week: "2026-W49" }) }, scope, true],
    [
      "the configured tracking issue",
      { number: 7, author: "maintainer", body: "" },
      { ...scope, trackingIssue: 7 },
      true,
    ],
    ["a person's issue", { number: 8, author: "maintainer", body: "aget()" }, { ...scope, trackingIssue: 7 }, false],
    ["a person quoting a claim marker", { number: 8, author: "r", body: renderMarker("claim", {}) }, scope, false],
  ])("%s: %s", (_name, item, within, expected) => {
    expect(isShepherdIssue(item, within)).toBe(expected);
  });
});
