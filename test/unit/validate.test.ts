import { describe, expect, it } from "vitest";
import { formatProblems, validateConfigText } from "../../src/config/validate.js";

const bad = `preset: django-async
triage:
  minConfidence: 3
  labelz: x
roadmap:
  3.0:
    title: Three
commands: {}
claims:
  maxPerUser: -1
`;

describe("validateConfigText", () => {
  it("names every bad key with its line", () => {
    const result = validateConfigText(bad);
    expect(result.ok).toBe(false);
    expect(formatProblems("f.yml", result.problems)).toMatchInlineSnapshot(`
      "f.yml:3: triage.minConfidence: Too big: expected number to be <=1
      f.yml:4: triage.labelz: unknown key
      f.yml:6: roadmap.3.0: YAML reads the key 3.0 as the number 3; quote it: "3.0":
      f.yml:10: claims.maxPerUser: Too small: expected number to be >=1
      "
    `);
  });
});

describe("validateConfigText on other files", () => {
  it("accepts a good file, with the version quoted", () => {
    expect(validateConfigText('preset: django-async\nroadmap:\n  "3.0":\n    title: Three\n')).toEqual({
      ok: true,
      problems: [],
    });
  });

  it("places cross-section errors on their key", () => {
    const result = validateConfigText('preset: django-async\nroadmap:\n  "9.9":\n    subsystems: [nope]\n');
    expect(result.problems).toEqual([
      { key: "roadmap.9.9.subsystems", startLine: 4, endLine: 4, message: 'unknown subsystem "nope"' },
    ]);
  });

  it("reports YAML syntax errors with their line", () => {
    const result = validateConfigText("triage:\n  minConfidence: 1\n - x\ncommands: {}\n");
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatchObject({ key: "(file)", startLine: 3 });
    expect(result.problems[0]?.message).toMatch(/^invalid YAML/);
  });
});
