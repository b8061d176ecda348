/**
 * Child process of crash.test.ts: a real automerge-repo Repo on CrashSafeFileStorageAdapter that
 * appends 0, 1, 2, … to one document's list and flushes after each value, until it is killed.
 *
 *   node --import tsx crash-writer.ts <directory> [<automerge url>]
 *
 * Without a URL it creates the document. It reports on stdout, one line each:
 *   `url <url>`      the document exists on disk (only when it created it)
 *   `ready <n>`      the document is loaded; the next value it appends is n
 *   `durable <n>`    repo.flush() resolved after appending n, so 0..n are on disk
 *   `stopped`        stdin closed, the Repo shut down cleanly; the process then exits
 * Closing stdin is the polite stop; the parent also SIGKILLs it at random moments.
 */
import { randomBytes } from "node:crypto";
import { type DocHandle, isValidAutomergeUrl, Repo } from "@automerge/automerge-repo";
import { makeLogger } from "../../log/logger.js";
import { CrashSafeFileStorageAdapter } from "../crash-safe-file-storage-adapter.js";

interface CounterDoc {
  padding: string;
  values: number[];
}

const [directory, url] = process.argv.slice(2);
if (directory === undefined || (url !== undefined && !isValidAutomergeUrl(url))) {
  throw new Error("usage: crash-writer.ts <directory> [<automerge url>]");
}

// Stdout on a pipe is synchronous on Linux, so a reported line has left the process.
const report = (line: string) => process.stdout.write(`${line}\n`);

let stopping = false;
process.stdin.on("end", () => {
  stopping = true;
});
process.stdin.resume();

const storage = await CrashSafeFileStorageAdapter.create(directory, {
  logger: makeLogger("crash-writer", "info"),
});
const repo = new Repo({ network: [], storage });

let handle: DocHandle<CounterDoc>;
if (url === undefined) {
  // Incompressible padding puts the snapshot over automerge-repo's 1 KiB threshold from the
  // start, so runs save incremental chunks and compact them (snapshot, then remove) every few
  // flushes: kills land in both paths.
  handle = repo.create<CounterDoc>({ padding: randomBytes(1200).toString("hex"), values: [] });
  await repo.flush();
  report(`url ${handle.url}`);
} else {
  handle = await repo.find<CounterDoc>(url);
}

let next = (handle.doc().values.at(-1) ?? -1) + 1;
report(`ready ${next}`);
while (!stopping) {
  const value = next++;
  handle.change((doc) => {
    doc.values.push(value);
  });
  await repo.flush();
  report(`durable ${value}`);
}
await repo.shutdown();
report("stopped");
