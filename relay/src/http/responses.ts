import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { RelayErrorBody } from "@outpost/shared-model";

/** Sends a JSON body with `status` (and any extra headers). */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  response.end(text);
}

/** Sends an error body that says what was wrong. */
export function sendError(response: ServerResponse, status: number, body: RelayErrorBody): void {
  sendJson(response, status, body);
}

/**
 * Refuses a websocket upgrade with a plain HTTP answer, before any websocket exists, so the client
 * sees the status (401, 404, 429) and the reason in the body.
 */
export function refuseUpgrade(
  socket: Duplex,
  status: number,
  statusText: string,
  error: string,
): void {
  const body = JSON.stringify({ error } satisfies RelayErrorBody);
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Thrown by {@link readJsonBody}: the status and message to answer with. */
export class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "BodyError";
  }
}

/** Reads a JSON request body of at most `limitBytes`. */
export async function readJsonBody(request: IncomingMessage, limitBytes: number): Promise<unknown> {
  const type = request.headers["content-type"] ?? "";
  if (!type.startsWith("application/json"))
    throw new BodyError(415, "expected content-type application/json");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > limitBytes) throw new BodyError(413, `request body larger than ${limitBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new BodyError(400, "request body is not valid JSON");
  }
}
