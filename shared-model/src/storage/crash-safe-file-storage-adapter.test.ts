import { mkdir, readdir, readFile, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../log/logger.js";
import { UnsupportedChunkFormatVersion } from "./chunk-file-format.js";
import { CrashSafeFileStorageAdapter } from "./crash-safe-file-storage-adapter.js";
import { chunkFilePath } from "./key-paths.js";
import {
  ERROR_LEVEL,
  listFiles,
  makeRecordingLogger,
  makeTempDirectory,
} from "./testdata/helpers.js";

const DOC = "3vXKxsSnRQ5qLuRF2WNXrr7ky3Lt";
// How DOC appears on disk: under its two-character shard, each upper-case letter as ^ + lower case.
const DOC_NAME = "3v^x^kxs^sn^r^q5q^lu^r^f2^w^n^xrr7ky3^lt";
const DOC_DIRECTORY = join("3v", DOC_NAME);
const payload = (...bytes: number[]) => Uint8Array.from(bytes);

let directory: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  directory = await makeTempDirectory();
});
afterEach(() => directory.remove());

const open = (logger = silentLogger) =>
  CrashSafeFileStorageAdapter.create(directory.path, { logger });

describe("CrashSafeFileStorageAdapter start-up", () => {
  it("removes temp files left by interrupted writes, and nothing else", async () => {
    const first = await open();
    await first.save([DOC, "snapshot", "s1"], payload(1, 2, 3));
    const chunk = chunkFilePath(directory.path, [DOC, "snapshot", "s1"]);
    await writeFile(`${chunk}.0123456789abcdef.tmp`, payload(9, 9));
    await writeFile(join(directory.path, "quarantine", "1-ab-old.chunk.tmp"), payload(7));

    const { logger, records } = makeRecordingLogger();
    const second = await open(logger);

    expect(await listFiles(directory.path)).toStrictEqual([
      join(DOC_DIRECTORY, "snapshot", "s1.chunk"),
      join("quarantine", "1-ab-old.chunk.tmp"), // quarantine is never touched
    ]);
    expect(await second.load([DOC, "snapshot", "s1"])).toStrictEqual(payload(1, 2, 3));
    expect(records.map((record) => record.msg)).toStrictEqual([
      `removed 1 temp files left by interrupted writes in ${directory.path}`,
    ]);
  });

  it("read-only: reads what the owner wrote, leaves its temp files alone, refuses writes", async () => {
    const owner = await open();
    await owner.save([DOC, "snapshot", "s1"], payload(1, 2, 3));
    const chunk = chunkFilePath(directory.path, [DOC, "snapshot", "s1"]);
    // The owner's write under way, as a second process sees it.
    await writeFile(`${chunk}.0123456789abcdef.tmp`, payload(9, 9));

    const reader = await CrashSafeFileStorageAdapter.create(directory.path, {
      logger: silentLogger,
      readOnly: true,
    });
    expect(await reader.load([DOC, "snapshot", "s1"])).toStrictEqual(payload(1, 2, 3));
    expect(await listFiles(directory.path)).toContain(
      join(DOC_DIRECTORY, "snapshot", "s1.chunk.0123456789abcdef.tmp"),
    );
    await expect(reader.save([DOC, "x"], payload(1))).rejects.toThrow("opened read-only");
    await expect(reader.removeRange([DOC])).rejects.toThrow("opened read-only");
    expect(await owner.load([DOC, "snapshot", "s1"])).toStrictEqual(payload(1, 2, 3));
  });

  it("creates the base directory when it does not exist", async () => {
    const nested = join(directory.path, "a", "b");
    const adapter = await CrashSafeFileStorageAdapter.create(nested, { logger: silentLogger });
    await adapter.save(["k"], payload(1));
    expect(await listFiles(nested)).toStrictEqual([join("k", "k.chunk")]);
  });
});

