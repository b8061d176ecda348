import { createSignal, type JSX, onCleanup, Show } from "solid-js";
import { SignIn } from "../session/SignIn.js";
import { loadSession, SESSION_STORAGE_KEY, type Session, saveSession } from "../session/session.js";
import { TrustProvider } from "../trust/trust-context.js";
import { ReplicaProvider } from "./replica-context.js";
import { Shell } from "./Shell.js";

/** The app: sign-in until there is a session, then the signed-in admin's replica and pages. */
export function App(): JSX.Element {
  const [session, setSession] = createSignal<Session | undefined>(loadSession());
  // Signing in or out in one tab does so in every tab: otherwise a tab left open would keep
  // the replica the sign-out is deleting.
  const onStorage = (event: StorageEvent) => {
    if (event.key === SESSION_STORAGE_KEY || event.key === null) setSession(loadSession());
  };
  window.addEventListener("storage", onStorage);
  onCleanup(() => window.removeEventListener("storage", onStorage));
  const signedIn = (next: Session) => {
    saveSession(next);
    setSession(next);
  };
  return (
    <Show when={session()} keyed fallback={<SignIn onSignedIn={signedIn} />}>
      {(current) => (
        <ReplicaProvider session={current}>
          <TrustProvider>
            <Shell onSignedOut={() => setSession(undefined)} />
          </TrustProvider>
        </ReplicaProvider>
      )}
    </Show>
  );
}
