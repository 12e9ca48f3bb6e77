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

type Level = Exclude<LogLevel, 'none'>;

/**
 * A simple logger (LaunchDarkly's `BasicLogger` class, same constructor and methods): `<level>: [<name>]
 * <message>` lines at or above `level`, to `destination` (`console.error` by default). A throwing
 * formatter or destination falls back to `util.format` and `console.error`; logging never throws.
 *
 * One difference: without a `destination`, LaunchDarkly's writes the bare arguments to `console.error`
 * (no level, no name); this one writes the same prefixed line as with a destination.
 */
export class BasicLogger implements LDLogger {
  private readonly _min: number;
  private readonly _name: string;
  private readonly _destination: BasicLoggerOptions['destination'];
  private readonly _formatter: BasicLoggerOptions['formatter'];

  /**
   * A logger with the default options (`level: 'info'`, to `console.error`); LaunchDarkly's fallback.
   * Prefer `new BasicLogger(options)` with options of your own.
   */
  static get(): BasicLogger {
    return new BasicLogger({});
  }

  constructor(options: BasicLoggerOptions = {}) {
    this._min = PRIORITY[options.level ?? 'info'] ?? PRIORITY.info;
    this._name = options.name ?? 'Switchyard';
    this._destination = options.destination;
    this._formatter = options.formatter;
  }

  error(...args: unknown[]): void {
    this._log('error', args);
  }

  warn(...args: unknown[]): void {
    this._log('warn', args);
  }

  info(...args: unknown[]): void {
    this._log('info', args);
  }

  debug(...args: unknown[]): void {
    this._log('debug', args);
  }

  private _log(level: Level, args: unknown[]): void {
    if (PRIORITY[level] < this._min) return;
    const destination = this._destination;
    const target = typeof destination === 'function' ? destination : destination ? destination[level] : fallback;
    if (!target) return;
    let text: string;
    try {
      text = this._formatter ? this._formatter(...args) : format(...args);
    } catch {
      text = format(...args);
    }
    const line = `${level}: [${this._name}] ${text}`;
    try {
      target(line);
    } catch {
      fallback(line);
    }
  }
}

function fallback(line: string): void {
  console.error(line);
}

/**
 * A {@link BasicLogger} (LaunchDarkly's `basicLogger`). The default logger of the client is
 * `basicLogger({ level: 'info' })`.
 */
export function basicLogger(options: BasicLoggerOptions = {}): LDLogger {
  return new BasicLogger(options);
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
