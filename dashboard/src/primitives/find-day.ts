import type { AutomergeUrl, DocHandle, Repo } from "@automerge/automerge-repo/slim";
import type { TelemetryDayDoc } from "@outpost/shared-model";

/**
 * A device's telemetry index named a day document that is not that device's telemetry of that
 * day. A device writes its own index, so it could point at another device's day (or another of
 * its own days) and have the dashboard show that data as its own; the dashboard refuses it.
 */
export class ForeignDayDocument extends Error {
  override name = "ForeignDayDocument";
}

/**
 * The day document `url` that the telemetry index of `deviceId` lists for `day`, once it is here
 * (from this browser or the relay) and holds that device's telemetry of that day.
 *
 * @throws ForeignDayDocument when the document holds another device's or another day's telemetry.
 * @throws whatever `repo.find` throws for a document neither this browser nor the relay has.
 */
export async function findDayOf(
  repo: Pick<Repo, "find">,
  deviceId: string,
  day: string,
  url: string,
): Promise<DocHandle<TelemetryDayDoc>> {
  const handle = await repo.find<TelemetryDayDoc>(url as AutomergeUrl);
  const doc = handle.doc();
  if (doc.deviceId !== deviceId || doc.day !== day) {
    throw new ForeignDayDocument(
      `the telemetry index of ${deviceId} lists ${url} for ${day}, but that document holds ` +
        `the telemetry of ${String(doc.deviceId)} for ${String(doc.day)}: not shown`,
    );
  }
  return handle;
}
