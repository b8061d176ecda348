import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { CHUNK_HEADER_LENGTH, decodeChunkFile, encodeChunkFile } from "./chunk-file-format.js";

const payload = Uint8Array.from([0x85, 0x6f, 0x4a, 0x83, 1, 2, 3, 4, 5, 6, 7, 8]);

describe("chunk file format", () => {
  it("round-trips the payload and the write sequence", () => {
    const file = encodeChunkFile(payload, 1_700_000_000_000_001n);
    expect(file.length).toBe(CHUNK_HEADER_LENGTH + payload.length);
    expect(decodeChunkFile(file)).toStrictEqual({
      kind: "valid",
      payload,
      writeSequence: 1_700_000_000_000_001n,
    });
  });

  it("returns a plain Uint8Array even when reading from a Buffer", () => {
    const decoded = decodeChunkFile(Buffer.from(encodeChunkFile(payload, 1n)));
    expect(decoded.kind === "valid" && decoded.payload.constructor).toBe(Uint8Array);
  });

  it.each([
    [
      "cut inside the header",
      (file: Uint8Array) => file.subarray(0, 10),
      /shorter than the 24-byte header/,
    ],
    [
      "cut inside the payload",
      (file: Uint8Array) => file.subarray(0, file.length - 3),
      /declares a 12-byte payload but the file holds 9/,
    ],
    [
      "longer than declared",
      (file: Uint8Array) => Uint8Array.from([...file, 0]),
      /declares a 12-byte payload but the file holds 13/,
    ],
    ["garbage", () => new Uint8Array(64).fill(0xab), /bad magic/],
    [
      "a flipped payload byte",
      (file: Uint8Array) => flip(file, CHUNK_HEADER_LENGTH + 5),
      /checksum mismatch/,
    ],
    ["a flipped version byte", (file: Uint8Array) => flip(file, 7), /checksum mismatch/],
    ["a flipped sequence byte", (file: Uint8Array) => flip(file, 15), /checksum mismatch/],
  ])("reports a file %s as torn", (_, damage, reason) => {
    const decoded = decodeChunkFile(damage(encodeChunkFile(payload, 42n)));
    expect(decoded.kind).toBe("torn");
    expect(decoded.kind === "torn" && decoded.reason).toMatch(reason);
  });

  it("tells a consistent file of a future version apart from a torn one", () => {
    const file = encodeChunkFile(payload, 42n);
    const view = new DataView(file.buffer);
    view.setUint32(4, 2);
    view.setUint32(20, crc32(payload, crc32(file.subarray(4, 20))));
    expect(decodeChunkFile(file)).toStrictEqual({ kind: "unsupported-version", version: 2 });
  });
});

function flip(file: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(file);
  copy[index] = (copy[index] ?? 0) ^ 0xff;
  return copy;
}