describe("CrashSafeFileStorageAdapter torn chunks", () => {
  const tears: Record<string, { damage: (path: string) => Promise<void>; reason: RegExp }> = {
    "a truncated file": {
      damage: (path) => truncate(path, 30),
      reason: /declares a 16-byte payload but the file holds 6 bytes/,
    },
    "a flipped byte": {
      damage: async (path) => {
        const bytes = await readFile(path);
        bytes[bytes.length - 2] = (bytes[bytes.length - 2] ?? 0) ^ 0x01;
        await writeFile(path, bytes);
      },
      reason: /checksum mismatch/,
    },
    garbage: {
      damage: (path) => writeFile(path, "this is not a chunk file at all"),
      reason: /bad magic/,
    },
    "an empty file": { damage: (path) => writeFile(path, ""), reason: /file is 0 bytes/ },
  };

  for (const [name, { damage, reason }] of Object.entries(tears)) {
    for (const via of ["load", "loadRange"] as const) {
      it(`skips, logs and quarantines ${name} (via ${via})`, async () => {
        const { logger, records } = makeRecordingLogger();
        const adapter = await open(logger);
        const good = [DOC, "incremental", "good"];
        const torn = [DOC, "incremental", "torn"];
        await adapter.save(good, payload(1, 2));
        await adapter.save(torn, payload(...Array.from({ length: 16 }, (_, i) => i)));
        const tornPath = chunkFilePath(directory.path, torn);
        await damage(tornPath);
        const damaged = await readFile(tornPath);

        const goodOnly = [{ key: good, data: payload(1, 2) }];
        if (via === "load") expect(await adapter.load(torn)).toBeUndefined();
        if (via === "loadRange") expect(await adapter.loadRange([DOC])).toStrictEqual(goodOnly);

        const errors = records.filter((record) => record.level === ERROR_LEVEL);
        expect(errors).toHaveLength(1);
        expect(errors[0]?.msg).toContain(tornPath);
        expect(errors[0]?.reason).toMatch(reason);
        const quarantined = await readdir(join(directory.path, "quarantine"));
        expect(quarantined).toHaveLength(1);
        expect(quarantined[0]).toMatch(/^\d+-[0-9a-f]{8}-/);
        expect(quarantined[0]?.replace(/^\d+-[0-9a-f]{8}-/, "")).toBe(
          `3v+${DOC_NAME}+incremental+torn.chunk`,
        );
        expect(errors[0]?.movedTo).toBe(join(directory.path, "quarantine", quarantined[0] ?? ""));
        // Moved byte for byte, never deleted, and gone from where loads look.
        expect(
          await readFile(join(directory.path, "quarantine", quarantined[0] ?? "")),
        ).toStrictEqual(damaged);
        expect(await adapter.load(torn)).toBeUndefined();
        expect(await adapter.loadRange([])).toStrictEqual(goodOnly);
      });
    }
  }

  it("refuses a file of an unknown format version instead of quarantining it", async () => {
    const adapter = await open();
    await adapter.save(["k"], payload(1));
    const path = chunkFilePath(directory.path, ["k"]);
    const bytes = await readFile(path);
    bytes.writeUInt32BE(2, 4);
    bytes.writeUInt32BE(crc32(bytes.subarray(24), crc32(bytes.subarray(4, 20))), 20);
    await writeFile(path, bytes);
    await expect(adapter.load(["k"])).rejects.toBeInstanceOf(UnsupportedChunkFormatVersion);
    expect(await readdir(join(directory.path, "quarantine"))).toStrictEqual([]);
  });
});

