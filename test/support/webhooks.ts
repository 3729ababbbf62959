// Webhook payloads built from @octokit/webhooks-examples, and signed HTTP deliveries.
import { createHmac, randomUUID } from "node:crypto";
import { createRequire } from "node:module";

interface ExampleGroup {
  name: string;
  examples: Array<Record<string, unknown>>;
}

const require = createRequire(import.meta.url);
const groups = require("@octokit/webhooks-examples") as ExampleGroup[];

/** A deep copy of GitHub's own example of `name` (and `action`), so tests start from real shapes. */
export function examplePayload(name: string, action?: string): Record<string, unknown> {
  const group = groups.find((entry) => entry.name === name);
  const example = group?.examples.find((entry) => action === undefined || entry.action === action);
  if (!example) throw new Error(`no webhook example for ${name}${action ? `.${action}` : ""}`);
  return structuredClone(example);
}

export function sign(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export interface DeliveryOptions {
  url: string;
  secret: string;
  name: string;
  payload: unknown;
  id?: string;
  /** Override the signature (tests of bad signatures). */
  signature?: string | null;
}

export interface DeliveryResult {
  id: string;
  status: number;
  body: string;
}

/** POSTs a delivery the way GitHub does: JSON body, event and delivery headers, HMAC signature. */
export async function deliver(options: DeliveryOptions): Promise<DeliveryResult> {
  const id = options.id ?? randomUUID();
  const body = JSON.stringify(options.payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/test",
    "x-github-event": options.name,
    "x-github-delivery": id,
    "x-github-hook-id": "1",
  };
  const signature = options.signature === undefined ? sign(body, options.secret) : options.signature;
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  const response = await fetch(options.url, { method: "POST", headers, body });
  return { id, status: response.status, body: await response.text() };
}
