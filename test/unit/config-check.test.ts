import { describe, expect, it } from "vitest";
import { decideConfigCheck, pushChangesConfig } from "../../src/domain/config-check.js";

const NOW = Date.parse("2026-12-01T10:00:00Z");

describe("decideConfigCheck", () => {
  it("fails with one annotation per problem, naming key and lines", () => {
    const spec = decideConfigCheck({
      headSha: "abc1234",
      path: ".github/shepherd.yml",
      problems: [{ key: "triage.minConfidence", startLine: 3, endLine: 3, message: "too big" }],
      now: NOW,
    });
    expect(spec).toMatchObject({ conclusion: "failure", completedAt: "2026-12-01T10:00:00.000Z" });
    expect(spec.summary).toContain("- line 3: `triage.minConfidence`: too big");
    expect(spec.annotations).toEqual([
      {
        path: ".github/shepherd.yml",
        start_line: 3,
        end_line: 3,
        annotation_level: "failure",
        title: "triage.minConfidence",
        message: "triage.minConfidence: too big",
      },
    ]);
  });

  it("passes a valid file and a removed one, without annotations", () => {
    for (const problems of [[], null]) {
      const spec = decideConfigCheck({ headSha: "abc1234", path: "f.yml", problems, now: NOW });
      expect(spec).toMatchObject({ conclusion: "success", annotations: [] });
    }
  });

  it("keeps to GitHub's 50 annotations a request", () => {
    const problems = Array.from({ length: 60 }, (_, i) => ({
      key: `k${i}`,
      startLine: i + 1,
      endLine: i + 1,
      message: "x",
    }));
    const spec = decideConfigCheck({ headSha: "abc1234", path: "f.yml", problems, now: NOW });
    expect(spec.annotations).toHaveLength(50);
    expect(spec.summary).toContain("line 60");
  });
});

describe("pushChangesConfig", () => {
  it("is true only when the file changed and the branch still exists", () => {
    expect(pushChangesConfig({ paths: ["f.yml"], after: "abc1234" }, "f.yml")).toBe(true);
    expect(pushChangesConfig({ paths: ["other"], after: "abc1234" }, "f.yml")).toBe(false);
    expect(pushChangesConfig({ paths: ["f.yml"], after: "0".repeat(40) }, "f.yml")).toBe(false);
    expect(pushChangesConfig({ paths: ["f.yml"], after: null }, "f.yml")).toBe(false);
  });
});
