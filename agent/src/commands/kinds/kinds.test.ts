import { createHash } from "node:crypto";
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cleanupAfterEach } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { ALL_KINDS } from "./all.js";
import { inventoryCollectKind } from "./inventory-collect/inventory-collect.js";
import { scriptRunKind } from "./script-run/script-run.js";
import { serviceRestartKind } from "./service-restart/service-restart.js";
import { shellRunKind } from "./shell-run/shell-run.js";
import { systemRebootKind } from "./system-reboot/system-reboot.js";
import { FakeSystem, fakeKindContext, runCommandKindContract } from "./testing/kind-contract.js";

const cleanup = cleanupAfterEach();
const never = new AbortController().signal;

for (const kind of ALL_KINDS) {
  describe(`${kind.name} contract`, () => runCommandKindContract(kind, () => fakeKindContext()));
}

describe("script.run", () => {
  async function scripts() {
    const folder = await cleanup.tempFolder("scripts");
    const body = '#!/bin/sh\necho "hello $1"\n';
    await writeFile(join(folder, "hello.sh"), body);
    await chmod(join(folder, "hello.sh"), 0o755);
    const sha256 = createHash("sha256").update(body).digest("hex");
    return {
      folder: folder,
      sha256,
      context: fakeKindContext({ scriptsFolder: folder }),
    };
  }

  it("runs a script whose sha256 matches, at low priority, with its arguments", async () => {
    const { sha256, context } = await scripts();
    const args = { name: "hello.sh", sha256, args: ["fleet"] };
    expect(await scriptRunKind.validate(args, context)).toBeUndefined();
    expect(await scriptRunKind.run(args, context, never)).toMatchObject({
      exitCode: 0,
      stdout: "hello fleet\n",
    });
  });

  it("refuses another hash, a missing script and a name that leaves the folder", async () => {
    const { sha256, context, folder } = await scripts();
    const wrong = "0".repeat(64);
    expect(await scriptRunKind.validate({ name: "hello.sh", sha256: wrong }, context)).toBe(
      `script hello.sh has sha256 ${sha256}, not the ${wrong} the command names`,
    );
    expect(await scriptRunKind.validate({ name: "gone.sh", sha256 }, context)).toBe(
      `no script gone.sh in ${folder}`,
    );
    expect(await scriptRunKind.validate({ name: "../hello.sh", sha256 }, context)).toMatch(
      /^args\.name: /,
    );
  });

  it("checks the hash again when it runs: a script changed after validation does not run", async () => {
    const { sha256, context, folder } = await scripts();
    const args = { name: "hello.sh", sha256 };
    expect(await scriptRunKind.validate(args, context)).toBeUndefined();
    await writeFile(join(folder, "hello.sh"), "#!/bin/sh\necho tampered\n");
    const outcome = await scriptRunKind.run(args, context, never);
    expect(outcome).toMatchObject({ exitCode: null, error: expect.stringContaining("has sha256") });
    expect(outcome.stdout).toBeUndefined();
  });
});

describe("shell.run", () => {
  it("is refused unless the device policy allows it", async () => {
    const closed = fakeKindContext();
    expect(await shellRunKind.validate({ command: "echo hi" }, closed)).toBe(
      "shell.run is not allowed on this device (its policy has allowShell off)",
    );
    expect((await shellRunKind.run({ command: "echo hi" }, closed, never)).stdout).toBeUndefined();
    const open = fakeKindContext({ policy: { allowShell: true } });
    expect(await shellRunKind.validate({ command: "echo hi" }, open)).toBeUndefined();
    expect(await shellRunKind.run({ command: "echo hi" }, open, never)).toMatchObject({
      exitCode: 0,
      stdout: "hi\n",
    });
  });

  it("stops when cancelled (it is interruptible)", async () => {
    const controller = new AbortController();
    const running = shellRunKind.run(
      { command: "sleep 30" },
      fakeKindContext({ policy: { allowShell: true } }),
      controller.signal,
    );
    setTimeout(() => controller.abort(), 100);
    expect(await running).toMatchObject({ error: "cancelled" });
  });
});

describe("service.restart and system.reboot", () => {
  it("go through the system facade (a fake here: nothing restarts or reboots this machine)", async () => {
    const system = new FakeSystem();
    const context = fakeKindContext({ system });
    expect(await serviceRestartKind.validate({ name: "cups.service; reboot" }, context)).toMatch(
      /^args\.name: /,
    );
    expect(await serviceRestartKind.run({ name: "cups.service" }, context, never)).toMatchObject({
      exitCode: 0,
    });
    expect(await systemRebootKind.run({}, context, never)).toMatchObject({ exitCode: 0 });
    expect(system.calls).toEqual(["restart cups.service", "reboot"]);
    expect(systemRebootKind.defaults).toMatchObject({ disruptive: true, idempotent: false });
  });
});

describe("inventory.collect", () => {
  it("refreshes the inventory and says whether it changed", async () => {
    const context = fakeKindContext({ refreshInventory: async () => ({ changed: true }) });
    expect(await inventoryCollectKind.run({}, context, never)).toMatchObject({
      exitCode: 0,
      stdout: "inventory changed; recorded",
    });
  });
});
