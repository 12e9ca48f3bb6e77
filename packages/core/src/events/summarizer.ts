import type { Flag } from '../model/flag.js';
import type { JsonValue } from '../value/json.js';
import type { FlagSummary, SummaryCounter, SummaryOutputEvent } from './output.js';

interface Counter {
  readonly value: JsonValue;
  count: number;
}

/** The counters of one flag version (or of one unknown flag key). */
interface Entry {
  readonly key: string;
  /** Undefined for a flag that was not found. */
  readonly version: number | undefined;
  readonly defaultValue: JsonValue;
  readonly kinds: string[];
  /** By variation index. */
  readonly byVariation: (Counter | undefined)[];
  /** The default was served (no variation). */
  noVariation: Counter | undefined;
}

/**
 * Counts evaluations per flag, version and variation between flushes, and builds the `summary` event.
 *
 * Counting is O(1) and allocates nothing once a flag version and variation has been seen in the window:
 * counters are found by the {@link Flag} object itself (a new version is a new object), then by variation
 * index. Values and defaults are kept from the first evaluation of each counter only, so the caller copies
 * them (`toFrozenJson`) only when {@link EventSummarizer.incrementFlag} says the counter is new.
 *
 * The number of counters is bounded (`maxCounters`): flag data bounds known flags, but unknown flag keys
 * come from callers, and a summary must never grow without limit.
 */
export class EventSummarizer {
  private _byFlag = new Map<Flag, Entry>();
  private _byUnknownKey = new Map<string, Entry>();
  private _counters = 0;
  private _startDate = 0;
  private _endDate = 0;

  /** @param maxCounters counters kept per window; evaluations needing a new counter beyond it are refused. */
  constructor(private readonly maxCounters = 10_000) {}

  /** True when nothing has been counted since the last {@link EventSummarizer.takeSummary}. */
  get isEmpty(): boolean {
    return this._counters === 0;
  }

  /**
   * Counts one more evaluation of `flag` serving `variation` (null: the default) if that counter exists
   * already, which is the common case and allocates nothing. False when it does not: then call
   * {@link EventSummarizer.addFlag} with copies of the values.
   */
  incrementFlag(flag: Flag, variation: number | null, kinds: readonly string[], creationDate: number): boolean {
    const entry = this._byFlag.get(flag);
    if (!entry) return false;
    const counter = variation === null ? entry.noVariation : entry.byVariation[variation];
    if (!counter) return false;
    counter.count++;
    this._touch(entry, kinds, creationDate);
    return true;
  }

  /**
   * Counts the first evaluation of a flag version and variation in this window, keeping `value` and
   * `defaultValue` (which must not change afterwards). False when the counter limit refused it.
   */
  addFlag(flag: Flag, variation: number | null, value: JsonValue, defaultValue: JsonValue, kinds: readonly string[], creationDate: number): boolean {
    if (this._counters >= this.maxCounters) return false;
    let entry = this._byFlag.get(flag);
    if (!entry) {
      entry = newEntry(flag.key, flag.version, defaultValue);
      this._byFlag.set(flag, entry);
    }
    const counter = { value, count: 1 };
    if (variation === null) entry.noVariation = counter;
    else entry.byVariation[variation] = counter;
    this._counters++;
    this._touch(entry, kinds, creationDate);
    return true;
  }

  /** Like {@link EventSummarizer.incrementFlag}, for a flag key that was not found. */
  incrementUnknown(key: string, kinds: readonly string[], creationDate: number): boolean {
    const entry = this._byUnknownKey.get(key);
    if (!entry) return false;
    entry.noVariation!.count++;
    this._touch(entry, kinds, creationDate);
    return true;
  }

  /** Like {@link EventSummarizer.addFlag}, for a flag key that was not found (counted as `unknown`). */
  addUnknown(key: string, defaultValue: JsonValue, kinds: readonly string[], creationDate: number): boolean {
    if (this._counters >= this.maxCounters) return false;
    const entry = newEntry(key, undefined, defaultValue);
    entry.noVariation = { value: defaultValue, count: 1 };
    this._byUnknownKey.set(key, entry);
    this._counters++;
    this._touch(entry, kinds, creationDate);
    return true;
  }

  /** The summary of everything counted since the last call (undefined if nothing was), and a fresh window. */
  takeSummary(): SummaryOutputEvent | undefined {
    if (this._counters === 0) return undefined;
    const features: Record<string, { default: JsonValue; contextKinds: string[]; counters: SummaryCounter[] }> = {};
    const add = (entry: Entry) => {
      let summary = features[entry.key];
      if (!summary) {
        summary = { default: entry.defaultValue, contextKinds: [], counters: [] };
        features[entry.key] = summary;
      }
      for (const kind of entry.kinds) if (!summary.contextKinds.includes(kind)) summary.contextKinds.push(kind);
      const { version } = entry;
      const counter = (c: Counter, variation: number | undefined): SummaryCounter => ({
        value: c.value,
        count: c.count,
        ...(variation === undefined ? {} : { variation }),
        ...(version === undefined ? { unknown: true as const } : { version }),
      });
      entry.byVariation.forEach((c, i) => {
        if (c) summary.counters.push(counter(c, i));
      });
      if (entry.noVariation) summary.counters.push(counter(entry.noVariation, undefined));
    };
    for (const entry of this._byFlag.values()) add(entry);
    for (const entry of this._byUnknownKey.values()) add(entry);
    const event: SummaryOutputEvent = {
      kind: 'summary',
      startDate: this._startDate,
      endDate: this._endDate,
      features: features as Record<string, FlagSummary>,
    };
    this.clear();
    return event;
  }

  /** Forgets everything counted. */
  clear(): void {
    this._byFlag = new Map();
    this._byUnknownKey = new Map();
    this._counters = 0;
    this._startDate = 0;
    this._endDate = 0;
  }

  private _touch(entry: Entry, kinds: readonly string[], creationDate: number): void {
    const known = entry.kinds;
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[i]!;
      if (!known.includes(kind)) known.push(kind);
    }
    if (this._startDate === 0 || creationDate < this._startDate) this._startDate = creationDate;
    if (creationDate > this._endDate) this._endDate = creationDate;
  }
}

function newEntry(key: string, version: number | undefined, defaultValue: JsonValue): Entry {
  return { key, version, defaultValue, kinds: [], byVariation: [], noVariation: undefined };
}
