/**
 * Script-injection payloads for what a device writes, one per field, each naming its field by a
 * short tag so that whatever fires says where it came from. Every payload tries each way markup
 * could run in the dashboard: as HTML (`<img onerror>`, `<svg onload>`, `<script>`, `<details
 * ontoggle>`, an `<iframe srcdoc>`), out of a quoted attribute (`">`), as a URL (`javascript:` at
 * the start, after a tab or CR too: browsers strip those from URLs), and as a template (`${…}`).
 * Each starts with one of the characters a spreadsheet takes for a formula, in turn, so the CSV
 * exports see all of them.
 */

/** What a payload calls when it runs; the test defines it in every frame before the app loads. */
export const RAN = "__hostile";
/** Path prefix of every request a payload makes; the test watches for it. */
export const PROBE = "/hostile-probe/";
/** Characters a spreadsheet reads as the start of a formula (OWASP's list). */
export const FORMULA_LEADS = ["=", "+", "-", "@", "\t", "\r"] as const;
/** What a payload may start with, in turn: each formula character, then none. */
const LEADS = [...FORMULA_LEADS, ""] as const;
/** One of {@link LEADS}. */
export type Lead = (typeof LEADS)[number];

/** A field's payload, whole: for fields without a length limit. */
function fullPayload(tag: string, lead: Lead): string {
  const call = `${RAN}('${tag}')`;
  return (
    `${lead}javascript:${call}//"><img src=${PROBE}${tag}/ onerror=${call}>` +
    `<svg onload=${call}><script>${call}</script><details open ontoggle=${call}>` +
    `<iframe srcdoc="<script>parent.${call}</script>"></iframe>\${${call}}'-alert('${tag}')-'`
  );
}

/** The same in fewer than 255 characters, for a hostname (the relay's limit at enrollment). */
function compactPayload(tag: string, lead: Lead): string {
  const call = `${RAN}('${tag}')`;
  return (
    `${lead}javascript:${call}//"><img src=${PROBE}${tag}/ onerror=${call}>` +
    `<svg onload=${call}><script>${call}</script>\${${call}}`
  );
}

/** How a field's payload is made. */
export interface PayloadOptions {
  /** Under 255 characters. */
  compact?: boolean;
  /** No tab or CR in front: the agent trims this field. */
  trimmed?: boolean;
  /** This lead, rather than the next in turn. */
  lead?: Lead;
}

/**
 * The payloads written, by field (`inventory.os.distro`): asking twice for a field gives the same
 * payload, and a tag found in the page or a request says which field it was.
 */
export class PayloadBook {
  readonly #byField = new Map<string, string>();
  readonly #fieldByTag = new Map<string, string>();
  #turn = 0;

  /** The payload for `field`, made on first use. */
  of(field: string, options: PayloadOptions = {}): string {
    const known = this.#byField.get(field);
    if (known !== undefined) return known;
    const tag = `f${this.#byField.size}`;
    let lead = options.lead ?? LEADS[this.#turn++ % LEADS.length] ?? "";
    if (options.trimmed && (lead === "\t" || lead === "\r")) lead = "=";
    const payload = options.compact ? compactPayload(tag, lead) : fullPayload(tag, lead);
    this.#byField.set(field, payload);
    this.#fieldByTag.set(tag, field);
    return payload;
  }

  /**
   * The fields named in `found`: tags the payloads passed to {@link RAN}, URLs they asked for
   * (`/hostile-probe/f3/`), markup that carries them.
   */
  fieldsIn(found: readonly string[]): string[] {
    const tags = new Set(
      found.flatMap((text) => [...text.matchAll(/\b(f\d+)\b/g)].map((m) => m[1])),
    );
    return [...tags].map((tag) => this.#fieldByTag.get(tag as string) ?? `unknown tag ${tag}`);
  }

  /** Every field and its payload. */
  entries(): [field: string, payload: string][] {
    return [...this.#byField];
  }
}
