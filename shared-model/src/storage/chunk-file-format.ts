/**
 * The on-disk format of one chunk file: a fixed 24-byte header followed by the payload.
 *
 * ```
 * offset  size  field
 *      0     4  magic "OPCK"
 *      4     4  format version (u32 BE), currently 1
 *      8     8  write sequence (u64 BE): milliseconds since the epoch × 1000 + a tie-breaker
 *     16     4  payload length (u32 BE)
 *     20     4  CRC32 of bytes 4..20 followed by the payload (u32 BE)
 * ```
 *
 * The checksum covers the version, sequence and length fields as well as the payload, so a flipped
 * bit anywhere after the magic reads as a torn file rather than as a file from a future version.
 * Later versions may add fields after byte 24 but must keep these 24 bytes as they are.
 */
import { crc32 } from "node:zlib";

const MAGIC = Uint8Array.from([0x4f, 0x50, 0x43, 0x4b]); // "OPCK": Outpost chunk
const CURRENT_VERSION = 1;

/** Size of the header in front of every payload. */
export const CHUNK_HEADER_LENGTH = 24;

/** Largest payload the u32 length field can describe. */
export const MAX_CHUNK_PAYLOAD_LENGTH = 0xffff_ffff;

/** What decoding the bytes of one chunk file found. */
export type DecodedChunkFile =
  | { kind: "valid"; payload: Uint8Array; writeSequence: bigint }
  | { kind: "torn"; reason: string }
  | { kind: "unsupported-version"; version: number };

/** Frames `payload` with the header; `writeSequence` orders chunks by write time on load. */
export function encodeChunkFile(payload: Uint8Array, writeSequence: bigint): Uint8Array {
  if (payload.length > MAX_CHUNK_PAYLOAD_LENGTH) {
    throw new RangeError(
      `chunk payload is ${payload.length} bytes, the file format allows at most ${MAX_CHUNK_PAYLOAD_LENGTH}`,
    );
  }
  const file = new Uint8Array(CHUNK_HEADER_LENGTH + payload.length);
  const header = new DataView(file.buffer, 0, CHUNK_HEADER_LENGTH);
  file.set(MAGIC, 0);
  header.setUint32(4, CURRENT_VERSION);
  header.setBigUint64(8, writeSequence);
  header.setUint32(16, payload.length);
  file.set(payload, CHUNK_HEADER_LENGTH);
  header.setUint32(20, checksum(file.subarray(4, 20), payload));
  return file;
}

/**
 * Checks the header of a chunk file read from disk. The payload is returned as a view into
 * `file`, not a copy. A file that was cut short, overwritten with garbage or bit-flipped is
 * reported as `torn` with a reason an operator can act on.
 */
export function decodeChunkFile(file: Uint8Array): DecodedChunkFile {
  if (file.length < CHUNK_HEADER_LENGTH) {
    return {
      kind: "torn",
      reason: `file is ${file.length} bytes, shorter than the ${CHUNK_HEADER_LENGTH}-byte header`,
    };
  }
  if (!MAGIC.every((byte, index) => file[index] === byte)) {
    return { kind: "torn", reason: "bad magic bytes (not an Outpost chunk file)" };
  }
  const header = new DataView(file.buffer, file.byteOffset, CHUNK_HEADER_LENGTH);
  const declaredLength = header.getUint32(16);
  const actualLength = file.length - CHUNK_HEADER_LENGTH;
  if (declaredLength !== actualLength) {
    return {
      kind: "torn",
      reason: `header declares a ${declaredLength}-byte payload but the file holds ${actualLength} bytes`,
    };
  }
  // A plain Uint8Array view even when `file` is a Buffer, whose subarray() would be a Buffer.
  const payload = new Uint8Array(file.buffer, file.byteOffset + CHUNK_HEADER_LENGTH, actualLength);
  const expected = header.getUint32(20);
  const actual = checksum(file.subarray(4, 20), payload);
  if (expected !== actual) {
    return {
      kind: "torn",
      reason: `checksum mismatch (header says ${hex(expected)}, content gives ${hex(actual)})`,
    };
  }
  const version = header.getUint32(4);
  if (version !== CURRENT_VERSION) return { kind: "unsupported-version", version };
  return { kind: "valid", payload, writeSequence: header.getBigUint64(8) };
}

function checksum(headerFields: Uint8Array, payload: Uint8Array): number {
  return crc32(payload, crc32(headerFields));
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}

/**
 * A chunk file whose checksum is right but whose format version this build does not know: it was
 * most likely written by a newer Outpost. Loading stops instead of quarantining it, so a
 * downgrade never quietly moves good data aside.
 */
export class UnsupportedChunkFormatVersion extends Error {
  constructor(
    readonly filePath: string,
    readonly version: number,
  ) {
    super(
      `chunk file ${filePath} has format version ${version}, but this build reads only version ${CURRENT_VERSION}; run the Outpost version that wrote it, or move the file out of the storage directory`,
    );
    this.name = "UnsupportedChunkFormatVersion";
  }
}
