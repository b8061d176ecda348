/**
 * Test support: Automerge change chunks rewritten between their plain (type 1) and deflated
 * (type 2) forms, as a client may send either. Both keep the magic and checksum, which Automerge
 * computes over the plain contents.
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";

/** A plain change chunk as a deflated one: a few hundred bytes for a long run of text. */
export function deflatedChange(change: Uint8Array): Uint8Array {
  const { header, contents } = splitChunk(change);
  return joinChunk(header, 2, deflateRawSync(contents));
}

/** A deflated change chunk as a plain one. */
export function inflatedChange(chunk: Uint8Array): Uint8Array {
  const { header, contents } = splitChunk(chunk);
  return joinChunk(header, 1, inflateRawSync(contents));
}

/** Magic and checksum (8 bytes), then type (1 byte), LEB128 length, contents. */
function splitChunk(chunk: Uint8Array): { header: Uint8Array; contents: Uint8Array } {
  let offset = 9;
  let length = 0;
  let scale = 1;
  let byte: number;
  do {
    byte = chunk[offset++] as number;
    length += (byte & 0x7f) * scale;
    scale *= 128;
  } while (byte & 0x80);
  return { header: chunk.subarray(0, 8), contents: chunk.subarray(offset, offset + length) };
}

function joinChunk(header: Uint8Array, type: number, contents: Uint8Array): Uint8Array {
  const length: number[] = [];
  let rest = contents.byteLength;
  do {
    const low = rest & 0x7f;
    rest = Math.floor(rest / 128);
    length.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
  return Buffer.concat([header, Uint8Array.from([type, ...length]), contents]);
}
