import type { AutomergeUrl, Repo } from "@automerge/automerge-repo/slim";
import { type ValidCommandArchive, validateCommandArchiveDoc } from "@outpost/shared-model";

/** A validated archive, with the problems of the records left out. */
export type CommandArchive = ValidCommandArchive & { problems: string[] };

/**
 * A device's archive index named a document that is not that device's archive of that month (a
 * device writes its own index, so it could point at another device's archive); refused.
 */
export class ForeignArchiveDocument extends Error {
  override name = "ForeignArchiveDocument";
}

/**
 * The archive of finished commands `url` that the DeviceDoc of `deviceId` lists for `month`,
 * validated: records that are not sound are left out (each problem is in `problems`).
 *
 * @throws ForeignArchiveDocument when it is another device's or another month's archive, or not
 *   an archive at all.
 * @throws whatever `repo.find` throws for a document neither this browser nor the relay has.
 */
export async function findArchiveOf(
  repo: Pick<Repo, "find">,
  deviceId: string,
  month: string,
  url: string,
): Promise<CommandArchive> {
  const handle = await repo.find(url as AutomergeUrl);
  const { value, problems } = validateCommandArchiveDoc(handle.doc());
  if (value === null || value.deviceId !== deviceId || value.month !== month) {
    const what =
      value === null
        ? `no command archive (${problems.map((problem) => problem.message).join("; ")})`
        : `the archive of ${value.deviceId} for ${value.month}`;
    throw new ForeignArchiveDocument(
      `the DeviceDoc of ${deviceId} lists ${url} as its archive of ${month}, but that document is ${what}: not shown`,
    );
  }
  return { ...value, problems: problems.map((problem) => problem.message) };
}
