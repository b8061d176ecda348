import type { FleetTrust, TrustVerifier } from "@outpost/shared-model";
import {
  type Accessor,
  createContext,
  createSignal,
  type JSX,
  onCleanup,
  useContext,
} from "solid-js";
import { useReplica } from "../app/replica-context.js";
import { AdminKeyStore } from "../keys/admin-key-store.js";
import { type AdminKeysClient, makeAdminKeysClient } from "../keys/admin-keys-client.js";
import { browserLabel } from "../keys/browser-label.js";
import type { SigningState } from "../keys/signing-keys.js";
import { TrustSession } from "./trust-session.js";

/** What pages read of trust (reactive accessors) and what they may ask of it. */
export interface Trust {
  /** Where the admin's signing keys stand: what signs now, or why nothing does. */
  signing: Accessor<SigningState>;
  /** The fleet's verifier, once its root is known. */
  verifier: Accessor<TrustVerifier | undefined>;
  /** Changes whenever the verifier may have learnt a certificate or a revocation. */
  learnt: Accessor<number>;
  /** The fleet's root and TrustDoc as pinned at sign-in. */
  fleetTrust: Accessor<FleetTrust | undefined>;
  /** The relay's admin-key routes, as the signed-in admin. */
  client: AdminKeysClient;
  /** Makes a new key for this browser and registers it. */
  rotate(): Promise<void>;
  /** Asks the relay again where this browser's keys stand. */
  sync(): Promise<void>;
}

const TrustContext = createContext<Trust>();

/** The reactive view of a {@link TrustSession}; listeners go with the owner. */
export function createTrust(session: TrustSession): Trust {
  const [signing, setSigning] = createSignal(session.signing);
  const [learnt, setLearnt] = createSignal(0);
  const [verifier, setVerifier] = createSignal(session.verifier);
  const [fleetTrust, setFleetTrust] = createSignal(session.fleetTrust);
  onCleanup(
    session.onChange(() => {
      setSigning(session.signing);
      setVerifier(() => session.verifier);
      setFleetTrust(session.fleetTrust);
      setLearnt((count) => count + 1);
    }),
  );
  return {
    signing,
    verifier,
    learnt,
    fleetTrust,
    client: session.client,
    rotate: async () => session.keys?.rotate(),
    sync: async () => session.keys?.sync(),
  };
}

/** Opens trust for the signed-in admin of the nearest replica, and closes it with its children. */
export function TrustProvider(props: { children: JSX.Element }): JSX.Element {
  const replica = useReplica();
  const store = new AdminKeyStore();
  const session = new TrustSession({
    replica,
    client: makeAdminKeysClient(replica.session),
    store,
    label: browserLabel(),
  });
  const trust = createTrust(session);
  void session.start();
  onCleanup(() => {
    session.close();
    void store.close();
  });
  return <ProvideTrust trust={trust}>{props.children}</ProvideTrust>;
}

/** Gives its children a trust made elsewhere (component tests give one of their own). */
export function ProvideTrust(props: { trust: Trust; children: JSX.Element }): JSX.Element {
  return <TrustContext.Provider value={props.trust}>{props.children}</TrustContext.Provider>;
}

/** The trust of the nearest {@link TrustProvider}. */
export function useTrust(): Trust {
  const trust = useContext(TrustContext);
  if (trust === undefined) {
    throw new Error("useTrust: no TrustProvider above this component (is the admin signed in?)");
  }
  return trust;
}
