// A repository's code as one archive: `GET /repos/{owner}/{repo}/tarball/{ref}` (one API call)
// answers with a redirect to the archive, which is streamed through gunzip and a tar reader, one
// file at a time: the archive is never held in memory whole, nor written to disk.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ProbotOctokit } from "probot";
import { Parser, type ReadEntry } from "tar";
import { archivePath, archiveSha, type CodeIndex, type IndexBuilder } from "../domain/code-index.js";

/** Reads a (gzipped) tar stream into the builder; resolves with the index for the archive's commit. */
export async function indexArchive(archive: Readable, builder: IndexBuilder): Promise<CodeIndex> {
  let seenSha: string | null = null;
  const parser = new Parser({
    onReadEntry(entry: ReadEntry) {
      seenSha ??= archiveSha(entry.path);
      const path = archivePath(entry.path);
      if (entry.type !== "File" || path === null || !builder.wants(path, entry.size ?? 0)) {
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on("data", (chunk: Buffer) => chunks.push(chunk));
      entry.on("end", () => builder.add(path, Buffer.concat(chunks).toString("utf8")));
    },
  });
  await pipeline(archive, parser);
  return builder.finish(seenSha ?? "unknown");
}

/**
 * The default branch's archive, as a stream. The API call answers 302 with the archive's address
 * (a short-lived signed URL), fetched without the installation token.
 */
export async function downloadTarball(
  octokit: ProbotOctokit,
  owner: string,
  repo: string,
  ref: string,
  options: { timeoutMs: number },
): Promise<Readable> {
  const answer = await octokit.rest.repos.downloadTarballArchive({ owner, repo, ref, request: { redirect: "manual" } });
  const location = (answer.headers as Record<string, string | undefined>).location ?? answer.url;
  const response = await fetch(location, { signal: AbortSignal.timeout(options.timeoutMs), redirect: "follow" });
  if (!response.ok || response.body === null) {
    throw new Error(`archive download answered ${response.status}`);
  }
  return Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>);
}
