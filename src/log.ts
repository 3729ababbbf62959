// The process's one logger. The composition root creates it and hands it to Probot (overrides.log)
// and to everything else, so nothing waits on Probot's asynchronous start to have a logger.
// JSON lines by default; pretty only in a terminal outside production, or when asked.
import { pino, type Logger } from "pino";

export type { Logger };

export type LogFormat = "json" | "pretty";

export interface LogOptions {
  level?: string | undefined;
  /** `json` or `pretty`; default json, pretty when stdout is a terminal and not in production. */
  format?: string | undefined;
  production?: boolean;
  /** Where lines go (tests capture them); default stdout. */
  destination?: { write(line: string): unknown };
}

const LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

export function createLogger(options: LogOptions = {}): Logger {
  const level = options.level && LEVELS.has(options.level) ? options.level : "info";
  const format = chooseFormat(options);
  const base = {
    level,
    base: { name: "shepherd" },
    serializers: { err: serializeError, error: serializeError },
    // Belt and braces: these never belong in a log line, whoever logs them.
    redact: {
      paths: ["payload", "*.payload", "headers.authorization", "*.headers.authorization", "token", "*.token"],
      censor: "[redacted]",
    },
  };
  if (options.destination) return pino(base, options.destination);
  if (format === "pretty") {
    return pino({ ...base, transport: { target: "pino-pretty", options: { colorize: true, ignore: "pid,hostname" } } });
  }
  return pino(base);
}

function chooseFormat(options: LogOptions): LogFormat {
  if (options.format === "json" || options.format === "pretty") return options.format;
  return process.stdout.isTTY && !options.production ? "pretty" : "json";
}

/** Longest message and stack kept per error: a log line is for reading, not for payloads. */
const MAX_MESSAGE = 500;
const MAX_STACK_LINES = 8;

/**
 * Errors as a few short fields. Octokit's RequestError carries the request (with headers) and the
 * response (with GitHub's whole answer); only the method, the URL without query and the status
 * are kept.
 */
export function serializeError(value: unknown): unknown {
  if (!(value instanceof Error)) {
    return typeof value === "string" ? value.slice(0, MAX_MESSAGE) : value;
  }
  const error = value as Error & {
    status?: unknown;
    code?: unknown;
    request?: { method?: string; url?: string };
    cause?: unknown;
  };
  const out: Record<string, unknown> = {
    type: error.name,
    message: error.message.slice(0, MAX_MESSAGE),
  };
  if (typeof error.status === "number") out.status = error.status;
  if (typeof error.code === "string" || typeof error.code === "number") out.code = error.code;
  if (error.request?.method && error.request.url) {
    out.request = `${error.request.method} ${error.request.url.split("?")[0]}`;
  }
  if (error.stack) out.stack = error.stack.split("\n").slice(1, MAX_STACK_LINES).join("\n");
  if (error.cause instanceof Error) out.cause = `${error.cause.name}: ${error.cause.message.slice(0, MAX_MESSAGE)}`;
  return out;
}
