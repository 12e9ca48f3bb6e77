/**
 * The logger interface, the same shape as LaunchDarkly's `LDLogger`, so an existing logger (console,
 * winston, pino with method binding, LaunchDarkly's `basicLogger`) plugs in unchanged.
 */
export interface LDLogger {
  error(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  info(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}

/** A logger that discards everything. */
export const noopLogger: LDLogger = Object.freeze({
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
});

/**
 * Wraps a user-supplied logger so a throwing or incomplete logger can never break the SDK: a missing
 * method is ignored and an exception from a method is swallowed (logging must not change control flow).
 */
export function safeLogger(logger: Partial<LDLogger> | undefined): LDLogger {
  if (!logger) return noopLogger;
  const wrap =
    (level: keyof LDLogger) =>
    (...args: unknown[]): void => {
      const fn = logger[level];
      if (typeof fn !== 'function') return;
      try {
        fn.apply(logger, args);
      } catch {
        // A broken logger must not break evaluation or data updates.
      }
    };
  return { error: wrap('error'), warn: wrap('warn'), info: wrap('info'), debug: wrap('debug') };
}
