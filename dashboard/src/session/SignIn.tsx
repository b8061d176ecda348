import { createSignal, type JSX, onMount, Show } from "solid-js";
import { type Session, SignInError, signIn } from "./session.js";

/** Sign-in: the relay's address (this page's origin by default) and an admin token. */
export function SignIn(props: { onSignedIn: (session: Session) => void }): JSX.Element {
  const params = new URLSearchParams(location.search);
  const [relayUrl, setRelayUrl] = createSignal(params.get("relay") ?? location.origin);
  const [token, setToken] = createSignal(params.get("token") ?? "");
  const [error, setError] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const session = await signIn(relayUrl(), token());
      // A one-click link carries the token in its query: keep it out of the address bar.
      history.replaceState(null, "", location.pathname + location.hash);
      props.onSignedIn(session);
    } catch (failure) {
      setError(failure instanceof SignInError ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  // A one-click link (`/?token=…`, as `npm start` prints it) signs in without a click.
  let form: HTMLFormElement | undefined;
  onMount(() => {
    if (params.has("token")) form?.requestSubmit();
  });

  return (
    <main class="sign-in">
      <h1>Outpost</h1>
      <p class="muted">
        Local-first IT service management. Sign in once; after that the dashboard opens offline too.
      </p>
      <form ref={form} onSubmit={(event) => void submit(event)} aria-describedby="sign-in-error">
        <label for="relay-url">Relay</label>
        <input
          id="relay-url"
          name="relay"
          type="url"
          autocomplete="url"
          required
          value={relayUrl()}
          onInput={(event) => setRelayUrl(event.currentTarget.value)}
        />
        <label for="admin-token">Admin token</label>
        <input
          id="admin-token"
          name="token"
          type="password"
          autocomplete="current-password"
          required
          value={token()}
          onInput={(event) => setToken(event.currentTarget.value)}
        />
        <p class="hint">
          From <code>npm run relay -- admin add NAME</code> on the relay.
        </p>
        <button type="submit" disabled={busy()}>
          {busy() ? "Signing in…" : "Sign in"}
        </button>
        <Show when={error()}>
          <p id="sign-in-error" class="error" role="alert">
            {error()}
          </p>
        </Show>
      </form>
    </main>
  );
}
