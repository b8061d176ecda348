import { gzipSync } from "node:zlib";

/** One regular file to put in an archive. */
export interface ArchiveEntry {
  /** A plain name (no folders): the archive unpacks into one folder. */
  name: string;
  bytes: Uint8Array;
  /** Permission bits, e.g. 0o755 for the executable bundle. */
  mode: number;
}

const BLOCK = 512;

/**
 * A gzip'd POSIX ustar archive of `entries`: what `tar -xzf` unpacks on Linux and macOS, and
 * `tar.exe` on Windows 10 and later, so the relay can serve the agent as one download whose
 * SHA-256 an install script checks. Written here rather than by a system `tar`, whose flags and
 * owner fields differ between machines.
 */
export function tarGz(entries: readonly ArchiveEntry[], modifiedAt = new Date()): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    blocks.push(header(entry, Math.floor(modifiedAt.getTime() / 1000)));
    blocks.push(Buffer.from(entry.bytes));
    const padding = (BLOCK - (entry.bytes.byteLength % BLOCK)) % BLOCK;
    blocks.push(Buffer.alloc(padding));
  }
  blocks.push(Buffer.alloc(2 * BLOCK)); // two empty blocks end the archive
  return gzipSync(Buffer.concat(blocks), { level: 9 });
}

function header(entry: ArchiveEntry, mtimeSeconds: number): Buffer {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(entry.name))
    throw new Error(`archive entry name ${JSON.stringify(entry.name)}: expected a plain file name`);
  const block = Buffer.alloc(BLOCK);
  block.write(entry.name, 0, "ascii");
  writeOctal(block, 100, 8, entry.mode);
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 124, 12, entry.bytes.byteLength);
  writeOctal(block, 136, 12, mtimeSeconds);
  block.fill(" ", 148, 156); // the checksum counts its own field as spaces
  block.write("0", 156, "ascii"); // a regular file
  block.write("ustar\u000000", 257, "ascii");
  block.write("root", 265, "ascii");
  block.write("root", 297, "ascii");
  let checksum = 0;
  for (const byte of block) checksum += byte;
  block.write(`${checksum.toString(8).padStart(6, "0")}\u0000 `, 148, "ascii");
  return block;
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  const text = value.toString(8);
  if (text.length > length - 1) throw new Error(`${value} does not fit a tar header field`);
  block.write(`${text.padStart(length - 1, "0")}\u0000`, offset, "ascii");
}
