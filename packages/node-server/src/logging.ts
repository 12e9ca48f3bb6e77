import { format, inspect } from 'node:util';

import type { LDLogger } from '@switchyard/core';

/** Log levels, lowest first; `'none'` logs nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'none';

/** Options of {@link basicLogger} (LaunchDarkly's `BasicLoggerOptions`). */
export interface BasicLoggerOptions {
  /** The lowest level written. Default `'info'`. */
  level?: LogLevel;
  /** Where lines go: one function for all levels, or one per level. Default `console.error`. */
  destination?: ((line: string) => void) | Partial<Record<Exclude<LogLevel, 'none'>, (line: string) => void>>;
  /** Turns the arguments of a log call into text. Default `util.format`. */
  formatter?: (...args: unknown[]) => string;
  /** The name in each line's prefix. Default `'Switchyard'`. */
  name?: string;
}

const PRIORITY: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, none: 4 };

/**
 * A simple logger: `<level>: [<name>] <message>` lines at or above `level`, to `destination`
 * (`console.error` by default). The default logger of the client is `basicLogger({ level: 'info' })`.
 * A throwing formatter or destination falls back to `util.format` and `console.error`.
 */
export function basicLogger(options: BasicLoggerOptions = {}): LDLogger {
  const min = PRIORITY[options.level ?? 'info'] ?? PRIORITY.info;
  const name = options.name ?? 'Switchyard';
  const destination = options.destination;
  const formatter = options.formatter;
  const fallback = (line: string) => console.error(line);
  const write = (level: Exclude<LogLevel, 'none'>) => {
    const target = typeof destination === 'function' ? destination : (destination?.[level] ?? (destination ? undefined : fallback));
    if (PRIORITY[level] < min || !target) return () => undefined;
    return (...args: unknown[]) => {
      let text: string;
      try {
        text = formatter ? formatter(...args) : format(...args);
      } catch {
        text = format(...args);
      }
      const line = `${level}: [${name}] ${text}`;
      try {
        target(line);
      } catch {
        fallback(line);
      }
    };
  };
  return Object.freeze({ debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') });
}

/** Characters that make up a word: a match with one of these on either side is part of a longer word. */
const WORD_CHAR = '[A-Za-z0-9]';

/**
 * A function that replaces every whole-token occurrence of `secret` in a text with `<sdk-key>`. A
 * token is the secret with no letter or digit directly before or after it, so `sdk-1234` is redacted in
 * `key=sdk-1234;` or `/sdk-1234/all`, but a short key such as `k` does not mangle `unknown`: a secret
 * inside a longer word is not that secret.
 */
export function secretRedactor(secret: string): (text: string) => string {
  if (!secret) return (text) => text;
  const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(?<!${WORD_CHAR})${escaped}(?!${WORD_CHAR})`, 'g');
  return (text) => (text.includes(secret) ? text.replace(pattern, '<sdk-key>') : text);
}

/**
 * Wraps the client's logger so that the SDK key never reaches a log line, whatever a message embeds
 * (an error from a proxy or a URL a user misconfigured, for example). The key is redacted as a whole
 * token (see {@link secretRedactor}) in strings, in `Error`s (logged as `name: message` when the key is
 * in the message or stack), and in any other
 * argument whose printed form contains it (that argument is then logged as its redacted printed form).
 */
export function redactingLogger(logger: LDLogger, secret: string): LDLogger {
  if (!secret) return logger;
  const redact = secretRedactor(secret);
  const clean = (arg: unknown): unknown => {
    if (typeof arg === 'string') return redact(arg);
    if (arg instanceof Error) {
      if (!arg.message.includes(secret) && !(arg.stack ?? '').includes(secret)) return arg;
      return `${arg.name}: ${redact(arg.message)}`;
    }
    if (typeof arg === 'object' && arg !== null) {
      const printed = inspect(arg, { depth: 6, breakLength: Infinity });
      return printed.includes(secret) ? redact(printed) : arg;
    }
    return arg;
  };
  const wrap =
    (fn: (...args: unknown[]) => void) =>
    (...args: unknown[]) =>
      fn(...args.map(clean));
  return {
    error: wrap((...a) => logger.error(...a)),
    warn: wrap((...a) => logger.warn(...a)),
    info: wrap((...a) => logger.info(...a)),
    debug: wrap((...a) => logger.debug(...a)),
  };
}
