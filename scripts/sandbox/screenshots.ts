// `npm run sandbox:screenshots`: drives the sandbox in headless Chromium through the README's story
// (a newcomer's async issue, a /claim, the digest) and writes cropped screenshots of the timeline
// entries to docs/screenshots/.
import { mkdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Locator } from "playwright-core";
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
} from "./browser.js";
import { startSandbox } from "./sandbox.js";

// docs/screenshots of the repository, from scripts/sandbox or dist/scripts/sandbox.
const OUT = fileURLToPath(
  new URL(
    import.meta.url.includes("/dist/") ? "../../../docs/screenshots/" : "../../docs/screenshots/",
    import.meta.url,
  ),
);

async function shoot(locator: Locator, name: string): Promise<void> {
  // Collapsed sections open, so the picture shows what the entry says.
  await locator.evaluate((node) => {
    for (const details of node.querySelectorAll("details")) details.setAttribute("open", "");
  });
  const path = `${OUT}${name}.png`;
  await locator.screenshot({ path, animations: "disabled" });
  process.stdout.write(`screenshots: ${name}.png ${Math.round(statSync(path).size / 1024)} KB\n`);
}

async function main(): Promise<void> {
  const executable = chromiumPath();
  if (executable === null) throw new Error(missingChromiumMessage());
  mkdirSync(OUT, { recursive: true });
  const sandbox = await startSandbox({ port: 0, log: (line) => process.stderr.write(line) });
  const browser = await launchChromium(executable);
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(sandbox.url);
    const number = await openItem(page, "newcomer-ana", ASYNC_ISSUE);
    await shoot(await entry(page, "comment", "Welcome, @newcomer-ana", number), "welcome");
    await shoot(await entry(page, "comment", "decided by", number), "explanation");
    await comment(page, "newcomer-ana", number, "/claim");
    await entry(page, "assignees", "assigned newcomer-ana", number);
    await shoot(await entry(page, SUMMARY_KINDS, /Async roadmap progress[\s\S]*1 claimed/), "summary");
    await postDigest(page);
    await shoot(await entry(page, "issue-created", "weekly-digest"), "digest");
  } finally {
    await browser.close();
    await sandbox.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
