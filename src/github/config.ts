// Reads `.github/shepherd.yml` the Probot way (the repo's file, `_extends` from the org's `.github`
// repository) and caches the result in Redis, so an event costs no API call for config. A push that
// touches the file bumps the owner's generation number, which invalidates every cached copy.
import { createHash } from "node:crypto";
import { composeConfigGet } from "@probot/octokit-plugin-config";
import type { ProbotOctokit } from "probot";
import { compileModel, type CompiledModel } from "../domain/classifier.js";
import { resolveConfigInput, type ResolvedConfig } from "../config/resolve.js";
import { textOnlyProblems } from "../config/validate.js";
import type { RedisClient } from "../redis.js";
import type { Keys } from "../state/keys.js";

export const CONFIG_PATH = ".github/shepherd.yml";

/** Cached copies expire anyway, in case a push webhook was lost. */
const CONFIG_TTL_SECONDS = 24 * 3600;

export type RepoConfig =
  | { status: "absent" }
  | { status: "invalid"; errors: string[] }
  | { status: "ok"; config: ResolvedConfig; compiled: CompiledModel };

type CachedConfig =
  | { status: "absent"; generation: number }
  | { status: "invalid"; errors: string[]; generation: number }
  | { status: "ok"; raw: unknown; generation: number };

export interface ConfigStore {
  get(octokit: ProbotOctokit, owner: string, repo: string): Promise<RepoConfig>;
  /** Forget every cached config of this owner (a config file changed somewhere in it). */
  invalidateOwner(owner: string): Promise<void>;
}

export function createConfigStore(redis: RedisClient, keys: Keys): ConfigStore {
  return {
    async get(octokit, owner, repo) {
      const generation = Number((await redis.get(keys.configGeneration(owner))) ?? 0);
      const key = keys.config(owner, repo);
      const cachedRaw = await redis.get(key);
      let cached = cachedRaw ? (JSON.parse(cachedRaw) as CachedConfig) : null;
      if (!cached || cached.generation !== generation) {
        cached = await fetchConfig(octokit, owner, repo, generation);
        await redis.set(key, JSON.stringify(cached), "EX", CONFIG_TTL_SECONDS);
      }
      return materialise(cached);
    },
    async invalidateOwner(owner) {
      await redis.incr(keys.configGeneration(owner));
    },
  };
}

async function fetchConfig(
  octokit: ProbotOctokit,
  owner: string,
  repo: string,
  generation: number,
): Promise<CachedConfig> {
  // The texts the plugin reads, kept: a bare `3.0:` key is only visible in the text.
  const texts: string[] = [];
  const request = Object.assign(
    async (...args: Parameters<ProbotOctokit["request"]>) => {
      const response = await octokit.request(...args);
      if (typeof response.data === "string") texts.push(response.data);
      return response;
    },
    { endpoint: octokit.request.endpoint },
  );
  try {
    // Probot's config plugin, the one behind context.config (the repo's file, `_extends`, the org's
    // `.github`); called directly because a repo without its own file is left alone even when the
    // org's `.github` repository has one.
    const { config, files } = await composeConfigGet({ request } as unknown as Parameters<typeof composeConfigGet>[0], {
      owner,
      repo,
      path: CONFIG_PATH,
    });
    if (!files[0]?.config) return { status: "absent", generation };
    const errors = texts.flatMap(textOnlyProblems).map((problem) => `${problem.key}: ${problem.message}`);
    if (errors.length > 0) return { status: "invalid", errors, generation };
    return { status: "ok", raw: config, generation };
  } catch (error) {
    // Bad YAML or an `_extends` loop: GitHub errors (5xx, rate limits) carry a status and go up.
    if (typeof (error as { status?: unknown }).status === "number") throw error;
    const message =
      error instanceof Error ? error.message.replace(/^\[@probot\/octokit-plugin-config\] /, "") : String(error);
    return { status: "invalid", errors: [message], generation };
  }
}

const compiledCache = new Map<string, { config: ResolvedConfig; compiled: CompiledModel }>();
const COMPILED_CACHE_SIZE = 200;

/** Resolves and compiles a cached config; identical files share one compiled model per process. */
function materialise(cached: CachedConfig): RepoConfig {
  if (cached.status !== "ok") return cached;
  const text = JSON.stringify(cached.raw);
  const hash = createHash("sha1").update(text).digest("hex");
  const hit = compiledCache.get(hash);
  if (hit) return { status: "ok", ...hit };
  const resolved = resolveConfigInput(cached.raw);
  if (!resolved.ok) return { status: "invalid", errors: resolved.errors };
  const entry = { config: resolved.config, compiled: compileModel(resolved.config.model) };
  if (compiledCache.size >= COMPILED_CACHE_SIZE) {
    const oldest = compiledCache.keys().next().value;
    if (oldest !== undefined) compiledCache.delete(oldest);
  }
  compiledCache.set(hash, entry);
  return { status: "ok", ...entry };
}
