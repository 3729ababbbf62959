// Private redis-server processes for tests that need a Redis of their own (an eviction policy, an
// ACL user, a cluster), so the shared Redis other tests use is never reconfigured. Each server
// lives in a temporary directory that stop() deletes.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";

const run = promisify(execFile);

export interface RedisServers {
  ports: number[];
  /** `127.0.0.1:port,...`, as SHEPHERD_REDIS_CLUSTER takes them. */
  seeds: string;
  stop(): Promise<void>;
}

/** Why cluster tests cannot run here (no redis-server with cluster support, no redis-cli), or null. */
export async function clusterUnsupported(): Promise<string | null> {
  try {
    const { stdout } = await run("redis-server", ["--version"]);
    const major = Number(/v=(\d+)\./.exec(stdout)?.[1] ?? 0);
    if (major < 3) return `redis-server ${stdout.trim()} has no cluster support`;
  } catch {
    return "redis-server is not installed";
  }
  try {
    await run("redis-cli", ["--version"]);
  } catch {
    return "redis-cli is not installed";
  }
  return null;
}

/** One redis-server with extra arguments (`--maxmemory-policy allkeys-lru`, ...). */
export async function startRedisServer(args: string[] = []): Promise<RedisServers> {
  return startServers(1, () => args);
}

/** A cluster of `masters` masters and no replicas, its slots spread over them, state ok. */
export async function startRedisCluster(masters = 3): Promise<RedisServers> {
  const servers = await startServers(masters, (port, dir) => [
    "--cluster-enabled",
    "yes",
    "--cluster-config-file",
    join(dir, `nodes-${port}.conf`),
  ]);
  try {
    const nodes = servers.ports.map((port) => `127.0.0.1:${port}`);
    await run("redis-cli", ["--cluster", "create", ...nodes, "--cluster-replicas", "0", "--cluster-yes"], {
      timeout: 20_000,
    });
    await Promise.all(servers.ports.map((port) => untilAnswer(port, "CLUSTER", ["INFO"], /cluster_state:ok/)));
    return servers;
  } catch (error) {
    await servers.stop();
    throw error;
  }
}

async function startServers(count: number, extra: (port: number, dir: string) => string[]): Promise<RedisServers> {
  const dir = await mkdtemp(join(tmpdir(), "shepherd-redis-"));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let n = 0; n < count; n += 1) {
      const port = await freePort(ports);
      ports.push(port);
      const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"];
      children.push(spawn("redis-server", [...args, "--daemonize", "no", ...extra(port, dir)], { stdio: "ignore" }));
    }
    await Promise.all(ports.map((port) => untilAnswer(port, "PING", [], /PONG/)));
  } catch (error) {
    await stop();
    throw error;
  }
  return { ports, seeds: ports.map((port) => `127.0.0.1:${port}`).join(","), stop };
}

/** A port free on 127.0.0.1 whose cluster bus port (+10000) is free too. */
async function freePort(taken: number[]): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (taken.includes(port)) continue;
    if ((await canListen(port)) && (await canListen(port + 10_000))) return port;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Sends `command` to the server on `port` until the reply matches (within 10 s). */
async function untilAnswer(port: number, command: string, args: string[], wanted: RegExp): Promise<void> {
  const probe = new Redis({
    port,
    host: "127.0.0.1",
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => 50,
  });
  probe.on("error", () => {});
  try {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const reply = await probe.call(command, ...args).catch(() => null);
      if (wanted.test(String(reply))) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server on ${port} did not answer ${command} with ${wanted}`);
  } finally {
    probe.disconnect();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}
