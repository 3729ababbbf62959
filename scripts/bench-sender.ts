// The benchmark's webhook sender, in a thread of its own: answers are timed on an event loop that
// the fake GitHub (in the main thread) does not keep busy, so the figures are the app's.
import { createHmac } from "node:crypto";
import { Agent, request as httpRequest } from "node:http";
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

/** Requests the thread sends itself at `perSecond`, so a busy main thread cannot bunch them up. */
export interface SendBatch {
  batch: SendRequest[];
  perSecond: number;
}

export interface SendAnswer {
  seq: number;
  ms: number;
  status: number | "timeout" | "error";
}

// node:http with kept-alive connections, as GitHub's senders reuse theirs: fetch's own overhead
// (streams, promises, a fresh parser per request) showed up in the figures it was meant to time.
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function sign(request: SendRequest): { body: Buffer; signature: string } {
  const signature = `sha256=${createHmac("sha256", request.secret).update(request.body).digest("hex")}`;
  return { body: Buffer.from(request.body), signature };
}

function send(request: SendRequest, signed = sign(request)): Promise<SendAnswer> {
  const { body, signature } = signed;
  const started = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (status: SendAnswer["status"]) => {
      if (done) return;
      done = true;
      resolve({ seq: request.seq, ms: performance.now() - started, status });
    };
    const req = httpRequest(
      request.url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": body.length,
          "x-github-event": request.name,
          "x-github-delivery": request.id,
          "x-hub-signature-256": signature,
        },
        timeout: request.timeoutMs,
      },
      (response) => {
        response.resume();
        response.on("end", () => finish(response.statusCode ?? "error"));
        response.on("error", () => finish("error"));
      },
    );
    req.on("timeout", () => {
      finish("timeout");
      req.destroy();
    });
    req.on("error", () => finish("error"));
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Signs every request first, then sends them on this thread's clock, without waiting for answers. */
async function sendBatch({ batch, perSecond }: SendBatch): Promise<void> {
  const signed = batch.map(sign);
  const started = performance.now();
  for (const [i, request] of batch.entries()) {
    const wait = started + (i * 1000) / perSecond - performance.now();
    if (wait > 1) await sleep(wait);
    void send(request, signed[i]).then((answer) => parentPort?.postMessage(answer));
  }
}

parentPort?.on("message", (message: SendRequest | SendBatch) => {
  if ("batch" in message) {
    void sendBatch(message);
    return;
  }
  void send(message).then((answer) => parentPort?.postMessage(answer));
});
