import { createContext, type JSX, onCleanup, useContext } from "solid-js";
import type { Session } from "../session/session.js";
import { openReplica, type Replica } from "../sync/replica.js";

const ReplicaContext = createContext<Replica>();

/** Opens the signed-in admin's replica for its children and closes it with them. */
export function ReplicaProvider(props: { session: Session; children: JSX.Element }): JSX.Element {
  // The session never changes under a mounted provider (sign-in remounts it).
  const replica = openReplica(props.session);
  onCleanup(() => void replica.close());
  return <ProvideReplica replica={replica}>{props.children}</ProvideReplica>;
}

/** Gives its children a replica opened elsewhere (component tests give one without network). */
export function ProvideReplica(props: { replica: Replica; children: JSX.Element }): JSX.Element {
  return <ReplicaContext.Provider value={props.replica}>{props.children}</ReplicaContext.Provider>;
}

/** The replica of the nearest {@link ReplicaProvider}. */
export function useReplica(): Replica {
  const replica = useContext(ReplicaContext);
  if (replica === undefined) {
    throw new Error(
      "useReplica: no ReplicaProvider above this component (is the admin signed in?)",
    );
  }
  return replica;
}
