import type { NewRootKey } from "@outpost/shared-model";
import { testRoot } from "@outpost/shared-model/testing";
import type { TestFleet } from "./fleet.js";

/**
 * The root key of a test fleet's relay: an agent CLI pins the root its enrollment answer names,
 * and trusts the admins this root certifies. Relays get root keys with the relay's trust work
 * (`TestFleet.root`); on a fleet without one, this is a root of the test's own, which such an
 * agent never pins, so it refuses what those admins sign (`signer-unknown`). Once every fleet has
 * its root, `fleet.root` replaces this.
 */
export async function fleetRoot(fleet: TestFleet): Promise<NewRootKey> {
  return (fleet as TestFleet & { root?: NewRootKey }).root ?? (await testRoot());
}
