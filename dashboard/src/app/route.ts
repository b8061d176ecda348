import { type Accessor, createSignal, onCleanup } from "solid-js";

/**
 * What the app shows, from the URL's hash: `#/` the fleet, `#/device/<id>` one device, `#/keys`
 * the admin keys, `#/enrollment` re-enrollment requests, enrollment tokens and adding a device.
 */
export type Route =
  | { page: "fleet" }
  | { page: "device"; deviceId: string }
  | { page: "keys" }
  | { page: "enrollment" };

/** Pages with no parameter, by the hash segment that names them. */
const PLAIN_PAGES = ["keys", "enrollment"] as const;

/** The route a hash names; anything unknown, a badly encoded ID too, is the fleet. */
export function parseRoute(hash: string): Route {
  for (const page of PLAIN_PAGES) {
    if (new RegExp(`^#/${page}(?:[/?#]|$)`).test(hash)) return { page };
  }
  const match = /^#\/device\/([^/?#]+)/.exec(hash);
  if (!match?.[1]) return { page: "fleet" };
  try {
    return { page: "device", deviceId: decodeURIComponent(match[1]) };
  } catch {
    // A hand-typed `%` that starts no escape: decodeURIComponent throws URIError.
    return { page: "fleet" };
  }
}

/** The hash of a route, for links. */
export function hrefOf(route: Route): string {
  if (route.page === "keys" || route.page === "enrollment") return `#/${route.page}`;
  return route.page === "device" ? `#/device/${encodeURIComponent(route.deviceId)}` : "#/";
}

/**
 * The current route, following the location hash (links, back and forward). A hash router is
 * enough here and works from any path the relay serves the app at, offline too.
 */
export function createRoute(): Accessor<Route> {
  const [route, setRoute] = createSignal(parseRoute(location.hash));
  const onHashChange = () => setRoute(parseRoute(location.hash));
  window.addEventListener("hashchange", onHashChange);
  onCleanup(() => window.removeEventListener("hashchange", onHashChange));
  return route;
}
