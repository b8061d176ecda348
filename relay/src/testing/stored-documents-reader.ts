/**
 * Child-process entry of `readStoredDocuments` (stored-documents.ts): opens a relay's
 * `<data>/documents` with a fresh CrashSafeFileStorageAdapter and a network-less Repo, as a
 * restarted relay would, and reports what each document holds.
 *
 *   node --import tsx stored-documents-reader.ts '<{ directory, documents: [{ url, heads }] }>'
 *
 * Prints one line, `result <StoredDocumentReport[] as JSON>`. Storage errors (a torn chunk) are
 * logged as pino JSON on stderr. It never writes a document back: no flush, no shutdown.
 */
import { next as A } from "@automerge/automerge";
import type { AutomergeUrl, UrlHeads } from "@automerge/automerge-repo";
import { decodeHeads, Repo } from "@automerge/automerge-repo";
import { makeLogger } from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import type { StoredDocumentReport, StoredDocumentsRequest } from "./stored-documents.js";

const request = JSON.parse(process.argv[2] ?? "null") as StoredDocumentsRequest | null;
if (request === null || typeof request.directory !== "string") {
  throw new Error("usage: stored-documents-reader.ts '<StoredDocumentsRequest as JSON>'");
}

const storage = await CrashSafeFileStorageAdapter.create(request.directory, {
  logger: makeLogger("stored-documents-reader", "warn"),
});
const repo = new Repo({ network: [], storage });
const reports: StoredDocumentReport[] = [];
for (const { url, heads } of request.documents) {
  try {
    const handle = await repo.find<unknown>(url as AutomergeUrl);
    reports.push({
      url,
      found: true,
      storedHeads: handle.heads(),
      containsHeads: A.hasHeads(handle.doc(), decodeHeads(heads as UrlHeads)),
    });
  } catch {
    reports.push({ url, found: false, storedHeads: [], containsHeads: false });
  }
}
process.stdout.write(`result ${JSON.stringify(reports)}\n`);
process.exit(0);
