// The code index as a file (`shepherd index --out FILE`): JSON lines, the meta first, then one
// `[name, entry]` per line, so a large index is written and read a line at a time.
import { createReadStream, createWriteStream } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { CompiledModel } from "../domain/classifier.js";
import { subsystemOfPath } from "../domain/classifier.js";
import {
  type CodeIndex,
  type CodeIndexMeta,
  createIndexBuilder,
  decodeEntry,
  encodeEntry,
  INDEX_VERSIONS,
  type IndexEntry,
  isIndexVersion,
} from "../domain/code-index.js";
import { indexArchive } from "../github/tarball.js";

/** Files larger than this are not read into the index (generated tables, data). */
export const MAX_INDEXED_FILE_BYTES = 512 * 1024;

export function indexBuilderFor(compiled: CompiledModel) {
  return createIndexBuilder({
    subsystemOf: (path) => subsystemOfPath(compiled, path),
    globs: compiled.globs,
    maxFileBytes: MAX_INDEXED_FILE_BYTES,
  });
}

export async function indexFromTarball(path: string, compiled: CompiledModel): Promise<CodeIndex> {
  return indexArchive(createReadStream(path), indexBuilderFor(compiled));
}

export async function writeIndexFile(path: string, index: CodeIndex): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  const write = async (line: string) => {
    bytes += line.length + 1;
    if (!out.write(`${line}\n`)) await once(out, "drain");
  };
  await write(JSON.stringify({ meta: index.meta }));
  for (const [name, entry] of index.names) await write(`${JSON.stringify(name)}\t${encodeEntry(entry)}`);
  out.end();
  await once(out, "finish");
  return bytes;
}

export async function readIndexFile(path: string): Promise<CodeIndex> {
  const reader = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
  let meta: CodeIndexMeta | null = null;
  const names = new Map<string, IndexEntry>();
  for await (const line of reader) {
    if (line.trim() === "") continue;
    if (meta === null) {
      const first = JSON.parse(line) as { meta?: CodeIndexMeta };
      const version = first.meta?.version;
      if (!isIndexVersion(version)) {
        throw new Error(`${path}: not a Shepherd code index (version ${INDEX_VERSIONS.join(", ")})`);
      }
      meta = first.meta ?? null;
      continue;
    }
    const tab = line.indexOf("\t");
    const entry = tab > 0 ? decodeEntry(line.slice(tab + 1)) : undefined;
    if (entry === undefined) throw new Error(`${path}: malformed entry line`);
    names.set(JSON.parse(line.slice(0, tab)) as string, entry);
  }
  if (meta === null) throw new Error(`${path}: empty index file`);
  return { meta, names };
}
