import { describe, expect, it } from "vitest";
import { replyBody } from "../../src/domain/commands/plan.js";
import { parseMarker } from "../../src/domain/markers.js";

describe("replyBody", () => {
  it("is the marker and the text when the comment held one command", () => {
    expect(replyBody("Done.")).toBe("<!-- shepherd:reply -->\nDone.");
  });

  it("quotes the command it answers as code, so the quote neither runs nor pings", () => {
    const body = replyBody("No such label.", "/label `x` @bob");
    expect(body).toBe("<!-- shepherd:reply -->\n> ``/label `x` @bob``\n\nNo such label.");
    expect(parseMarker(body)?.kind).toBe("reply");
  });
});
