/**
 * A command-line option's whole number within [min, max]; otherwise says what was expected on
 * stderr and exits with code 2 (a usage error), as the project's scripts and benchmarks do.
 */
export function wholeNumberOption(option: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (Number.isInteger(value) && value >= min && value <= max) return value;
  process.stderr.write(`${option}: expected a whole number from ${min} to ${max}, got ${text}\n`);
  process.exit(2);
}
