/**
 * The dashboard's named loggers. A browser app's log is the developer console, where an admin
 * with a problem (or whoever helps them) looks; this is the one place that writes to it.
 */
export interface Logger {
  warn(message: string): void;
  error(message: string): void;
}

/** A logger whose lines start with `[outpost:<name>]`. */
export function makeLogger(name: string): Logger {
  const prefix = `[outpost:${name}]`;
  return {
    // biome-ignore lint/suspicious/noConsole: the console is the browser's log
    warn: (message) => console.warn(prefix, message),
    // biome-ignore lint/suspicious/noConsole: the console is the browser's log
    error: (message) => console.error(prefix, message),
  };
}
