/**
 * Test support: what is on a relay's disk, read by a separate process that shares no memory with
 * the relay (see stored-documents-reader.ts).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { REPO_ROOT } from "./relay-child.js";

const ENTRY = fileURLToPath(new URL("./stored-documents-reader.ts", import.meta.url));

/** Which documents to read, and the heads each must contain. */
export interface StoredDocumentsRequest {
  /** A relay's `<data>/documents`; the relay must not be running. */
  directory: string;
  documents: { url: string; heads: string[] }[];
}

/** What the disk holds of one document. */
export interface StoredDocumentReport {
  url: string;
  found: boolean;
  storedHeads: string[];
  /** The stored document contains the requested heads (and so everything before them). */
  containsHeads: boolean;
}

/** Reads documents from a stopped relay's storage in a child process. */
export async function readStoredDocuments(
  request: StoredDocumentsRequest,
): Promise<{ reports: StoredDocumentReport[]; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY, JSON.stringify(request)], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (data: Buffer) => {
    stdout += data.toString("utf8");
  });
  child.stderr?.on("data", (data: Buffer) => {
    stderr += data.toString("utf8");
  });
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  const line = stdout.split("\n").find((candidate) => candidate.startsWith("result "));
  if (code !== 0 || line === undefined) {
    throw new Error(`the stored-documents reader failed (exit ${code}):\n${stderr}`);
  }
  return { reports: JSON.parse(line.slice(7)) as StoredDocumentReport[], stderr };
}
