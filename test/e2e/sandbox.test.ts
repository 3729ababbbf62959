// The sandbox (`npm run sandbox`) in a real headless Chromium: a newcomer opens an async issue and
// claims it, a digest is posted from the page, and the page shows what Shepherd did. The browser is
// Debian's chromium (CHROMIUM_PATH overrides); SHEPHERD_SKIP_BROWSER=1 is the only way to skip.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ASYNC_ISSUE,
  SUMMARY_KINDS,
  chromiumPath,
  comment,
  entry,
  launchChromium,
  missingChromiumMessage,
  openItem,
  postDigest,
} from "../../scripts/sandbox/browser.js";
import { type Sandbox, startSandbox } from "../../scripts/sandbox/sandbox.js";

const SKIP = process.env.SHEPHERD_SKIP_BROWSER === "1";
if (SKIP) console.warn("sandbox browser test skipped: SHEPHERD_SKIP_BROWSER=1 is set");

describe.skipIf(SKIP)("the sandbox in a browser", () => {
  let sandbox: Sandbox | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const executable = chromiumPath();
    if (executable === null) throw new Error(missingChromiumMessage());
    sandbox = await startSandbox({ port: 0 });
    browser = await launchChromium(executable);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(sandbox.url);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
  }, 30_000);

  it("shows Shepherd's labels, explanation, welcome, claim, summary and digest", async () => {
    const number = await openItem(page, "newcomer-ana", ASYNC_ISSUE);
    expect(number).toBeGreaterThan(0);
    await entry(page, "user-issue", ASYNC_ISSUE.title, number);

    const labels = await entry(page, "labels", "subsystem:orm", number);
    expect(await labels.locator(".chip").allTextContents()).toEqual(
      expect.arrayContaining(["async", "subsystem:orm", "roadmap:2.2"]),
    );
    expect(await labels.textContent()).toContain("set milestone 2.2");
    const explanation = await entry(page, "comment", "decided by", number);
    expect(await explanation.locator("details summary").textContent()).toMatch(/async · orm · 2\.2/);
    const welcome = await entry(page, "comment", "Welcome, @newcomer-ana", number);
    expect(await welcome.textContent()).toContain("Your mentor is @carltongibson");
    // Markers are HTML comments: they are dropped, never shown or parsed.
    expect(await welcome.textContent()).not.toContain("shepherd:welcome");

    await comment(page, "newcomer-ana", number, "/claim");
    await entry(page, "user-comment", "/claim", number);
    await entry(page, "assignees", "assigned newcomer-ana", number);
    await page
      .locator(`#issues li[data-issue="${number}"]`)
      .filter({ hasText: "assigned: newcomer-ana" })
      .waitFor({ timeout: 30_000 });

    const summary = await entry(page, "issue-created", "Async roadmap progress");
    expect(await summary.locator(".chip").allTextContents()).toContain("roadmap-progress");
    // The summary follows the claim (coalesced edits of the tracking issue).
    await entry(page, SUMMARY_KINDS, /Async roadmap progress[\s\S]*1 claimed/);

    expect(await postDigest(page)).toBe("digest task done");
    const digest = await entry(page, "issue-created", "weekly-digest");
    expect(await digest.textContent()).toContain(`#${number}`);
    // The claimed item is listed under its "version, subsystem" group, as the Markdown nests it.
    expect(
      await digest
        .locator("li > ul > li")
        .filter({ hasText: `#${number} ` })
        .count(),
    ).toBe(1);
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it("shows a body as text: markup in it is never run or rendered", async () => {
    const number = await openItem(page, "newcomer-ben", {
      title: "<b>bold?</b> async QuerySet",
      body: '<img src=x onerror="window.__pwned = 1"> <script>window.__pwned = 2</script> **strong** `code`',
    });
    const shown = await entry(page, "user-issue", "<b>bold?</b>", number);
    expect(await shown.locator("img, script, b").count()).toBe(0);
    expect(await shown.locator(".markdown").textContent()).toContain('<img src=x onerror="window.__pwned = 1">');
    expect(await shown.locator("strong").textContent()).toBe("strong");
    expect(await page.evaluate("typeof window.__pwned")).toBe("undefined");
  }, 60_000);
});
