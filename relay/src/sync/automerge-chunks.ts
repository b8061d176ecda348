import { inflateRawSync } from "node:zlib";
import { ByteReader, MalformedChunk } from "./byte-reader.js";
import { rowsOfColumn } from "./column-rows.js";

/** What one entry of a sync message's `changes` would make Automerge hold, read from its headers. */
export interface ChunkMeasure {
  /** Document chunks (type 0): Automerge 3 sends a whole or partial saved document this way. */
  documents: number;
  /** Change chunks, plain (type 1) or deflated (type 2). */
  changes: number;
  /** Operations, an upper bound: the longest column's row count, per chunk, summed. */
  ops: number;
  /** Ops of the largest single change chunk (document chunks excluded). */
  largestChangeOps: number;
  /** Bytes once inflated: chunk contents with every deflated part expanded. */
  decodedBytes: number;
}

/** A chunk whose inflated size passed the cap given to {@link measureChunks}. */
export class InflationCapExceeded extends Error {
  constructor(readonly capBytes: number) {
    super(`inflates past ${capBytes} bytes`);
    this.name = "InflationCapExceeded";
  }
}

const MAGIC = [0x85, 0x6f, 0x4a, 0x83] as const;
const DOCUMENT = 0;
const CHANGE = 1;
const DEFLATED_CHANGE = 2;
/** Column spec bit 3: the column's bytes are raw-deflated. */
const DEFLATE_BIT = 0x08;

/**
 * Measures one entry of a decoded sync message's `changes` (one or more concatenated Automerge
 * chunks) without handing it to Automerge, so a change that would take hundreds of megabytes and
 * seconds to apply is known before anything is applied. Only headers and column run lengths are
 * read; deflated parts are inflated with `inflateCapBytes` as the most any may still produce, so a
 * compression bomb costs at most that much. Throws {@link MalformedChunk} for bytes that are not
 * chunks this relay can measure (bundles, type 3, included: automerge-repo does not send them)
 * and {@link InflationCapExceeded} when inflating would pass the cap.
 */
export function measureChunks(entry: Uint8Array, inflateCapBytes: number): ChunkMeasure {
  const total: ChunkMeasure = {
    documents: 0,
    changes: 0,
    ops: 0,
    largestChangeOps: 0,
    decodedBytes: 0,
  };
  const reader = new ByteReader(entry);
  if (reader.done()) throw new MalformedChunk("an empty change entry");
  while (!reader.done()) {
    for (const byte of MAGIC) {
      if (reader.byte() !== byte) throw new MalformedChunk("no Automerge chunk magic");
    }
    reader.skip(4); // checksum: Automerge checks it; a wrong one is rejected there, unapplied
    const type = reader.byte();
    const contents = reader.bytes(reader.uleb());
    const cap = inflateCapBytes - total.decodedBytes;
    if (type === DOCUMENT) {
      const measured = measureDocument(contents, cap);
      total.documents += 1;
      total.ops += measured.ops;
      total.decodedBytes += measured.decodedBytes;
    } else if (type === CHANGE || type === DEFLATED_CHANGE) {
      const body = type === CHANGE ? contents : inflate(contents, cap);
      const measured = measureChange(body, cap);
      total.changes += 1;
      total.ops += measured.ops;
      total.largestChangeOps = Math.max(total.largestChangeOps, measured.ops);
      total.decodedBytes += measured.decodedBytes;
    } else {
      throw new MalformedChunk(`chunk type ${type}, which automerge-repo clients do not send`);
    }
  }
  return total;
}

/** Ops and inflated size of a change chunk's contents: its header, then its op columns. */
function measureChange(body: Uint8Array, capBytes: number): ColumnsMeasure {
  const reader = new ByteReader(body);
  reader.skip(reader.uleb() * 32); // dependencies
  reader.skip(reader.uleb()); // actor
  reader.uleb(); // seq
  reader.uleb(); // start op
  reader.uleb(); // time (signed; skipping a LEB does not care)
  reader.skip(reader.uleb()); // message
  const otherActors = reader.uleb();
  for (let index = 0; index < otherActors; index += 1) reader.skip(reader.uleb());
  return measureColumns(reader, [], readColumnSpecs(reader), body.byteLength, capBytes);
}

/** Ops and inflated size of a document chunk's contents. */
function measureDocument(body: Uint8Array, capBytes: number): ColumnsMeasure {
  const reader = new ByteReader(body);
  const actors = reader.uleb();
  for (let index = 0; index < actors; index += 1) reader.skip(reader.uleb());
  reader.skip(reader.uleb() * 32); // heads
  const changeColumns = readColumnSpecs(reader);
  const opColumns = readColumnSpecs(reader);
  // Heads' indexes (optional) follow the columns; they are counted in the body's size.
  return measureColumns(reader, changeColumns, opColumns, body.byteLength, capBytes);
}

interface ColumnsMeasure {
  ops: number;
  decodedBytes: number;
}

/**
 * Reads the columns that follow a chunk's header, in order: `skipped` ones (a document's change
 * metadata) only for their size, `counted` ones (ops) also for their row counts.
 */
function measureColumns(
  reader: ByteReader,
  skipped: ColumnSpec[],
  counted: ColumnSpec[],
  encodedBytes: number,
  capBytes: number,
): ColumnsMeasure {
  let decodedBytes = encodedBytes;
  let ops = 0;
  for (const [index, column] of [...skipped, ...counted].entries()) {
    let bytes = reader.bytes(column.length);
    if ((column.spec & DEFLATE_BIT) !== 0) {
      bytes = inflate(bytes, capBytes - decodedBytes);
      decodedBytes += bytes.byteLength - column.length;
    }
    if (index >= skipped.length) ops = Math.max(ops, rowsOfColumn(column.spec, bytes));
  }
  return { ops, decodedBytes };
}

interface ColumnSpec {
  spec: number;
  length: number;
}

function readColumnSpecs(reader: ByteReader): ColumnSpec[] {
  const count = reader.uleb();
  const columns: ColumnSpec[] = [];
  for (let index = 0; index < count; index += 1) {
    columns.push({ spec: reader.uleb(), length: reader.uleb() });
  }
  return columns;
}

function inflate(bytes: Uint8Array, capBytes: number): Uint8Array {
  if (capBytes <= 0) throw new InflationCapExceeded(capBytes);
  try {
    return inflateRawSync(bytes, { maxOutputLength: capBytes });
  } catch (error) {
    if (error instanceof RangeError) throw new InflationCapExceeded(capBytes);
    throw new MalformedChunk("a deflated part that does not inflate");
  }
}
