// The benchmark's webhook sender, in a thread of its own: answers are timed on an event loop that
// the fake GitHub (in the main thread) does not keep busy, so the figures are the app's.
import { createHmac } from "node:crypto";
import { parentPort } from "node:worker_threads";

export interface SendRequest {
  seq: number;
  url: string;
  name: string;
  id: string;
  body: string;
  secret: string;
  timeoutMs: number;
}

export interface SendAnswer {
  seq: number;
  ms: number;
  status: number | "timeout" | "error";
}

async function send(request: SendRequest): Promise<SendAnswer> {
  const signature = `sha256=${createHmac("sha256", request.secret).update(request.body).digest("hex")}`;
  const started = performance.now();
  try {
    const response = await fetch(request.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": request.name,
        "x-github-delivery": request.id,
        "x-hub-signature-256": signature,
      },
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    await response.arrayBuffer();
    return { seq: request.seq, ms: performance.now() - started, status: response.status };
  } catch (error) {
    const status = (error as Error).name === "TimeoutError" ? "timeout" : "error";
    return { seq: request.seq, ms: performance.now() - started, status };
  }
}

parentPort?.on("message", (request: SendRequest) => {
  void send(request).then((answer) => parentPort?.postMessage(answer));
});
