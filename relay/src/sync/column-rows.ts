import { ByteReader, MalformedChunk } from "./byte-reader.js";

/** Automerge column types: the low three bits of a column spec. */
const BOOLEAN = 4;
const STRING = 5;
const VALUE = 7;

/**
 * How many rows (ops, for an op column) one Automerge column encodes, read from its run lengths
 * without expanding them: a run of a million identical ops costs a few bytes to read. A raw value
 * column has no rows of its own (0). Throws {@link MalformedChunk} for an encoding that does not
 * parse.
 *
 * Encodings (Automerge's binary format): boolean columns are alternating run lengths; every other
 * kind is run-length encoded as a signed count, then one value repeated (count > 0), -count
 * literal values (count < 0), or, for 0, an unsigned count of nulls. Values are LEB128 integers,
 * or length-prefixed UTF-8 in string columns.
 */
export function rowsOfColumn(spec: number, bytes: Uint8Array): number {
  const type = spec & 0x07;
  if (type === VALUE) return 0;
  const reader = new ByteReader(bytes);
  let rows = 0;
  if (type === BOOLEAN) {
    while (!reader.done()) rows += reader.uleb();
    return rows;
  }
  const skipValue = type === STRING ? () => reader.skip(reader.uleb()) : () => reader.uleb();
  while (!reader.done()) {
    const count = reader.sleb();
    if (count > 0) {
      skipValue();
      rows += count;
    } else if (count < 0) {
      // Each literal takes at least a byte: a count past what is left cannot be honest.
      if (-count > reader.remaining)
        throw new MalformedChunk("a literal run past the column's end");
      for (let index = 0; index < -count; index += 1) skipValue();
      rows -= count;
    } else {
      rows += reader.uleb();
    }
  }
  return rows;
}