describe("CrashSafeFileStorageAdapter keys and ranges", () => {
  it("never returns temp files, quarantined files or foreign files from loadRange", async () => {
    const adapter = await open();
    await adapter.save([DOC, "snapshot", "s"], payload(1));
    const chunk = chunkFilePath(directory.path, [DOC, "snapshot", "s"]);
    await writeFile(`${chunk}.00000000deadbeef.tmp`, payload(2)); // a save in flight
    await writeFile(join(directory.path, "quarantine", "1-00000000-x.chunk"), payload(3));
    await writeFile(join(directory.path, "README.chunk"), payload(4));
    await mkdir(join(directory.path, "3v", "notes"));
    await writeFile(join(directory.path, "3v", "notes", "x.txt"), payload(5));

    const everything = [{ key: [DOC, "snapshot", "s"], data: payload(1) }];
    expect(await adapter.loadRange([])).toStrictEqual(everything);
    expect(await adapter.loadRange([DOC])).toStrictEqual(everything);
    expect(await adapter.loadRange(["quarantine"])).toStrictEqual([]);
  });

  it("returns exactly the keys starting with the prefix, component by component", async () => {
    const adapter = await open();
    const keys = [["a"], ["a", "b"], ["a", "b", "c"], ["ab"], ["a", "bc"], ["b"]];
    for (const [index, key] of keys.entries()) await adapter.save(key, payload(index));
    const keysOf = async (prefix: string[]) =>
      (await adapter.loadRange(prefix)).map((chunk) => chunk.key);
    expect(await keysOf([])).toStrictEqual(keys);
    expect(await keysOf(["a"])).toStrictEqual([["a"], ["a", "b"], ["a", "b", "c"], ["a", "bc"]]);
    expect(await keysOf(["a", "b"])).toStrictEqual([
      ["a", "b"],
      ["a", "b", "c"],
    ]);
    expect(await keysOf(["a", "b", "c", "d"])).toStrictEqual([]);
    await adapter.removeRange(["a", "b"]);
    expect(await keysOf([])).toStrictEqual([["a"], ["ab"], ["a", "bc"], ["b"]]);
  });

  it("round-trips keys with separators, dot names, empty strings and Unicode", async () => {
    const base = join(directory.path, "base");
    const adapter = await CrashSafeFileStorageAdapter.create(base, { logger: silentLogger });
    const odd = ["a/b", "..", ".", "", "../../etc/passwd", "Ünïcödé 🚀", "C:\\x", "%2E", "~"];
    const keys = odd.map((component, index) => [component, `${index}`, component]);
    for (const [index, key] of keys.entries()) await adapter.save(key, payload(index));
    for (const [index, key] of keys.entries()) {
      expect(await adapter.load(key)).toStrictEqual(payload(index));
    }
    expect((await adapter.loadRange([])).map((chunk) => chunk.key)).toStrictEqual(keys);
    // Nothing escaped the base directory.
    expect(await readdir(directory.path)).toStrictEqual(["base"]);
    expect(await listFiles(base)).toHaveLength(keys.length);
  });

  it("round-trips arbitrary keys (property)", async () => {
    const adapter = await open();
    const key = fc.array(fc.string({ unit: "grapheme", maxLength: 12 }), {
      minLength: 1,
      maxLength: 4,
    });
    await fc.assert(
      fc.asyncProperty(key, fc.uint8Array({ maxLength: 64 }), async (storageKey, data) => {
        await adapter.save(storageKey, data);
        expect(await adapter.load(storageKey)).toStrictEqual(data);
        const range = await adapter.loadRange(storageKey);
        expect(
          range.find((chunk) => chunk.key.join("\0") === storageKey.join("\0"))?.data,
        ).toStrictEqual(data);
        await adapter.remove(storageKey);
        expect(await adapter.load(storageKey)).toBeUndefined();
      }),
      { numRuns: 40 },
    );
  });

  it("removes the directories a removed document leaves empty", async () => {
    const adapter = await open();
    await adapter.save([DOC, "snapshot", "s"], payload(1));
    await adapter.save([DOC, "incremental", "i"], payload(2));
    await adapter.save(["other", "snapshot", "s"], payload(3));
    await adapter.remove([DOC, "incremental", "i"]);
    await adapter.removeRange([DOC]);
    expect(await readdir(directory.path)).toStrictEqual(["ot", "quarantine"]);
  });

  it("says whether anything is stored under a prefix, and how many bytes, without loading", async () => {
    const adapter = await open();
    expect(await adapter.hasAnyUnder([DOC])).toBe(false);
    expect(await adapter.storedBytesUnder([DOC])).toBe(0);
    await adapter.save([DOC, "snapshot", "s"], new Uint8Array(1000));
    await adapter.save([DOC, "incremental", "i"], new Uint8Array(500));
    await adapter.save(["other"], new Uint8Array(300));
    expect(await adapter.hasAnyUnder([DOC])).toBe(true);
    expect(await adapter.hasAnyUnder(["other"])).toBe(true);
    const snapshot = await adapter.storedBytesOf([DOC, "snapshot", "s"]);
    // Each file is its payload and the header carrying its length and CRC.
    expect(snapshot).toBeGreaterThan(1000);
    expect(await adapter.storedBytesUnder([DOC])).toBe(
      snapshot + (await adapter.storedBytesOf([DOC, "incremental", "i"])),
    );
    await adapter.removeRange([DOC]);
    expect(await adapter.hasAnyUnder([DOC])).toBe(false);
    expect(await adapter.storedBytesOf([DOC, "snapshot", "s"])).toBe(0);
  });
});

describe("CrashSafeFileStorageAdapter concurrency", () => {
  it("keeps one intact value when saving the same key concurrently; the last call wins", async () => {
    const adapter = await open();
    const key = [DOC, "snapshot", "same"];
    await Promise.all(Array.from({ length: 20 }, (_, i) => adapter.save(key, payload(i, i, i))));
    expect(await adapter.load(key)).toStrictEqual(payload(19, 19, 19));
    expect(await listFiles(directory.path)).toStrictEqual([
      join(DOC_DIRECTORY, "snapshot", "same.chunk"),
    ]);
  });

  it("does not throw when saves, removes and loads of one key race", async () => {
    const adapter = await open();
    const key = [DOC, "incremental", "racy"];
    const operations = Array.from({ length: 30 }, (_, i) =>
      i % 3 === 0
        ? adapter.save(key, payload(i))
        : i % 3 === 1
          ? adapter.remove(key)
          : adapter.load(key),
    );
    await Promise.all(operations);
    await Promise.all([adapter.removeRange([DOC]), adapter.save([DOC, "x"], payload(1))]);
    expect(await adapter.load([DOC, "x"])).toStrictEqual(payload(1));
    expect((await listFiles(directory.path)).filter((file) => file.endsWith(".tmp"))).toStrictEqual(
      [],
    );
  });
});

describe("CrashSafeFileStorageAdapter errors", () => {
  it("says which chunk could not be saved, with the cause attached", async () => {
    const adapter = await open();
    await writeFile(join(directory.path, "3v"), "a file where the shard directory should be");
    const saving = adapter.save([DOC, "snapshot", "s"], payload(1));
    await expect(saving).rejects.toThrow(
      `saving chunk ${chunkFilePath(directory.path, [DOC, "snapshot", "s"])}`,
    );
    await expect(saving).rejects.toHaveProperty("cause.code", "ENOTDIR");
  });
});
