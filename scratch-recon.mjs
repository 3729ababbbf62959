import { Queue, Worker } from "bullmq";
import { startTcpProxy } from "./dist/test/support/tcp-proxy.js";
import { createRedis, connectRedis } from "./dist/src/redis.js";
const proxy = await startTcpProxy(6379);
const prefix = "recon-" + Date.now();
const conn = createRedis(proxy.url, "worker");
await connectRedis(conn, proxy.url);
const qconn = createRedis(proxy.url, "web");
await connectRedis(qconn, proxy.url);
const queue = new Queue("q", { connection: qconn, prefix });
queue.on("error", () => {});
let done = 0;
const opts = {
  connection: conn,
  prefix,
  concurrency: 8,
  lockDuration: Number(process.argv[2]),
  stalledInterval: Number(process.argv[3]),
  maxStalledCount: 10,
};
const worker = new Worker(
  "q",
  async (job) => {
    done++;
  },
  opts,
);
const worker2 = new Worker("q2", async (job) => {}, opts);
for (const w of [worker, worker2]) w.on("error", (e) => {});
await new Promise((r) => setTimeout(r, 1500));
await queue.add("a", {});
await new Promise((r) => setTimeout(r, 500));
proxy.cut();
await new Promise((r) => setTimeout(r, 3000));
proxy.restore();
for (let i = 0; i < 40; i++) {
  try {
    await queue.add("b", {});
    break;
  } catch (e) {
    await new Promise((r) => setTimeout(r, 200));
  }
}
await new Promise((r) => setTimeout(r, 12000));
console.log(
  process.argv[2],
  process.argv[3],
  "done",
  done,
  "running",
  worker.isRunning(),
  JSON.stringify(await queue.getJobCounts("wait", "active")),
);
process.exit(0);
