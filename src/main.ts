// Entry point: `node dist/src/main.js` (what `npm start` and the Docker image run).
import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { run } from "probot";
import { RedisUnavailableError } from "./redis.js";
import { readSettings } from "./settings.js";
import { CredentialsError, loggerFor, type Shepherd, startShepherd } from "./shepherd.js";

/** Reads `.env` (what Probot's setup page writes); variables already set in the environment win. */
function loadDotEnv(path = ".env"): void {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return;
  }
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (process.env[name] === undefined) process.env[name] = value;
  }
}

async function main(): Promise<void> {
  loadDotEnv();
  // Probot's setup mode: with no APP_ID outside production, serve the page that registers the
  // GitHub App from app.yml and writes .env. Restart afterwards to run Shepherd itself.
  if (!process.env.APP_ID && process.env.NODE_ENV !== "production") {
    console.info("No APP_ID: starting Probot's setup page to register the GitHub App (see README).");
    await run(() => {});
    return;
  }
  const settings = readSettings();
  const log = loggerFor(process.env);
  const starting = new AbortController();
  let shepherd: Shepherd | null = null;
  let stopping = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, "shutting down");
      if (!shepherd) {
        starting.abort(new Error(`${signal} during start-up`));
        return;
      }
      shepherd
        .stop()
        .then(() => process.exit(0))
        .catch((error: unknown) => {
          log.error({ err: error }, "shutdown failed");
          process.exit(1);
        });
    });
  }
  try {
    shepherd = await startShepherd({ settings, log, signal: starting.signal });
  } catch (error) {
    if (starting.signal.aborted) process.exit(0);
    throw error;
  }
  if (stopping) await shepherd.stop().finally(() => process.exit(0));
}

main().catch((error: unknown) => {
  if (error instanceof RedisUnavailableError || error instanceof CredentialsError) {
    console.error(error.message);
  } else {
    console.error(`Shepherd could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
