// Stored JSON is parsed with its zod schema on the way in; a damaged or foreign value reads as
// absent, never as a reason to fail a job.
import type { z } from "zod";

export function parseStored<T>(schema: z.ZodType<T>, raw: string | null | undefined): T | null {
  if (raw === null || raw === undefined) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
