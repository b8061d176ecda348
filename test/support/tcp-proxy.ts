import { createServer, type Server, type Socket } from "node:net";
import { freePort } from "@outpost/shared-model/testing";

/**
 * A TCP forwarder on a loopback port to the relay, for one party's partition: `cut()` drops its
 * connections and refuses new ones (the network is gone, for that party only); `restore()`
 * listens again on the same port. HTTP and websockets pass through untouched.
 */
export class TcpProxy {
  readonly #targetPort: number;
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  readonly port: number;

  private constructor(port: number, targetPort: number) {
    this.port = port;
    this.#targetPort = targetPort;
  }

  /** A proxy listening now, forwarding to `targetPort` on 127.0.0.1. */
  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), targetPort);
    await proxy.restore();
    return proxy;
  }

  /** `http://127.0.0.1:<port>`: what the party behind this proxy uses as the relay's address. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens again (after {@link cut}). */
  async restore(): Promise<void> {
    if (this.#server) return;
    const server = createServer((client) => {
      const upstream = new (client.constructor as typeof Socket)();
      this.#sockets.add(client);
      this.#sockets.add(upstream);
      const forget = () => {
        this.#sockets.delete(client);
        this.#sockets.delete(upstream);
        client.destroy();
        upstream.destroy();
      };
      client.on("error", forget).on("close", forget);
      upstream.on("error", forget).on("close", forget);
      upstream.connect(this.#targetPort, "127.0.0.1", () => {
        client.pipe(upstream);
        upstream.pipe(client);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.#server = server;
  }

  /** Drops every connection through it and refuses new ones until {@link restore}. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
