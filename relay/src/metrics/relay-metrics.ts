import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Why the relay refused something; every refusal is logged and counted under one of these. */
export type RejectionReason =
  | "missing-token"
  | "bad-token"
  | "too-many-connections"
  | "forged-sender"
  /** An ephemeral message relayed back under its original sender: dropped, the socket lives. */
  | "forwarded-ephemeral"
  | "join-timeout"
  | "malformed-frame"
  | "oversized-frame"
  | "disallowed-message"
  | "access-denied"
  | "document-limit"
  /** A sync message carrying one change with more ops than `max_change_ops`. */
  | "change-too-large"
  /** A sync message whose changes add up past `max_sync_message_ops` or decode past `max_sync_message_decoded_bytes`. */
  | "sync-message-too-large"
  /** A device's sync message that would take its document past `max_document_ops`. */
  | "document-too-large"
  /** A device's content refused: its documents take more disk than its quota. */
  | "storage-quota"
  /** A message about a document quarantined after it crashed the relay (see CrashRecords). */
  | "document-quarantined"
  /** A sync message carrying changes for the TrustDoc, which only the relay writes. */
  | "trust-doc-write"
  /** A sync message carrying changes for a summary shard, which only the relay writes. */
  | "summary-write"
  | "enroll-bad-secret"
  | "enroll-bad-request"
  /** Failed enrollments (wrong secret, bad request) from one client address: its failures spent. */
  | "enroll-rate-limited-failures"
  /** Enrollments with the right secret from one client address: its `enrollments_per_minute` spent. */
  | "enroll-rate-limited-address"
  /** New devices across the fleet: `new_devices_per_minute` spent. */
  | "enroll-rate-limited-fleet"
  | "enroll-conflict"
  /** Enrollment while the fleet has no root key: there is nothing for the device to pin. */
  | "enroll-no-root"
  /** A malformed admin key request (body, fields). */
  | "admin-key-bad-request"
  /** An admin key request while the fleet has no root key. */
  | "admin-key-no-root"
  /** A certificate or revocation the fleet's root did not sign. */
  | "admin-key-not-root-signed"
  /** A certificate or revocation for a key nobody registered. */
  | "admin-key-unknown"
  /** A key of another admin, a certificate naming another admin, a certificate for a revoked key. */
  | "admin-key-conflict"
  /** An admin with too many keys waiting for the root. */
  | "admin-key-limit"
  /** One-time enrollment tokens: not one the relay made, past its time, spent, revoked, for another ID. */
  | "enroll-token-unknown"
  | "enroll-token-expired"
  | "enroll-token-used"
  | "enroll-token-revoked"
  | "enroll-token-wrong-device"
  /** Collecting a re-enrollment: no such request with that nonce, expired or collected. */
  | "enroll-pending-unknown"
  /** Collecting a re-enrollment an admin denied. */
  | "enroll-pending-denied"
  /** A TCP connection dropped on arrival: the relay already holds `max_connections`. */
  | "connection-limit"
  /** A client that did not send its request's headers (or whole request, or TLS handshake) in time. */
  | "request-timeout";

/**
 * The relay's Prometheus metrics, on a registry of its own (several relays in one test process
 * must not share counters). Process metrics (RSS, CPU, event-loop lag) come with it.
 */
export class RelayMetrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({
    name: "outpost_relay_connections",
    help: "Open sync websockets by principal kind",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly tcpConnections = new Gauge({
    name: "outpost_relay_tcp_connections",
    help: "Open TCP connections of every kind (websockets, HTTP, TLS handshakes), against max_connections",
    registers: [this.registry],
  });
  readonly rejections = new Counter({
    name: "outpost_relay_rejections_total",
    help: "Refused connections, messages, accesses and enrollments, by reason",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly enrollments = new Counter({
    name: "outpost_relay_enrollments_total",
    help: "Successful enrollments; rotated counts re-enrollments of a known device",
    labelNames: ["rotated"] as const,
    registers: [this.registry],
  });
  readonly reenrollmentRequests = new Counter({
    name: "outpost_relay_reenrollment_requests_total",
    help: "Enrollments of a known device ID with the shared secret, held for an admin to approve",
    registers: [this.registry],
  });
  readonly receivedBytes = new Counter({
    name: "outpost_relay_received_bytes_total",
    help: "Bytes of websocket frames received",
    registers: [this.registry],
  });
  readonly receivedMessages = new Counter({
    name: "outpost_relay_received_messages_total",
    help: "Websocket frames received",
    registers: [this.registry],
  });
  readonly documentsLoaded = new Gauge({
    name: "outpost_relay_documents_loaded",
    help: "Documents held in memory",
    registers: [this.registry],
  });
  readonly documentsUnloaded = new Counter({
    name: "outpost_relay_documents_unloaded_total",
    help: "Documents flushed and unloaded from memory, idle or to make room",
    registers: [this.registry],
  });
  readonly documentsEvicted = new Counter({
    name: "outpost_relay_documents_evicted_total",
    help: "Settled documents unloaded before going idle, to make room for waiting ones",
    registers: [this.registry],
  });
  readonly documentsWaiting = new Gauge({
    name: "outpost_relay_documents_waiting",
    help: "Documents waiting for room in memory (max_loaded_documents) before they load",
    registers: [this.registry],
  });
  readonly admissionWaitSeconds = new Histogram({
    name: "outpost_relay_admission_wait_seconds",
    help: "How long a document waited for room in memory before it loaded",
    buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [this.registry],
  });
  readonly documentsQuarantined = new Gauge({
    name: "outpost_relay_documents_quarantined",
    help: "Documents refused to everyone because the relay crashed working on them (crash-suspects.jsonl)",
    registers: [this.registry],
  });
  readonly devicesOverQuota = new Gauge({
    name: "outpost_relay_devices_over_quota",
    help: "Devices whose documents take at least max_stored_bytes_per_device on disk",
    registers: [this.registry],
  });
  readonly claimsReleased = new Counter({
    name: "outpost_relay_claims_released_total",
    help: "Document claims released because the document never got content",
    registers: [this.registry],
  });
  readonly peerPauses = new Counter({
    name: "outpost_relay_peer_pauses_total",
    help: "Times a peer's socket was paused because it had spent its sync time budget",
    registers: [this.registry],
  });
  readonly peersPaused = new Gauge({
    name: "outpost_relay_peers_paused",
    help: "Peers whose sockets are paused now, waiting to earn back their sync time budget",
    registers: [this.registry],
  });
  readonly syncMessagesDeferred = new Counter({
    name: "outpost_relay_sync_messages_deferred_total",
    help: "Messages that arrived while their peer was paused and waited for its budget",
    registers: [this.registry],
  });
  readonly syncMessagesQueued = new Gauge({
    name: "outpost_relay_sync_messages_queued",
    help: "Checked messages waiting for their turn to be handed to automerge-repo",
    registers: [this.registry],
  });
  readonly durableAcks = new Counter({
    name: "outpost_relay_durable_acks_total",
    help: "Stored-heads messages sent after a flush",
    registers: [this.registry],
  });
  readonly flushSeconds = new Histogram({
    name: "outpost_relay_flush_seconds",
    help: "Time to flush one document to disk",
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "outpost_relay_" });
  }
}
