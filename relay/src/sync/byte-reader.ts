/** Bytes that are not the Automerge chunk they claim to be; says what was wrong. */
export class MalformedChunk extends Error {
  constructor(detail: string) {
    super(`malformed Automerge chunk: ${detail}`);
    this.name = "MalformedChunk";
  }
}

/**
 * A cursor over untrusted bytes that reads Automerge's encodings (LEB128 integers,
 * length-prefixed runs) and throws {@link MalformedChunk}, never reads past the end, for bytes
 * that run out or lengths that do not fit.
 */
export class ByteReader {
  readonly #bytes: Uint8Array;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** True once every byte has been read. */
  done(): boolean {
    return this.#offset >= this.#bytes.byteLength;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.#bytes.byteLength - this.#offset;
  }

  byte(): number {
    if (this.done()) throw new MalformedChunk("ends early");
    const value = this.#bytes[this.#offset] as number;
    this.#offset += 1;
    return value;
  }

  /** An unsigned LEB128 integer; beyond 2^53 it is imprecise, which only ever reads as "too big". */
  uleb(): number {
    let value = 0;
    let scale = 1;
    for (let index = 0; index < 10; index += 1) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new MalformedChunk("a LEB128 integer longer than 64 bits");
  }

  /** A signed LEB128 integer. */
  sleb(): number {
    let value = 0;
    let scale = 1;
    for (let index = 0; index < 10; index += 1) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) return (byte & 0x40) === 0 ? value : value - scale;
    }
    throw new MalformedChunk("a LEB128 integer longer than 64 bits");
  }

  /** The next `length` bytes, as a view (no copy). */
  bytes(length: number): Uint8Array {
    this.#check(length);
    const view = this.#bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return view;
  }

  skip(length: number): void {
    this.#check(length);
    this.#offset += length;
  }

  #check(length: number): void {
    if (!Number.isSafeInteger(length) || length < 0 || length > this.remaining) {
      throw new MalformedChunk(`a length of ${length} with ${this.remaining} bytes left`);
    }
  }
}
