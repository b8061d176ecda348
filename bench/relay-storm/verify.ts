import * as A from "@automerge/automerge";
import type { DocumentId } from "@automerge/automerge-repo";
import { stringifyAutomergeUrl } from "@automerge/automerge-repo";
import { messageOf } from "@outpost/shared-model";
import type { ServerAddress } from "./messages.js";
import { makeCheckerRepo } from "./sync-probe.js";

const FIND_TIMEOUT_MS = 60_000;

/**
 * The checker: a separate client that asks a server for documents and compares their heads with
 * the agents'. Run against a server restarted on the data folder of a killed one, it proves the
 * completion the benchmark timed was real: what was reported stored is on disk. A document may
 * hold more than the agent had then (the steady state's later samples); it must hold all of it.
 *
 * @throws Error listing every document that is missing or older than the agent's.
 */
export async function verifyStored(
  address: ServerAddress,
  expected: ReadonlyMap<string, readonly string[]>,
): Promise<void> {
  const repo = makeCheckerRepo(address, "checker");
  const problems: string[] = [];
  try {
    for (const [documentId, heads] of expected) {
      const url = stringifyAutomergeUrl({ documentId: documentId as DocumentId });
      try {
        const handle = await repo.find(url, { signal: AbortSignal.timeout(FIND_TIMEOUT_MS) });
        const stored = A.getHeads(handle.doc() as A.Doc<unknown>);
        if (!A.hasHeads(handle.doc() as A.Doc<unknown>, heads as A.Heads)) {
          problems.push(
            `${documentId}: holds heads ${stored.join(",")}, the agent ${heads.join(",")}`,
          );
        }
      } catch (error) {
        problems.push(`${documentId}: ${messageOf(error)}`);
      }
    }
  } finally {
    await repo.shutdown();
  }
  if (problems.length > 0) {
    throw new Error(
      `after a restart, the server lacks ${problems.length} of ${expected.size} documents it reported stored:\n  ${problems.join("\n  ")}`,
    );
  }
}
