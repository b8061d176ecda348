import { UsageError } from "@outpost/shared-model";

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `30m`, `24h`, `7d`, `90s` (or plain seconds) as milliseconds, for `--ttl`. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (match === null) {
    throw new UsageError(
      `${flag}: expected a duration such as 30m, 24h or 7d, received ${JSON.stringify(text)}`,
    );
  }
  return Number(match[1]) * (UNIT_MS[match[2] || "s"] ?? 1_000);
}
