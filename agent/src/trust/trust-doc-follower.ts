import type {
  AutomergeUrl,
  DocHandle,
  DocHandleChangePayload,
  Repo,
} from "@automerge/automerge-repo";
import {
  type AdminKeyRevocation,
  type Logger,
  messageOf,
  type TrustDoc,
  type TrustVerifier,
  validateTrustDoc,
} from "@outpost/shared-model";

/** What one reading of the TrustDoc taught the verifier. */
export interface TrustDocLessons {
  /** Revocations the root signed that the verifier did not know. */
  revoked: AdminKeyRevocation[];
  /** Key IDs of certificates the root signed that the verifier did not know. */
  certified: string[];
}

/**
 * Follows the fleet's TrustDoc (docs/ARCHITECTURE.md, "Trust") and teaches the verifier each
 * certificate and revocation in it as it changes. The relay writes the document but cannot forge
 * what the root signed: the verifier checks every statement against the pinned root, and one it
 * refuses is logged once and otherwise ignored. A TrustDoc of another root is ignored whole.
 *
 * The document may be out of reach for a while (offline, or a relay that does not share it yet):
 * automerge-repo asks again for it whenever the relay connects, and it is read when it comes.
 */
export class TrustDocFollower {
  readonly #repo: Repo;
  readonly #url: AutomergeUrl;
  readonly #verifier: TrustVerifier;
  readonly #logger: Logger;
  readonly #learnt: (lessons: TrustDocLessons) => Promise<void>;
  /** Statements already refused and logged, by what they are and their signature. */
  readonly #refused = new Set<string>();
  /** Certificates already learnt, by their whole content (a signature alone can be copied). */
  readonly #known = new Set<string>();
  #handle: DocHandle<TrustDoc> | undefined;
  /** Readings one at a time, in the order the document changed. */
  #reading: Promise<void> = Promise.resolve();

  constructor(options: {
    repo: Repo;
    url: string;
    verifier: TrustVerifier;
    logger: Logger;
    /** Called with what each reading taught, once the verifier knows it. */
    learnt: (lessons: TrustDocLessons) => Promise<void>;
  }) {
    this.#repo = options.repo;
    this.#url = options.url as AutomergeUrl;
    this.#verifier = options.verifier;
    this.#logger = options.logger;
    this.#learnt = options.learnt;
  }

  /** Opens the TrustDoc (from local storage, or from the relay when it can) and reads it. */
  start(): void {
    const handle = this.#repo.findWithProgress<TrustDoc>(this.#url).handle;
    this.#handle = handle;
    // A document that arrives from the relay emits its first change before its handle is ready
    // (and after `whenReady` may have given up): read what each change carries.
    handle.on("change", this.#changed);
    if (handle.isReady()) this.#readLater(handle.doc());
  }

  /** Stops following; resolves once the reading under way is done. */
  async stop(): Promise<void> {
    this.#handle?.off("change", this.#changed);
    this.#handle = undefined;
    await this.#reading;
  }

  readonly #changed = ({ doc }: DocHandleChangePayload<TrustDoc>): void => {
    if (this.#handle !== undefined) this.#readLater(doc);
  };

  #readLater(doc: TrustDoc): void {
    this.#reading = this.#reading
      .then(() => this.#read(doc))
      .catch((error: unknown) => {
        this.#logger.error(
          { err: error },
          `reading the fleet's TrustDoc failed: ${messageOf(error)}`,
        );
      });
  }

  async #read(input: unknown): Promise<void> {
    const { value: doc, problems } = validateTrustDoc(input);
    for (const problem of problems) this.#refuseOnce(`problem ${problem.message}`, problem.message);
    if (doc === null) return;
    if (doc.rootPublicKey !== this.#verifier.rootPublicKey) {
      this.#refuseOnce(
        `root ${doc.rootPublicKey}`,
        `the TrustDoc ${this.#url} is of another root key (${doc.fleet}), not the pinned ${this.#verifier.fleet}: ignored`,
      );
      return;
    }
    const certificates = Object.values(doc.certificates).filter(
      (certificate) => !this.#known.has(JSON.stringify(certificate)),
    );
    const refused = await this.#verifier.learnCertificates(certificates);
    const refusedIds = new Set(refused.map((entry) => entry.keyId));
    for (const { keyId, problem } of refused) {
      this.#refuseOnce(
        `certificate ${keyId} ${problem}`,
        `TrustDoc certificate ignored: ${problem}`,
      );
    }
    const certified: string[] = [];
    for (const certificate of certificates) {
      if (refusedIds.has(certificate.keyId)) continue;
      this.#known.add(JSON.stringify(certificate));
      certified.push(certificate.keyId);
    }
    const revocations = Object.values(doc.revocations);
    const added = new Set(await this.#verifier.learnRevocations(revocations));
    for (const revocation of revocations) {
      if (added.has(revocation.keyId) || this.#verifier.isRevoked(revocation.keyId)) continue;
      this.#refuseOnce(
        `revocation ${revocation.signature}`,
        `TrustDoc revocation of key ${revocation.keyId} ignored: not signed by this fleet's root`,
      );
    }
    const revoked = revocations.filter((revocation) => added.has(revocation.keyId));
    if (revoked.length > 0 || certified.length > 0) await this.#learnt({ revoked, certified });
  }

  #refuseOnce(key: string, message: string): void {
    if (this.#refused.has(key)) return;
    this.#refused.add(key);
    this.#logger.warn(message);
  }
}
