import type { Flag } from '../model/flag.js';
import type { JsonValue } from '../value/json.js';
import type { FlagSummary, SummaryCounter, SummaryOutputEvent } from './output.js';

interface Counter {
  readonly value: JsonValue;
  count: number;
}

/** The counters of one flag version, or of the flag key when it was not found (`version` undefined). */
interface VersionCounters {
  readonly version: number | undefined;
  /** By variation index. */
  readonly byVariation: (Counter | undefined)[];
  /** The default was served (no variation). */
  noVariation: Counter | undefined;
}

/**
 * Everything counted for one flag key in the window: the counters of the first version seen, inline (the
 * common case is one version per window, found without another indirection), and of any other versions
 * (or "not found") in `more`.
 */
interface KeyCounters extends VersionCounters {
  /** The caller's default of the first evaluation of this key in the window (LaunchDarkly keeps the first too). */
  readonly defaultValue: JsonValue;
  readonly kinds: string[];
  more: VersionCounters[] | undefined;
}

/** Options of {@link EventSummarizer}. */
export interface EventSummarizerOptions {
  /**
   * Distinct unknown flag keys (evaluations of flags that were not found) counted per window. Known flags
   * are never limited: flag data bounds them. Unknown keys come from callers, so a caller looping over
   * made-up keys could otherwise grow the summary without limit; evaluations of a new unknown key beyond
   * this are not counted (the processor counts each as a dropped event). Default 1000.
   */
  maxUnknownFlagKeys?: number;
}

/**
 * Counts evaluations per flag key, version and variation between flushes, and builds the `summary`
 * event. These are LaunchDarkly's summary counter keys: two evaluations of the same flag key, version
 * and variation land in the same counter however the flag object was obtained (a persistent store with
 * `cacheTtlMs: 0`, or a cache refresh, parses a new object for the same version on every read).
 *
 * Counting is O(1) and allocates nothing once a counter exists: one `Map` lookup by flag key (a string
 * whose hash V8 caches), a comparison with the key's first version (almost always the only one; others
 * are scanned), then an index by variation.
 * No counter key string is built per evaluation. Values and defaults are kept from the first evaluation
 * of each counter only, so the caller copies them (`toFrozenJson`) only when
 * {@link EventSummarizer.incrementFlag} says the counter is new.
 *
 * Memory is bounded without ever losing counts of known flags: counters of known flags are bounded by
 * the flag data (keys × versions seen in the window × variations), not by any setting; only distinct
 * unknown flag keys have a limit ({@link EventSummarizerOptions.maxUnknownFlagKeys}). Nothing here
 * depends on the event queue's `capacity`.
 */
export class EventSummarizer {
  private _byKey = new Map<string, KeyCounters>();
  private _unknownKeys = 0;
  private _startDate = 0;
  private _endDate = 0;
  private readonly _maxUnknownFlagKeys: number;

  constructor(options: EventSummarizerOptions = {}) {
    const max = options.maxUnknownFlagKeys;
    this._maxUnknownFlagKeys = typeof max === 'number' && max >= 0 ? Math.floor(max) : 1000;
  }

  /** True when nothing has been counted since the last {@link EventSummarizer.takeSummary}. */
  get isEmpty(): boolean {
    return this._byKey.size === 0;
  }

  /**
   * Counts one more evaluation of `flag` serving `variation` (null: the default) if that counter exists
   * already, which is the common case and allocates nothing. False when it does not: then call
   * {@link EventSummarizer.addFlag} with copies of the values.
   */
  incrementFlag(flag: Flag, variation: number | null, kinds: readonly string[], creationDate: number): boolean {
    const entry = this._byKey.get(flag.key);
    if (!entry) return false;
    const counters = entry.version === flag.version ? entry : findVersion(entry.more, flag.version);
    if (!counters) return false;
    const counter = variation === null ? counters.noVariation : counters.byVariation[variation];
    if (!counter) return false;
    counter.count++;
    this._touch(entry, kinds, creationDate);
    return true;
  }

