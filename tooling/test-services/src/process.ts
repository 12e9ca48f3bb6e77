import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

import { INSTALL_HINTS, ServiceStartError } from './errors.js';

/** Every child we started, so that a crashed test run never leaves servers behind. */
const children = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
}

/** Finds `binary` on PATH (or accepts an absolute path); undefined when it is not there. */
export function findBinary(binary: string): string | undefined {
  const candidates = isAbsolute(binary)
    ? [binary]
    : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, binary));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** Resolves `binary` or throws an error that names it and says how to install it. */
export function requireBinary(service: string, binary: string): string {
  const found = findBinary(binary);
  if (found) return found;
  const hint = INSTALL_HINTS[service] ?? `install ${binary}`;
  throw new ServiceStartError(service, `\`${binary}\` was not found on PATH; ${hint}.`);
}

/** A child process whose recent output is kept for error messages. */
export interface ManagedProcess {
  readonly child: ChildProcess;
  /** The last lines the process printed (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<string>;
  /** Sends `signal` and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnManaged(binary: string, args: readonly string[], cwd?: string): ManagedProcess {
  installExitHook();
  const child = spawn(binary, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => {
      keep(Buffer.from(String(err.message)));
      children.delete(child);
      resolve(`error ${err.message}`);
    });
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(signal ? `signal ${signal}` : `code ${String(code)}`);
    });
  });
  return {
    child,
    exited,
    output: () => lines.join('\n'),
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
