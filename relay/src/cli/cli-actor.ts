import { userInfo } from "node:os";

/** Who did something from the relay's CLI, as the journal records it: `cli:<login name>`. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    // No passwd entry for this UID (a container, say): the UID says as much.
    return `cli:uid-${process.getuid?.() ?? "unknown"}`;
  }
}
