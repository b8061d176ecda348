import type { AutomergeUrl, DocHandle, DocumentId, Repo } from "@automerge/automerge-repo";
import { stringifyAutomergeUrl } from "@automerge/automerge-repo";
import type {
  AdminKeyCertificate,
  AdminKeyRevocation,
  FleetTrust,
  Logger,
  TrustDoc,
} from "@outpost/shared-model";
import { createTrustDoc } from "@outpost/shared-model";
import type { AdminKeyStore, FleetRoot } from "./admin-key-store.js";
import { revocationProblem } from "./root-signed.js";

/**
 * The relay's TrustDoc (docs/ARCHITECTURE.md, "Trust"): the fleet's root public key and every
 * certificate and revocation the root signed, for admins and devices to read. One per data
 * folder, made once the fleet has a root (at start, or when the CLI sets one while the relay
 * runs), flushed before `principals.jsonl` names it. The relay alone writes it: it follows the
 * key store and takes in each statement recorded there, whichever process recorded it, after
 * checking it against the root once more (a hand-edited journal gets nothing into it).
 */
export class TrustDocument {
  readonly #repo: Repo;
  readonly #keys: AdminKeyStore;
  readonly #logger: Logger;
  /** Keeps the document in memory (the relay writes it; it is never idle for long). */
  readonly #pin: (documentId: DocumentId) => void;
  #handle: DocHandle<TrustDoc> | undefined;
  /** Writes one after another: a statement recorded twice is written once. */
  #work: Promise<void> = Promise.resolve();
  // Logged by #enqueue; nobody waits for these.
  readonly #onRootSet = () => void this.#enqueue(() => this.#openOrCreate()).catch(() => {});
  readonly #onStatement = () => void this.#enqueue(() => this.#takeIn()).catch(() => {});

  private constructor(
    repo: Repo,
    keys: AdminKeyStore,
    options: { logger: Logger; pin: (documentId: DocumentId) => void },
  ) {
    this.#repo = repo;
    this.#keys = keys;
    this.#logger = options.logger;
    this.#pin = options.pin;
  }

  /**
   * Opens the TrustDoc, or makes it if the fleet has a root and no TrustDoc yet, takes in what
   * the key store recorded meanwhile, and follows the store from then on.
   *
   * @throws Error when `principals.jsonl` names a TrustDoc the data folder does not hold
   */
  static async open(
    repo: Repo,
    keys: AdminKeyStore,
    options: { logger: Logger; pin: (documentId: DocumentId) => void },
  ): Promise<TrustDocument> {
    const trust = new TrustDocument(repo, keys, options);
    await trust.#openOrCreate();
    keys.on("root-set", trust.#onRootSet);
    keys.on("statement", trust.#onStatement);
    return trust;
  }

  /** The TrustDoc's ID, once it exists. */
  get documentId(): DocumentId | undefined {
    return this.#handle?.documentId;
  }

  /** What a device pins and an admin checks against; `undefined` while the fleet has no root. */
  fleetTrust(): FleetTrust | undefined {
    const root = this.#keys.root;
    if (root === undefined || this.#handle === undefined) return undefined;
    return { rootPublicKey: root.publicKey, fleet: root.fleet, trustDocUrl: this.#handle.url };
  }

  /** `automerge:` URL of the TrustDoc, once it exists. */
  get url(): AutomergeUrl | undefined {
    return this.#handle?.url;
  }

  /**
   * Resolves once every statement the key store holds now is in the TrustDoc, on disk (an HTTP
   * answer waits for it, so an accepted certificate is one admins and devices can read).
   */
  settled(): Promise<void> {
    return this.#enqueue(() => this.#openOrCreate());
  }

  /** Stops following the key store and waits for a write under way. */
  async close(): Promise<void> {
    this.#keys.off("root-set", this.#onRootSet);
    this.#keys.off("statement", this.#onStatement);
    await this.#work;
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.#work.then(step);
    this.#work = run.catch((error: unknown) =>
      this.#logger.error({ err: error }, "writing the trust document failed"),
    );
    return run;
  }

  async #openOrCreate(): Promise<void> {
    const root = this.#keys.root;
    if (this.#handle === undefined && root !== undefined) {
      this.#handle = await this.#findOrCreate(root);
      this.#pin(this.#handle.documentId);
    }
    await this.#takeIn();
  }

  async #findOrCreate(root: FleetRoot): Promise<DocHandle<TrustDoc>> {
    const recorded = this.#keys.trustDocumentId;
    if (recorded !== undefined) {
      let handle: DocHandle<TrustDoc>;
      try {
        const url = stringifyAutomergeUrl({ documentId: recorded as DocumentId });
        handle = await this.#repo.find<TrustDoc>(url);
      } catch (cause) {
        throw new Error(`the trust document ${recorded} is missing from the data folder`, {
          cause,
        });
      }
      const found = handle.doc().rootPublicKey;
      if (found !== root.publicKey) {
        throw new Error(
          `the trust document ${recorded} names the root key ${found}, not the fleet's ${root.publicKey}`,
        );
      }
      return handle;
    }
    const created = this.#repo.create<TrustDoc>(createTrustDoc(root.publicKey, root.fleet));
    await this.#repo.flush([created.documentId]);
    await this.#keys.recordTrustDocument(created.documentId);
    this.#logger.info(
      { documentId: created.documentId, fleet: root.fleet },
      `trust document made for the fleet ${root.fleet}`,
    );
    return created;
  }

  /** Writes what the key store holds and the document lacks, then flushes it. */
  async #takeIn(): Promise<void> {
    const handle = this.#handle;
    const root = this.#keys.root;
    if (handle === undefined || root === undefined) return;
    const doc = handle.doc();
    const certificates: AdminKeyCertificate[] = [];
    const verifier = await this.#keys.verifier();
    for (const certificate of this.#keys.certificates()) {
      if (doc.certificates[certificate.keyId]?.signature === certificate.signature) continue;
      const problem = await verifier.certificateProblem(certificate);
      if (problem === undefined) certificates.push(certificate);
      else this.#skip(problem);
    }
    const revocations: AdminKeyRevocation[] = [];
    for (const revocation of this.#keys.revocations()) {
      if (doc.revocations[revocation.keyId]?.signature === revocation.signature) continue;
      const problem = await revocationProblem(root.publicKey, revocation);
      if (problem === undefined) revocations.push(revocation);
      else this.#skip(problem);
    }
    if (certificates.length === 0 && revocations.length === 0) return;
    handle.change((trust) => {
      for (const certificate of certificates) trust.certificates[certificate.keyId] = certificate;
      for (const { reason, ...revocation } of revocations) {
        // Automerge refuses `undefined`: an absent reason stays absent.
        trust.revocations[revocation.keyId] =
          reason === undefined ? revocation : { ...revocation, reason };
      }
    });
    await this.#repo.flush([handle.documentId]);
    this.#logger.info(
      {
        certificates: certificates.map((c) => c.keyId),
        revocations: revocations.map((r) => r.keyId),
      },
      `trust document: ${certificates.length} certificates and ${revocations.length} revocations written`,
    );
  }

  #skip(problem: string): void {
    this.#logger.error({ problem }, `principals.jsonl: ${problem}; left out of the trust document`);
  }
}
