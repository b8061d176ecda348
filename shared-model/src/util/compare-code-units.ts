/**
 * Orders strings by UTF-16 code units: the same on every replica, runtime and locale, which
 * `localeCompare` does not promise. Anything that must converge sorts with this.
 */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
