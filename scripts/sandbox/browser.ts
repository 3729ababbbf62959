// A headless Chromium driving the sandbox page, shared by the browser test and the screenshot
// script: Debian's `chromium` package (playwright-core downloads no browser), and the page's
// actions as a person does them (choose a user, fill the form, click).
import { existsSync } from "node:fs";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";

export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/** The browser to run: CHROMIUM_PATH, or Debian's chromium; null when it is not there. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string | null {
  const path = env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  return existsSync(path) ? path : null;
}

export function missingChromiumMessage(env: NodeJS.ProcessEnv = process.env): string {
  return `no Chromium at ${env.CHROMIUM_PATH || DEFAULT_CHROMIUM}: install Debian's "chromium" package (apt-get install -y chromium), set CHROMIUM_PATH, or set SHEPHERD_SKIP_BROWSER=1 to skip the browser test`;
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium's own sandbox refuses to start.
  return chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}

const WAIT_MS = 30_000;

/** The story's newcomer issue, in the test and in the README's screenshots. */
export const ASYNC_ISSUE = {
  title: "Make QuerySet.aget async-safe",
  body: "`QuerySet.aget()` should be safe to await from an async view: the ORM call runs in a thread today.",
};

/** The tracking issue's summary is in the issue Shepherd opens, then in each edit of its body. */
export const SUMMARY_KINDS = ["issue-created", "issue-update"];

export async function actAs(page: Page, login: string): Promise<void> {
  await page.locator("#actor").selectOption(login);
}

/** Opens an issue (or, with files, a pull request) as `login`; returns its number. */
export async function openItem(
  page: Page,
  login: string,
  item: { title: string; body: string; files?: string[] },
): Promise<number> {
  await actAs(page, login);
  await page.locator("#item-title").fill(item.title);
  await page.locator("#item-body").fill(item.body);
  await page.locator("#item-files").fill((item.files ?? []).join("\n"));
  await page.locator("#item-submit").click();
  const status = page.locator("#item-status");
  await status.filter({ hasText: /opened #\d+/ }).waitFor({ timeout: WAIT_MS });
  const text = (await status.textContent()) ?? "";
  return Number(/#(\d+)/.exec(text)?.[1]);
}

export async function comment(page: Page, login: string, number: number, body: string): Promise<void> {
  await actAs(page, login);
  await page.locator("#comment-issue").selectOption(String(number));
  await page.locator("#comment-body").fill(body);
  await page.locator("#comment-submit").click();
  await page.locator("#comment-status").filter({ hasText: "commented" }).waitFor({ timeout: WAIT_MS });
}

export async function postDigest(page: Page): Promise<string> {
  await page.locator("#digest-button").click();
  const status = page.locator("#digest-status").filter({ hasText: /digest task (done|failed)/ });
  await status.waitFor({ timeout: 90_000 });
  return (await status.textContent()) ?? "";
}

/** The latest timeline entry of `kind` (one of them; on issue `issue`) whose text matches, once it is on the page. */
export async function entry(
  page: Page,
  kind: string | string[],
  hasText: string | RegExp,
  issue?: number,
  timeout = WAIT_MS,
): Promise<Locator> {
  const on = issue === undefined ? "" : `[data-issue="${issue}"]`;
  const selector = [kind]
    .flat()
    .map((one) => `article.entry[data-kind="${one}"]${on}`)
    .join(", ");
  // The timeline is newest first: the first match is the latest.
  const found = page.locator(selector).filter({ hasText }).first();
  await found.waitFor({ timeout });
  return found;
}
