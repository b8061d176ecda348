/**
 * The dashboard's service worker: it keeps the app shell so that, after one visit, the app opens
 * with no network at all and shows what its own replica (IndexedDB) holds. Data never passes
 * through here: documents sync over the websocket, and the relay's HTTP API is never cached.
 */

/** The parts of the service-worker scope this file uses (the DOM lib has no worker types). */
interface WorkerScope {
  location: Location;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: "install" | "activate", listener: (event: WaitableEvent) => void): void;
  addEventListener(type: "fetch", listener: (event: FetchEvent) => void): void;
}
interface WaitableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}
interface FetchEvent extends WaitableEvent {
  request: Request;
  respondWith(response: Promise<Response>): void;
}

const scope = globalThis as unknown as WorkerScope;
/** Replaced at build time with `{ version, files }` (build/service-worker-plugin.ts). */
const PRECACHE = JSON.parse("__OUTPOST_PRECACHE__") as { version: string; files: string[] };
const CACHE = `outpost-shell-${PRECACHE.version}`;
const CACHE_PREFIX = "outpost-shell-";
/** The relay's own endpoints: always the network, never a cached answer. */
const NETWORK_ONLY = /^\/(v1\/|sync|healthz|metrics)/;
/** How long a page load waits for the network before it opens the cached app. */
const NAVIGATION_TIMEOUT_MS = 3_000;

scope.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(["./", ...PRECACHE.files.filter((file) => file !== "index.html")]);
      await scope.skipWaiting();
    })(),
  );
});

scope.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await scope.clients.claim();
    })(),
  );
});

scope.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== scope.location.origin) return;
  if (NETWORK_ONLY.test(url.pathname)) return;
  if (event.request.mode === "navigate") {
    event.respondWith(navigation(event.request));
    return;
  }
  event.respondWith(cacheFirst(event.request));
});

/** The page itself: the network when it answers soon (a new build), else the cached shell. */
async function navigation(request: Request): Promise<Response> {
  try {
    const response = await withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS);
    if (response.ok) return response;
  } catch {
    // offline, or the relay is down: the cached shell below
  }
  const cached = await caches.match("./", { cacheName: CACHE });
  return (
    cached ??
    new Response("Outpost is offline and this browser has not cached it yet.", {
      status: 503,
      headers: { "content-type": "text/plain; charset=utf-8" },
    })
  );
}

/** Hashed build files never change: the cache first, the network for anything not cached. */
async function cacheFirst(request: Request): Promise<Response> {
  const cached = await caches.match(request, { cacheName: CACHE });
  return cached ?? fetch(request);
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
