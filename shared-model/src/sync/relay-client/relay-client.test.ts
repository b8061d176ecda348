/**
 * The relay client on a socket, timers, clock and retry schedule the test plays: each frame,
 * close and timer fires when the test says, so every step of a connection's life is checked.
 */
import type { Message, PeerId } from "@automerge/automerge-repo/slim";
import { describe, expect, it } from "vitest";
import { FakeWebSocket } from "../../testing/fake-web-socket.js";
import type { ConnectionState, RelayFailure } from "./connection-state.js";
import { RelayClient } from "./relay-client.js";
import type { StartTimer } from "./relay-client-options.js";
import type { SocketEnd } from "./relay-transport.js";

const ME = "admin:alice:tab1" as PeerId;
const RELAY = "relay:one" as PeerId;
const URL = "ws://relay.test/sync?token=t";
/** The wall clock the client reads for `retryAt`, apart from the timers' own time. */
const WALL = 1_800_000_000_000;

/** Timers on a clock that moves only when the test advances it. */
function manualTimers() {
  let now = 0;
  let pending: { at: number; callback: () => void }[] = [];
  const timer: StartTimer = (callback, ms) => {
    const entry = { at: now + ms, callback };
    pending.push(entry);
    return () => {
      pending = pending.filter((other) => other !== entry);
    };
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = pending.filter((entry) => entry.at <= until).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      pending = pending.filter((entry) => entry !== due);
      now = due.at;
      due.callback();
    }
    now = until;
  };
  return { timer, advance, pendingCount: () => pending.length };
}

/** A client whose sockets, diagnosis, delays, timers and log the test controls. */
function setUp(
  options: {
    diagnose?: (end: SocketEnd) => RelayFailure | Promise<RelayFailure>;
    delays?: number[];
    joinTimeoutMs?: number;
    open?: (url: string) => FakeWebSocket;
  } = {},
) {
  const sockets: FakeWebSocket[] = [];
  const ends: SocketEnd[] = [];
  const delays = [...(options.delays ?? [1_000, 2_000, 3_000, 4_000])];
  const schedule = { connectedCalls: 0, delaysDrawn: 0 };
  const warnings: { message: string; details?: Record<string, unknown> }[] = [];
  const timers = manualTimers();
  const client = new RelayClient<FakeWebSocket>(URL, {
    transport: {
      open(url) {
        const socket = options.open?.(url) ?? new FakeWebSocket(url);
        sockets.push(socket);
        return socket;
      },
      diagnose(_socket, end) {
        ends.push(end);
        return options.diagnose?.(end) ?? { kind: "offline", reason: `closed ${end.code}` };
      },
    },
    schedule: {
      connected: () => void schedule.connectedCalls++,
      nextDelayMs: () => {
        schedule.delaysDrawn++;
        return delays.shift() ?? 5_000;
      },
    },
    log: { warn: (message, details) => void warnings.push({ message, details }) },
    readyAnywayMs: 500,
    joinTimeoutMs: options.joinTimeoutMs,
    goodbye: "client stopping",
    now: () => WALL,
    timer: timers.timer,
  });
  const states: ConnectionState[] = [];
  client.onStateChange((state) => states.push(state));
  const events: { name: string; payload: unknown }[] = [];
  for (const name of ["peer-candidate", "peer-disconnected", "message"] as const) {
    client.on(name, (payload: unknown) => void events.push({ name, payload }));
  }
  const socket = (index = sockets.length - 1): FakeWebSocket => {
    const found = sockets[index];
    if (found === undefined) throw new Error(`no socket ${index}`);
    return found;
  };
  /** Connects and lets the relay accept and answer the join. */
  const join = () => {
    client.connect(ME, { isEphemeral: false });
    socket().accept();
    socket().receive({ type: "peer", senderId: RELAY, peerMetadata: { isEphemeral: false } });
  };
  return { client, sockets, socket, ends, schedule, warnings, timers, states, events, join };
}

const ephemeral = (senderId: string): Message =>
  ({
    type: "ephemeral",
    senderId,
    targetId: RELAY,
    documentId: "doc1",
    sessionId: "s",
    count: 1,
    data: new Uint8Array([1]),
  }) as unknown as Message;

