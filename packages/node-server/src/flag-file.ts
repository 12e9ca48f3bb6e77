import { readFile } from 'node:fs/promises';

import type { FullDataSet, MinimalFlag, VersionedItem } from '@switchyard/core';

/**
 * The flag-file format LaunchDarkly's file data source reads: complete flags and segments as the
 * flag service sends them, and `flagValues` as a shortcut for a flag that always serves one value.
 */
export interface FlagFileContents {
  flags?: Record<string, MinimalFlag>;
  flagValues?: Record<string, unknown>;
  segments?: Record<string, VersionedItem>;
}

/** Thrown when a flag file cannot be read or is not valid. The message names the file. */
export class FlagFileError extends Error {
  override readonly name = 'FlagFileError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a JSON flag file into a full data set for a data store. A `flagValues` entry `k: v` becomes a
 * flag that is on and serves `v` to everyone. The same key in `flags` and `flagValues` is an error.
 */
export async function loadFlagFile(path: string): Promise<FullDataSet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new FlagFileError(`cannot read flag file ${path}: ${(err as Error).message}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new FlagFileError(`flag file ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!isRecord(parsed)) throw new FlagFileError(`flag file ${path} must hold a JSON object`);
  const contents = parsed as FlagFileContents;
  const flags: Record<string, MinimalFlag> = {};
  for (const [key, flag] of Object.entries(contents.flags ?? {})) {
    if (!isRecord(flag)) throw new FlagFileError(`flag file ${path}: flag "${key}" must be an object`);
    flags[key] = { ...flag, key };
  }
  for (const [key, value] of Object.entries(contents.flagValues ?? {})) {
    if (key in flags) throw new FlagFileError(`flag file ${path}: "${key}" is in both flags and flagValues`);
    flags[key] = { key, version: 1, on: true, variations: [value], fallthrough: { variation: 0 } };
  }
  const segments: Record<string, VersionedItem> = {};
  for (const [key, segment] of Object.entries(contents.segments ?? {})) {
    if (!isRecord(segment)) throw new FlagFileError(`flag file ${path}: segment "${key}" must be an object`);
    segments[key] = { ...segment, key } as VersionedItem;
  }
  return { features: flags, segments };
}
