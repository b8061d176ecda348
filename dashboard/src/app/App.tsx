import { createSignal, type JSX, Show } from "solid-js";
import { SignIn } from "../session/SignIn.js";
import { loadSession, type Session, saveSession } from "../session/session.js";
import { ReplicaProvider } from "./replica-context.js";
import { Shell } from "./Shell.js";

/** The app: sign-in until there is a session, then the signed-in admin's replica and pages. */
export function App(): JSX.Element {
  const [session, setSession] = createSignal<Session | undefined>(loadSession());
  const signedIn = (next: Session) => {
    saveSession(next);
    setSession(next);
  };
  return (
    <Show when={session()} keyed fallback={<SignIn onSignedIn={signedIn} />}>
      {(current) => (
        <ReplicaProvider session={current}>
          <Shell onSignedOut={() => setSession(undefined)} />
        </ReplicaProvider>
      )}
    </Show>
  );
}
