// Keeps the extracted OpenAPI subset, the OPERATIONS list and the fake's route table in step,
// so the fake can never serve a route GitHub lacks.
import { statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OPERATIONS } from "../../scripts/extract-openapi.js";
import { ROUTES } from "./handlers.js";
import { createValidator, loadSubset, toJsonSchema } from "./validate.js";

const subset = loadSubset();

describe("openapi-subset.json", () => {
  it("holds exactly the operations listed in scripts/extract-openapi.ts", () => {
    expect(Object.keys(subset.operations).sort()).toEqual([...OPERATIONS].sort());
  });

  it("covers every route the fake implements, and the fake implements every operation", () => {
    expect(Object.keys(ROUTES).filter((id) => !(id in subset.operations))).toEqual([]);
    expect(Object.keys(subset.operations).filter((id) => !(id in ROUTES))).toEqual([]);
  });

  it("stays small", () => {
    expect(statSync(new URL("./openapi-subset.json", import.meta.url)).size).toBeLessThan(1.5 * 1024 * 1024);
  });

  it("keeps every component schema an operation refers to", () => {
    const refs = JSON.stringify(subset).match(/#\/components\/schemas\/[^"]+/g) ?? [];
    const missing = [...new Set(refs)]
      .map((ref) => ref.split("/").pop() ?? "")
      .filter((name) => !(name in subset.components.schemas));
    expect(missing).toEqual([]);
  });

  it("matches paths to operations, preferring literal segments", () => {
    const validator = createValidator(subset);
    expect(validator.match("PATCH", "/repos/o/r/issues/comments/5")).toMatchObject({
      operationId: "issues/update-comment",
      params: { comment_id: "5" },
    });
    expect(validator.match("PATCH", "/repos/o/r/issues/5")).toMatchObject({
      operationId: "issues/update",
      params: { issue_number: "5" },
    });
    expect(validator.match("GET", "/repos/o/r/contents/.github/shepherd.yml")).toMatchObject({
      params: { path: ".github/shepherd.yml" },
    });
    expect(validator.match("GET", "/repos/o/r/labels/needs%20info")).toMatchObject({ params: { name: "needs info" } });
    expect(validator.match("PUT", "/repos/o/r")).toBeUndefined();
  });

  it("checks responses: documented 2xx status and schema", () => {
    const validator = createValidator(subset);
    expect(validator.validateResponse("issues/create-label", 200, {})).toEqual([
      "response status 200 is not documented (GitHub answers 201)",
    ]);
    const problems = validator.validateResponse("issues/get-label", 200, { id: 1, name: 5 });
    expect(problems).toContain("response/name must be string");
    expect(problems).toContain("response must have required property 'color'");
    expect(validator.validateResponse("issues/get-label", 404, { message: "Not Found" })).toEqual([]);
  });

  it("rewrites OpenAPI nullable into JSON Schema", () => {
    expect(toJsonSchema({ type: "string", enum: ["a"], nullable: true })).toEqual({
      type: ["string", "null"],
      enum: ["a", null],
    });
    expect(toJsonSchema({ allOf: [{ $ref: "#/components/schemas/label" }], nullable: true })).toEqual({
      anyOf: [
        { allOf: [{ $ref: "https://shepherd.invalid/openapi-subset.json#/definitions/label" }] },
        { type: "null" },
      ],
    });
  });
});
