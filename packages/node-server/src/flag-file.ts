import { readFile } from 'node:fs/promises';

import { DataKinds, type FullDataSet, type VersionedItem } from '@switchyard/core';
import { LDFileDataSourceError } from './errors.js';
import { isRecord } from './is-record.js';

/** A flag or segment as LaunchDarkly's JSON has it (at least a key and a version). */
export type ItemJson = VersionedItem & { readonly [field: string]: unknown };

/**
 * The flag-file format LaunchDarkly's file data source reads: complete flags and segments as the
 * flag service sends them, and `flagValues` as a shortcut for a flag that always serves one value.
 */
export interface FlagFileContents {
  flags?: Record<string, Partial<ItemJson>>;
  flagValues?: Record<string, unknown>;
  segments?: Record<string, Partial<ItemJson>>;
}

/** Parses YAML text (for `.yml`/`.yaml` files). */
export type YamlParser = (text: string) => unknown;

/**
 * Thrown when a flag file cannot be read or is not valid. The message names the file. It is
 * LaunchDarkly's `LDFileDataSourceError` (and so a `DataSourceError` and a `SwitchyardError`).
 */
export class FlagFileError extends LDFileDataSourceError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FlagFileError';
  }
}

function isYaml(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/** The `yaml` package, loaded only when a YAML file is read. */
async function defaultYamlParser(): Promise<YamlParser> {
  const { parse } = await import('yaml');
  return (text) => parse(text) as unknown;
}

/**
 * Parses a flag file's text: YAML when the path ends in `.yml`/`.yaml` (with `yamlParser`, or the `yaml`
 * package), JSON otherwise. Throws {@link FlagFileError} naming the file.
 */
export async function parseFlagFileText(path: string, text: string, yamlParser?: YamlParser): Promise<FlagFileContents> {
  let parsed: unknown;
  if (isYaml(path)) {
    const parse = yamlParser ?? (await defaultYamlParser());
    try {
      parsed = parse(text);
    } catch (err) {
      throw new FlagFileError(`flag file ${path} is not valid YAML: ${(err as Error).message}`, { cause: err });
    }
  } else {
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new FlagFileError(`flag file ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  if (!isRecord(parsed)) throw new FlagFileError(`flag file ${path} must hold an object`);
  for (const section of ['flags', 'flagValues', 'segments'] as const) {
    const value = parsed[section];
    if (value !== undefined && value !== null && !isRecord(value)) throw new FlagFileError(`flag file ${path}: "${section}" must be an object`);
  }
  return parsed as FlagFileContents;
}

/** The flag a `flagValues` entry stands for: on, serving `value` to everyone. */
export function flagForValue(key: string, value: unknown, version: number): ItemJson {
  return { key, version, on: true, variations: [value], fallthrough: { variation: 0 } };
}

/**
 * Adds one file's flags and segments to `into` (raw JSON, keyed by namespace). A key defined twice (in
 * `flags` and `flagValues`, or in two files) is an error. `versionOf` chooses a `flagValues` flag's
 * version (default 1).
 */
export function addFlagFileContents(
  path: string,
  contents: FlagFileContents,
  into: { features: Record<string, ItemJson>; segments: Record<string, ItemJson> },
  versionOf: (key: string, value: unknown) => number = () => 1,
): void {
  for (const [key, flag] of Object.entries(contents.flags ?? {})) {
    if (!isRecord(flag)) throw new FlagFileError(`flag file ${path}: flag "${key}" must be an object`);
    if (key in into.features) throw new FlagFileError(`flag file ${path}: flag "${key}" is defined more than once`);
    into.features[key] = { version: 1, ...flag, key } as ItemJson;
  }
  for (const [key, value] of Object.entries(contents.flagValues ?? {})) {
    if (key in into.features) {
      const inFlags = contents.flags && key in contents.flags;
      throw new FlagFileError(
        inFlags ? `flag file ${path}: "${key}" is in both flags and flagValues` : `flag file ${path}: flag "${key}" is defined more than once`,
      );
    }
    into.features[key] = flagForValue(key, value, versionOf(key, value));
  }
  for (const [key, segment] of Object.entries(contents.segments ?? {})) {
    if (!isRecord(segment)) throw new FlagFileError(`flag file ${path}: segment "${key}" must be an object`);
    if (key in into.segments) throw new FlagFileError(`flag file ${path}: segment "${key}" is defined more than once`);
    into.segments[key] = { version: 1, ...segment, key } as ItemJson;
  }
}

/**
 * Reads a flag file (JSON, or YAML by extension) into a full data set ready for a `DataStore`: flags and
 * segments parsed into core's model (each keeps its JSON as `.json`). A `flagValues` entry `k: v` becomes
 * a flag that is on and serves `v` to everyone. The same key in `flags` and `flagValues` is an error. For a
 * client, use `integrations.FileDataSourceFactory` instead.
 */
export async function loadFlagFile(path: string, yamlParser?: YamlParser): Promise<FullDataSet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new FlagFileError(`cannot read flag file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const data = { features: {} as Record<string, ItemJson>, segments: {} as Record<string, ItemJson> };
  addFlagFileContents(path, await parseFlagFileText(path, text, yamlParser), data);
  const parse = <T>(items: Record<string, ItemJson>, fromJSON: (json: unknown) => T) =>
    Object.fromEntries(Object.entries(items).map(([key, json]) => [key, fromJSON(json)]));
  return { features: parse(data.features, DataKinds.features.fromJSON), segments: parse(data.segments, DataKinds.segments.fromJSON) };
}
