// One harness per test, closed after it, and the fake GitHub's recorded errors fail the test.
import { afterEach } from "vitest";
import { type Harness, type HarnessOptions, startHarness } from "./harness.js";

export function harnessPerTest(): (options?: HarnessOptions) => Promise<Harness> {
  let current: Harness | null = null;
  afterEach(async () => {
    if (!current) return;
    const { fake } = current;
    await current.close();
    current = null;
    fake.assertNoErrors();
  });
  return async (options) => {
    current = await startHarness(options);
    return current;
  };
}
