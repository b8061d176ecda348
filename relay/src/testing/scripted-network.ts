import { type Message, NetworkAdapter, type PeerId } from "@automerge/automerge-repo";

/**
 * A network adapter a test speaks through, as peers on the other end would: what the repo sends
 * is kept in `sent`, and the test delivers messages with `emit("message", …)`.
 */
export class ScriptedNetwork extends NetworkAdapter {
  readonly sent: Message[] = [];
  isReady(): boolean {
    return true;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  connect(peerId: PeerId): void {
    this.peerId = peerId;
  }
  send(message: Message): void {
    this.sent.push(message);
  }
  disconnect(): void {}
}
