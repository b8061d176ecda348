import { type Accessor, createSignal, onCleanup } from "solid-js";

/**
 * What the app shows, from the URL's hash: `#/` the fleet, `#/device/<id>` one device, `#/keys`
 * the admin keys.
 */
export type Route = { page: "fleet" } | { page: "device"; deviceId: string } | { page: "keys" };

/** The route a hash names; anything unknown, a badly encoded ID too, is the fleet. */
export function parseRoute(hash: string): Route {
  if (/^#\/keys(?:[/?#]|$)/.test(hash)) return { page: "keys" };
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
  if (route.page === "keys") return "#/keys";
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
