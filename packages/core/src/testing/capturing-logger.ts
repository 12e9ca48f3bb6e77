import type { LDLogger } from '../logging/index.js';

/** One captured log call. */
export interface CapturedLine {
  readonly level: keyof LDLogger;
  /** The arguments joined with spaces, as a console would print them. */
  readonly message: string;
}

/**
 * A logger that records every call, for asserting what the SDK logged (and what it must never log,
 * such as an SDK key).
 */
export class CapturingLogger implements LDLogger {
  readonly lines: CapturedLine[] = [];

  error = (...args: unknown[]): void => this.record('error', args);
  warn = (...args: unknown[]): void => this.record('warn', args);
  info = (...args: unknown[]): void => this.record('info', args);
  debug = (...args: unknown[]): void => this.record('debug', args);

  /** Messages logged at `level`. */
  messages(level: keyof LDLogger): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.message);
  }

  /** Every message at every level, one per line. */
  text(): string {
    return this.lines.map((l) => `${l.level}: ${l.message}`).join('\n');
  }

  clear(): void {
    this.lines.length = 0;
  }

  private record(level: keyof LDLogger, args: unknown[]): void {
    const message = args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    this.lines.push({ level, message });
  }
}
