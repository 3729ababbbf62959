// The deployment files say what the README promises: a web and two workers on a Redis that keeps
// its data and never evicts, the app on loopback only, a current LTS image, no secrets in the context.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { appEnv, imageNodeOptions } from "../support/app-process.js";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

interface Service {
  command?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  restart?: string;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
}

describe("docker-compose.yml", () => {
  const compose = parse(read("docker-compose.yml"), { merge: true }) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };
  const { redis, web, worker } = compose.services;

  it("runs a web role and two workers, restarted and health-checked", () => {
    expect(web?.environment?.SHEPHERD_ROLE).toBe("web");
    expect(worker?.environment?.SHEPHERD_ROLE).toBe("worker");
    expect(worker?.deploy?.replicas).toBe(2);
    for (const service of [redis, web, worker]) expect(service?.restart).toBe("unless-stopped");
    for (const service of [redis, web, worker]) expect(service?.healthcheck?.test.length).toBeGreaterThan(1);
    expect(worker?.ports).toBeUndefined();
  });

  it("keeps Redis's data (AOF every second, a named volume) and never evicts", () => {
    const command = (redis?.command ?? []).join(" ");
    expect(command).toContain("--appendonly yes");
    expect(command).toContain("--appendfsync everysec");
    expect(command).toContain("--maxmemory-policy noeviction");
    const volume = redis?.volumes?.[0]?.split(":")[0] ?? "";
    expect(Object.keys(compose.volumes)).toContain(volume);
  });

  it("publishes ports on 127.0.0.1 only", () => {
    for (const service of [redis, web]) {
      for (const port of service?.ports ?? []) expect(port.startsWith("127.0.0.1:")).toBe(true);
    }
  });
});

describe("the image", () => {
  it("builds and runs on a current LTS Node, running node directly with production dependencies", () => {
    const dockerfile = read("Dockerfile");
    const bases = [...dockerfile.matchAll(/^FROM node:(\d+)-\S*slim/gm)].map((match) => Number(match[1]));
    expect(bases.length).toBe(2);
    for (const major of bases) expect([22, 24]).toContain(major);
    expect(dockerfile).toContain("npm ci --omit=dev");
    expect(dockerfile).toMatch(/CMD \["node", "dist\/src\/main\.js"\]/);
    const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node;
    expect(engines).toContain(">=20.19");
  });

  it("sets a heap ceiling, and the process tests run with the image's", () => {
    const options = imageNodeOptions();
    expect(options).toMatch(/^--max-old-space-size=\d+$/);
    expect(Number(options.split("=")[1])).toBeLessThanOrEqual(200);
    expect(appEnv({ fakeHost: "h", privateKey: "k", secret: "s", redisUrl: "r", prefix: "p" }).NODE_OPTIONS).toBe(
      options,
    );
  });

  it("keeps local files and secrets out of the build context", () => {
    const ignored = read(".dockerignore").split("\n");
    for (const entry of ["node_modules", ".env", "*.pem", ".git", "dist"]) expect(ignored).toContain(entry);
  });
});
