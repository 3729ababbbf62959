import { describe, expect, it } from "vitest";
import { renderSamples } from "../../scripts/samples.js";

describe("renderSamples", () => {
  it("renders every comment kind from the domain functions", () => {
    const text = renderSamples(Date.UTC(2026, 11, 4, 9));
    for (const heading of ["## Welcome", "## Triage explanation", "## Progress summary", "## Digest: "]) {
      expect(text).toContain(heading);
    }
    expect(text).toContain("<details><summary>async · orm · 2.2 — decided by `django/db/models/query.py`</summary>");
    expect(text).toContain("- #12 `QuerySet.aget()` is slow");
    // 4.1 has one subsystem: no subtotal row; 5.0 has two.
    expect(text).not.toContain("| **4.1** |");
    expect(text).toContain("| **5.0** | **all subsystems** |");
  });
});
