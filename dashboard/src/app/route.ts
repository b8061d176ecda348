import { type Accessor, createSignal, onCleanup } from "solid-js";

/** What the app shows, from the URL's hash: `#/` the fleet, `#/device/<id>` one device. */
export type Route = { page: "fleet" } | { page: "device"; deviceId: string };

/** The route a hash names; anything unknown is the fleet. */
export function parseRoute(hash: string): Route {
  const match = /^#\/device\/([^/?#]+)/.exec(hash);
  return match?.[1]
    ? { page: "device", deviceId: decodeURIComponent(match[1]) }
    : { page: "fleet" };
}

/** The hash of a route, for links. */
export function hrefOf(route: Route): string {
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