describe("RelayClient", () => {
  it("opens one socket for binary frames, joins, and is connected once the relay answers", async () => {
    const { client, sockets, socket, schedule, states, events } = setUp();
    expect(client.state).toEqual({ kind: "stopped" });
    client.connect(ME, { isEphemeral: false });
    expect(states).toEqual([{ kind: "connecting" }]);
    expect(sockets).toHaveLength(1);
    expect(socket().url).toBe(URL);
    expect(socket().binaryType).toBe("arraybuffer");

    socket().accept();
    expect(socket().sent).toEqual([
      {
        type: "join",
        senderId: ME,
        peerMetadata: { isEphemeral: false },
        supportedProtocolVersions: ["1"],
      },
    ]);
    expect(client.isReady()).toBe(false);

    socket().receive({ type: "peer", senderId: RELAY, peerMetadata: { storageId: "s1" } });
    expect(client.state).toEqual({ kind: "connected", relayPeerId: RELAY });
    expect(events).toEqual([
      { name: "peer-candidate", payload: { peerId: RELAY, peerMetadata: { storageId: "s1" } } },
    ]);
    expect(schedule.connectedCalls).toBe(1);
    expect(client.isReady()).toBe(true);
    await client.whenReady();

    socket().receive({ type: "sync", senderId: RELAY, targetId: ME, documentId: "doc1" });
    expect(events[1]).toEqual({
      name: "message",
      payload: { type: "sync", senderId: RELAY, targetId: ME, documentId: "doc1" },
    });
  });

  it("tells the repo it is ready when the relay has not answered in time: offline is a state too", async () => {
    const { client, timers } = setUp();
    client.connect(ME);
    timers.advance(499);
    expect(client.isReady()).toBe(false);
    timers.advance(1);
    expect(client.isReady()).toBe(true);
    await client.whenReady();
    expect(client.state).toEqual({ kind: "connecting" });
  });

  it("is ready as soon as an attempt fails, before the ready-anyway timer", () => {
    const { client, socket } = setUp();
    client.connect(ME);
    socket().end(1006, "", { error: true });
    expect(client.isReady()).toBe(true);
  });

  it("reports a lost relay once, says why, and tries again when the schedule says", () => {
    const { client, socket, sockets, ends, schedule, states, events, timers, join } = setUp({
      delays: [1_000, 2_000],
    });
    join();
    socket().end(1001, "relay shutting down");
    expect(events.filter((event) => event.name === "peer-disconnected")).toEqual([
      { name: "peer-disconnected", payload: { peerId: RELAY } },
    ]);
    expect(ends).toEqual([{ code: 1001, reason: "relay shutting down", joined: true }]);
    expect(client.state).toEqual({ kind: "offline", reason: "closed 1001", retryAt: WALL + 1_000 });
    expect(schedule.delaysDrawn).toBe(1);

    // A close event again, or stopping, does not lose the relay a second time.
    socket().end(1006);
    timers.advance(999);
    expect(sockets).toHaveLength(1);
    timers.advance(1);
    expect(sockets).toHaveLength(2);
    expect(client.state).toEqual({ kind: "connecting" });

    // The next attempt never reaches the relay: not joined, and the next wait is the schedule's.
    socket().end(1006, "", { error: true });
    expect(ends[1]).toEqual({ code: 1006, reason: "", joined: false });
    expect(client.state).toEqual({ kind: "offline", reason: "closed 1006", retryAt: WALL + 2_000 });
    client.disconnect();
    expect(events.filter((event) => event.name === "peer-disconnected")).toHaveLength(1);
    expect(states.map((state) => state.kind)).toEqual([
      "connecting",
      "connected",
      "offline",
      "connecting",
      "offline",
      "stopped",
    ]);
  });

  it("says unauthorized when the transport's diagnosis does", () => {
    const { client, socket } = setUp({
      diagnose: () => ({ kind: "unauthorized", reason: "the relay refused the token" }),
    });
    client.connect(ME);
    socket().end(1006);
    expect(client.state).toEqual({
      kind: "unauthorized",
      reason: "the relay refused the token",
      retryAt: WALL + 1_000,
    });
  });

  it("tries at once on retryNow, instead of when the schedule said, and only when idle", () => {
    const { client, socket, sockets, timers } = setUp({ delays: [60_000] });
    client.connect(ME);
    client.retryNow(); // connecting: nothing to do
    expect(sockets).toHaveLength(1);
    socket().end(1006);
    client.retryNow();
    expect(sockets).toHaveLength(2);
    expect(client.state).toEqual({ kind: "connecting" });
    // The scheduled attempt was cancelled: no third socket when its time comes.
    timers.advance(60_000);
    expect(sockets).toHaveLength(2);
  });

  it("waits for a diagnosis that takes time, and drops it when another attempt began meanwhile", async () => {
    const answers: ((failure: RelayFailure) => void)[] = [];
    const { client, socket, sockets, timers } = setUp({
      diagnose: () => new Promise<RelayFailure>((resolve) => answers.push(resolve)),
    });
    client.connect(ME);
    timers.advance(500); // past the ready-anyway timer
    socket().end(1006);
    expect(client.state).toEqual({ kind: "connecting" });
    answers[0]?.({ kind: "unauthorized", reason: "the relay refused the token" });
    await Promise.resolve();
    await Promise.resolve();
    expect(client.state).toMatchObject({ kind: "unauthorized", retryAt: WALL + 1_000 });

    client.retryNow();
    socket().end(1006);
    client.retryNow(); // the browser came back online while the token was being checked
    expect(sockets).toHaveLength(3);
    answers[1]?.({ kind: "offline", reason: "cannot reach the relay" });
    await Promise.resolve();
    await Promise.resolve();
    expect(client.state).toEqual({ kind: "connecting" });

    // Stopped while the token was being checked: the answer schedules nothing.
    socket().end(1006);
    client.disconnect();
    answers[2]?.({ kind: "offline", reason: "cannot reach the relay" });
    await Promise.resolve();
    await Promise.resolve();
    expect(client.state).toEqual({ kind: "stopped" });
    expect(timers.pendingCount()).toBe(0);
  });

  it("counts a diagnosis that fails as offline, with its message", async () => {
    const { client, socket } = setUp({ diagnose: () => Promise.reject(new Error("no answer")) });
    client.connect(ME);
    socket().end(1006);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(client.state).toEqual({ kind: "offline", reason: "no answer", retryAt: WALL + 1_000 });
  });

  it("counts a socket that cannot even be made as offline, and retries", () => {
    let refuse = true;
    const { client, sockets, timers } = setUp({
      open: (url) => {
        if (refuse) throw new SyntaxError("The URL is invalid");
        return new FakeWebSocket(url);
      },
    });
    client.connect(ME);
    expect(client.state).toEqual({
      kind: "offline",
      reason: "The URL is invalid",
      retryAt: WALL + 1_000,
    });
    refuse = false;
    timers.advance(1_000);
    expect(sockets).toHaveLength(1);
    expect(client.state).toEqual({ kind: "connecting" });
  });

  it("sends the relay only its own ephemeral messages, never those it forwards for others", () => {
    const { client, socket, join } = setUp();
    let traffic = 0;
    client.onTraffic(() => traffic++);
    join();
    const received = traffic; // the relay's answer to the join
    client.send(ephemeral(ME));
    client.send(ephemeral("device:laptop-1:agent")); // a heartbeat the relay brought us
    client.send({ type: "sync", senderId: ME, targetId: RELAY, documentId: "doc1" } as Message);
    expect(socket().sent.map((frame) => [frame.type, frame.senderId])).toEqual([
      ["join", ME],
      ["ephemeral", ME],
      ["sync", ME],
    ]);
    expect(traffic - received).toBe(2);
  });

  it("drops what it is asked to send while not connected", () => {
    const { client, socket, timers } = setUp({ delays: [1_000] });
    const sync = { type: "sync", senderId: ME, targetId: RELAY, documentId: "d" } as Message;
    client.send(sync); // never connected
    client.connect(ME);
    client.send(sync); // connecting
    socket().accept();
    client.send(sync); // open, but the relay has not answered the join
    socket().receive({ type: "peer", senderId: RELAY });
    socket().readyState = 2; // closing
    client.send(sync);
    socket().end(1006);
    client.send(sync); // offline
    expect(socket().sent.map((frame) => frame.type)).toEqual(["join"]);
    timers.advance(1_000);
    client.send(sync); // connecting again
    expect(socket().sent).toEqual([]);
  });

  it("ignores a frame that is not a CBOR message and goes on with the next", () => {
    const { client, socket, warnings, events, join } = setUp();
    join();
    socket().receiveRaw("a text frame");
    socket().receiveRaw(new Uint8Array([0xff, 0xfe, 0x1c]).buffer);
    socket().receive(null);
    socket().receive(42);
    socket().receive({ type: "error", message: "message too large" });
    socket().receive({ type: "sync", senderId: RELAY, targetId: ME, documentId: "doc1" });
    expect(warnings).toEqual([
      { message: "the relay sent a frame that is not CBOR; ignored" },
      { message: "the relay sent a frame that is not CBOR; ignored" },
      { message: "the relay sent a frame that is not a message; ignored" },
      { message: "the relay sent a frame that is not a message; ignored" },
      {
        message: "the relay reported: message too large",
        details: { relayError: "message too large" },
      },
    ]);
    expect(events.map((event) => event.name)).toEqual(["peer-candidate", "message"]);
    expect(client.state).toEqual({ kind: "connected", relayPeerId: RELAY });
  });

  it("closes an attempt that has not joined within its time limit, and only that", () => {
    const { client, socket, timers } = setUp({ joinTimeoutMs: 15_000 });
    client.connect(ME);
    socket().accept();
    timers.advance(15_000);
    expect(socket().closeCalls).toEqual([{ code: undefined, reason: undefined }]);
    socket().end(1005);
    client.disconnect();

    const joined = setUp({ joinTimeoutMs: 15_000 });
    joined.join();
    joined.timers.advance(500); // the ready-anyway timer
    expect(joined.timers.pendingCount()).toBe(0); // a joined connection holds no time limit
    joined.timers.advance(60_000);
    expect(joined.socket().closeCalls).toEqual([]);
  });

  it("stops: closes the socket with its goodbye, loses the relay, and never tries again", () => {
    const { client, socket, sockets, timers, events, join } = setUp();
    join();
    client.disconnect();
    expect(socket().closeCalls).toEqual([{ code: 1000, reason: "client stopping" }]);
    expect(client.state).toEqual({ kind: "stopped" });
    expect(events.at(-1)).toEqual({ name: "peer-disconnected", payload: { peerId: RELAY } });
    socket().end(1000, "client stopping"); // the close that follows changes nothing
    expect(client.state).toEqual({ kind: "stopped" });
    timers.advance(3_600_000);
    client.retryNow();
    expect(sockets).toHaveLength(1);
    expect(timers.pendingCount()).toBe(0);
  });
});
