// `npm run sandbox`: starts the sandbox on SANDBOX_PORT (default 3700) and prints its URL; Ctrl-C
// stops Shepherd's processes, removes the sandbox's Redis keys and exits.
import { startSandbox } from "./sandbox.js";

const DEFAULT_PORT = 3700;

async function main(): Promise<void> {
  const port = process.env.SANDBOX_PORT ? Number(process.env.SANDBOX_PORT) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`sandbox: SANDBOX_PORT must be a port number, got ${process.env.SANDBOX_PORT}\n`);
    process.exitCode = 2;
    return;
  }
  process.stdout.write("sandbox: starting the fake GitHub and Shepherd (web + worker)...\n");
  const sandbox = await startSandbox({
    port,
    redisUrl: process.env.SHEPHERD_REDIS_URL,
    log: (line) => process.stderr.write(line),
  });
  process.stdout.write(`sandbox: open ${sandbox.url} (Ctrl-C to stop)\n`);
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      // A second Ctrl-C while cleaning up gives up at once.
      if (stopping) process.exit(130);
      stopping = true;
      process.stdout.write("\nsandbox: stopping...\n");
      sandbox.close().then(
        () => {
          process.stdout.write("sandbox: stopped, Redis keys removed\n");
          process.exit(0);
        },
        (error: unknown) => {
          process.stderr.write(`sandbox: stop failed: ${(error as Error).message}\n`);
          process.exit(1);
        },
      );
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
