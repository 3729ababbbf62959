import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderReadme } from "../../scripts/readme.js";
import { renderConfigReference } from "../../src/docs/readme.js";

describe("README.md", () => {
  it("has its generated sections up to date (run `npm run readme`)", () => {
    const current = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(renderReadme(current)).toBe(current);
  });

  it("documents every config key the schema declares", () => {
    const reference = renderConfigReference();
    for (const key of [
      "preset",
      "triage.minConfidence",
      "triage.labels.subsystemPrefix",
      "subsystems.<id>.paths",
      "roadmap.<id>.subsystems",
    ]) {
      expect(reference).toContain(`\`${key}\``);
    }
    expect(reference).not.toMatch(/\| {2}\|\n/);
  });

  it("names the test command CI runs", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const ci = readFileSync(new URL("../../.ci/run", import.meta.url), "utf8");
    expect(readme).toContain("npm test");
    expect(ci).toMatch(/^npm test$/m);
  });
});
