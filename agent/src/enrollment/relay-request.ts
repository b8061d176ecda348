import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

/** What the relay answered: its status and the body's text (at most 64 KiB of it). */
export interface RelayAnswer {
  status: number;
  text: string;
}

/**
 * One HTTP request to the relay with `node:http(s)`. Not `fetch`: loading undici for the few
 * requests an agent makes made its resident memory jump by about 25 MB, its peak for the whole run.
 * Rejects with the system's error (`ECONNREFUSED`, `ETIMEDOUT`) when there is no answer.
 */
export function requestRelay(
  url: URL,
  options: { method: "GET" | "POST"; headers?: Record<string, string>; body?: string },
): Promise<RelayAnswer> {
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  const body = options.body;
  const headers =
    body === undefined
      ? options.headers
      : {
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          ...options.headers,
        };
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: options.method, headers, timeout: 30_000 },
      (incoming) => {
        let text = "";
        incoming.setEncoding("utf8");
        incoming.on("data", (chunk: string) => {
          // The relay's answers to an agent are a few hundred bytes; never hold an unbounded body.
          if (text.length < 64 * 1024) text += chunk;
        });
        incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, text }));
        incoming.on("error", reject);
      },
    );
    outgoing.on("timeout", () =>
      outgoing.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })),
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}