  /**
   * Counts the first evaluation of a flag version and variation in this window, keeping `value` and
   * `defaultValue` (which must not change afterwards). Always counts: known flags are not limited.
   */
  addFlag(flag: Flag, variation: number | null, value: JsonValue, defaultValue: JsonValue, kinds: readonly string[], creationDate: number): void {
    let entry = this._byKey.get(flag.key);
    if (!entry) {
      entry = newEntry(flag.version, defaultValue);
      this._byKey.set(flag.key, entry);
    }
    const counters = versionCounters(entry, flag.version);
    const counter = variation === null ? counters.noVariation : counters.byVariation[variation];
    if (counter) counter.count++;
    else if (variation === null) counters.noVariation = { value, count: 1 };
    else counters.byVariation[variation] = { value, count: 1 };
    this._touch(entry, kinds, creationDate);
  }

  /** Like {@link EventSummarizer.incrementFlag}, for a flag key that was not found. */
  incrementUnknown(key: string, kinds: readonly string[], creationDate: number): boolean {
    const entry = this._byKey.get(key);
    if (!entry) return false;
    const counters = entry.version === undefined ? entry : findVersion(entry.more, undefined);
    if (!counters?.noVariation) return false;
    counters.noVariation.count++;
    this._touch(entry, kinds, creationDate);
    return true;
  }

  /**
   * Like {@link EventSummarizer.addFlag}, for a flag key that was not found (counted as `unknown`). False
   * when the key is new and the window already holds `maxUnknownFlagKeys` keys that only unknown
   * evaluations created: then nothing was counted.
   */
  addUnknown(key: string, defaultValue: JsonValue, kinds: readonly string[], creationDate: number): boolean {
    let entry = this._byKey.get(key);
    if (!entry) {
      if (this._unknownKeys >= this._maxUnknownFlagKeys) return false;
      this._unknownKeys++;
      entry = newEntry(undefined, defaultValue);
      this._byKey.set(key, entry);
    }
    const counters = versionCounters(entry, undefined);
    if (counters.noVariation) counters.noVariation.count++;
    else counters.noVariation = { value: defaultValue, count: 1 };
    this._touch(entry, kinds, creationDate);
    return true;
  }

  /** The summary of everything counted since the last call (undefined if nothing was), and a fresh window. */
  takeSummary(): SummaryOutputEvent | undefined {
    if (this._byKey.size === 0) return undefined;
    const features: Record<string, FlagSummary> = {};
    for (const [key, entry] of this._byKey) {
      const counters: SummaryCounter[] = [];
      for (const { version, byVariation, noVariation } of [entry, ...(entry.more ?? [])]) {
        const out = (c: Counter, variation: number | undefined): SummaryCounter => ({
          value: c.value,
          count: c.count,
          ...(variation === undefined ? {} : { variation }),
          ...(version === undefined ? { unknown: true as const } : { version }),
        });
        byVariation.forEach((c, i) => {
          if (c) counters.push(out(c, i));
        });
        if (noVariation) counters.push(out(noVariation, undefined));
      }
      features[key] = { default: entry.defaultValue, contextKinds: entry.kinds, counters };
    }
    const event: SummaryOutputEvent = { kind: 'summary', startDate: this._startDate, endDate: this._endDate, features };
    this.clear();
    return event;
  }

  /** Forgets everything counted. */
  clear(): void {
    this._byKey = new Map();
    this._unknownKeys = 0;
    this._startDate = 0;
    this._endDate = 0;
  }

  private _touch(entry: KeyCounters, kinds: readonly string[], creationDate: number): void {
    const known = entry.kinds;
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[i]!;
      if (!known.includes(kind)) known.push(kind);
    }
    if (this._startDate === 0 || creationDate < this._startDate) this._startDate = creationDate;
    if (creationDate > this._endDate) this._endDate = creationDate;
  }
}

function newEntry(version: number | undefined, defaultValue: JsonValue): KeyCounters {
  return { version, byVariation: [], noVariation: undefined, defaultValue, kinds: [], more: undefined };
}

/** The counters of `version` among a key's versions (other than the first), if any. */
function findVersion(more: readonly VersionCounters[] | undefined, version: number | undefined): VersionCounters | undefined {
  if (!more) return undefined;
  for (let i = 0; i < more.length; i++) {
    const v = more[i]!;
    if (v.version === version) return v;
  }
  return undefined;
}

/** The counters of `version` in `entry`, created if it has none yet. */
function versionCounters(entry: KeyCounters, version: number | undefined): VersionCounters {
  if (entry.version === version) return entry;
  let counters = findVersion(entry.more, version);
  if (!counters) {
    counters = { version, byVariation: [], noVariation: undefined };
    (entry.more ??= []).push(counters);
  }
  return counters;
}
