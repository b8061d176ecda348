import { init, loadIncremental, toJS } from "@automerge/automerge/slim";

/**
 * A stored document's plain content from its chunks (snapshots first, then incremental chunks),
 * loaded as automerge-repo loads them. Automerge's WebAssembly must be initialized.
 */
export function loadStoredDocument(chunks: readonly Uint8Array[]): unknown {
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return toJS(loadIncremental(init(), bytes));
}
