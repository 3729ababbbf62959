import { describe, expect, it } from "vitest";
import { djangoAsyncPreset } from "../../src/config/presets/django-async.js";
import { resolveConfigInput } from "../../src/config/resolve.js";
import { parseShepherdConfig } from "../../src/config/schema.js";

describe("parseShepherdConfig", () => {
  const rejected: Array<[string, unknown, string]> = [
    ["unknown top-level key", { triag: {} }, "triag: unknown key"],
    ["unknown nested key", { triage: { explainn: "comment" } }, "triage.explainn: unknown key"],
    ["wrong type", { triage: { minConfidence: "high" } }, "triage.minConfidence:"],
    ["out of range", { triage: { minConfidence: 2 } }, "triage.minConfidence:"],
    ["bad enum", { triage: { explain: "always" } }, "triage.explain:"],
    ["unknown preset", { preset: "rails" }, "preset:"],
    ["bad subsystem id", { subsystems: { "Has Space": { paths: ["x/**"] } } }, "subsystems.Has Space"],
    [
      "bad colour",
      { triage: { labels: { asyncColor: "purple" } } },
      "triage.labels.asyncColor: a colour is six hex digits",
    ],
    ["not an object", ["a", "b"], "(file):"],
    ["paths not a list", { subsystems: { orm: { paths: "django/db/**" } } }, "subsystems.orm.paths:"],
  ];
  it.each(rejected)("rejects %s, naming the key", (_name, input, message) => {
    const result = parseShepherdConfig(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join("\n")).toContain(message);
  });

  it("fills defaults in a present section and leaves absent sections off", () => {
    const result = parseShepherdConfig({ preset: "django-async", triage: {} });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.triage).toMatchObject({
      explain: "comment",
      minConfidence: 0.5,
      labels: { async: "async", subsystemPrefix: "subsystem:" },
    });
    const withoutTriage = parseShepherdConfig({ preset: "django-async" });
    expect(withoutTriage.ok && withoutTriage.config.triage).toBeUndefined();
  });

  it("ignores _extends, which Probot's loader consumes", () => {
    expect(parseShepherdConfig({ _extends: ".github", triage: {} }).ok).toBe(true);
  });

  it("normalises colours", () => {
    const result = parseShepherdConfig({ triage: { labels: { asyncColor: "#ABCDEF" } } });
    expect(result.ok && result.config.triage?.labels.asyncColor).toBe("abcdef");
  });
});

describe("resolveConfigInput", () => {
  it("pulls in the django-async preset with the subsystems and versions of DEP 0009", () => {
    const result = resolveConfigInput({ preset: "django-async", triage: {} });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    // The exact ids are checked against the list in classifier.test.ts.
    expect(result.config.model).toEqual(djangoAsyncPreset);
    expect(result.config.model.roadmap.map((r) => r.version)).toEqual(["2.2", "3.0", "3.1", "3.2"]);
  });

  it("lets the file override the preset field by field and add subsystems", () => {
    const result = resolveConfigInput({
      preset: "django-async",
      subsystems: { orm: { cues: ["Model.asave"] }, channels: { name: "Channels", paths: ["channels/**"] } },
      roadmap: { "3.0": { title: "Async 3.0" } },
      asyncCues: ["trio"],
      triage: {},
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const orm = result.config.model.subsystems.find((s) => s.id === "orm");
    expect(orm?.cues).toEqual(["Model.asave"]);
    expect(orm?.paths).toContain("django/db/**");
    expect(result.config.model.subsystems.at(-1)).toMatchObject({
      id: "channels",
      name: "Channels",
      paths: ["channels/**"],
    });
    const v30 = result.config.model.roadmap.find((r) => r.version === "3.0");
    expect(v30?.title).toBe("Async 3.0");
    expect(v30?.subsystems.length).toBeGreaterThan(0);
    expect(result.config.model.asyncCues).toContain("trio");
  });

  it("rejects a roadmap entry naming an unknown subsystem", () => {
    const result = resolveConfigInput({ preset: "django-async", roadmap: { "4.0": { subsystems: ["nope"] } } });
    expect(result).toEqual({ ok: false, errors: ['roadmap.4.0.subsystems: unknown subsystem "nope"'] });
  });

  it("rejects triage without any subsystems", () => {
    const result = resolveConfigInput({ triage: {} });
    expect(result.ok).toBe(false);
  });

  it("works without a preset", () => {
    const result = resolveConfigInput({ subsystems: { core: { paths: ["src/**"] } }, triage: {} });
    expect(result.ok && result.config.model.subsystems).toEqual([
      { id: "core", name: "core", description: "", paths: ["src/**"], cues: [] },
    ]);
  });
});
