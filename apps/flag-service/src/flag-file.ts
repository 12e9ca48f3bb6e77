import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

import { validateFlag, validateSegment, ValidationError } from './validate.js';

/** A flag or segment as served: LaunchDarkly's JSON with `key` and `version`. */
export interface Item {
  key: string;
  version: number;
  [field: string]: unknown;
}

/** The file's content, the same shape as a poll response: `{ flags: {...}, segments: {...} }`. */
export interface FlagFileData {
  flags: Record<string, Item>;
  segments: Record<string, Item>;
}

/** Test hooks: a crash at a given point of a write. */
export interface FlagFileHooks {
  /** Called after the new content is written and synced to the temporary file, before it replaces the file. */
  beforeRename?(): void | Promise<void>;
}

/** The file could not be read or is not valid flag data: the message names the file and the problem. */
export class FlagFileError extends Error {
  override readonly name = 'FlagFileError';
}

function check(data: unknown, path: string): FlagFileData {
  const bad = (problem: string) => new FlagFileError(`${path}: ${problem}`);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad('must be a JSON object with "flags" and "segments"');
  const { flags = {}, segments = {} } = data as Record<string, unknown>;
  const out: FlagFileData = { flags: {}, segments: {} };
  for (const [name, items, validate] of [
    ['flags', flags, validateFlag],
    ['segments', segments, validateSegment],
  ] as const) {
    if (typeof items !== 'object' || items === null || Array.isArray(items)) throw bad(`"${name}" must be an object keyed by ${name === 'flags' ? 'flag' : 'segment'} key`);
    for (const [key, item] of Object.entries(items)) {
      try {
        const valid = validate(item, key);
        const version = (item as { version?: unknown }).version;
        (out[name] as Record<string, Item>)[key] = { ...valid, key, version: Number.isInteger(version) && (version as number) > 0 ? (version as number) : 1 };
      } catch (err) {
        if (err instanceof ValidationError) throw bad(err.message);
        throw err;
      }
    }
  }
  return out;
}

/**
 * The JSON file the service keeps its flags and segments in. Every write is atomic: the new content goes
 * to a temporary file beside it, is flushed to disk (`fsync`), and then renamed over the file (and the
 * directory synced), so a crash at any point leaves either the old file or the new one, never a mix.
 */
export class FlagFile {
  private constructor(
    readonly path: string,
    private readonly hooks: FlagFileHooks,
  ) {}

  /**
   * Opens `path`, creating it from `samplePath` on first run. Leftover temporary files of an interrupted
   * write are removed. Throws {@link FlagFileError} when the file is not valid JSON or not valid flag data
   * (it is never overwritten then: the service refuses to start).
   */
  static async open(path: string, samplePath: string, hooks: FlagFileHooks = {}): Promise<{ file: FlagFile; data: FlagFileData; created: boolean }> {
    const file = new FlagFile(path, hooks);
    await mkdir(dirname(path), { recursive: true });
    const leftover = `.${basename(path)}.`;
    for (const name of await readdir(dirname(path))) {
      if (name.startsWith(leftover) && name.endsWith('.tmp')) await rm(join(dirname(path), name), { force: true });
    }
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new FlagFileError(`${path}: ${(err as Error).message}`);
    }
    const created = text === undefined;
    const source = created ? samplePath : path;
    text ??= await readFile(samplePath, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new FlagFileError(`${source}: not valid JSON (${(err as Error).message})`);
    }
    const data = check(parsed, source);
    if (created) await file.write(data);
    return { file, data, created };
  }

  /** Replaces the file's content atomically. Rejects (leaving the previous content) when any step fails. */
  async write(data: FlagFileData): Promise<void> {
    const dir = dirname(this.path);
    const temporary = join(dir, `.${basename(this.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(data, null, 2)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.hooks.beforeRename?.();
      await rename(temporary, this.path);
    } catch (err) {
      await rm(temporary, { force: true });
      throw err;
    }
    // The rename itself is durable once the directory is synced (not possible on every platform).
    try {
      const handle = await open(dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {
      // e.g. Windows cannot open a directory; the rename is still atomic.
    }
  }
}
