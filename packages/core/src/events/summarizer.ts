import type { Flag } from '../model/flag.js';
import type { JsonValue } from '../value/json.js';
import type { FlagSummary, SummaryCounter, SummaryOutputEvent } from './output.js';

/**
 * The parts of the context evaluated (`context.parts()`); only their kinds are read. Parts rather than
 * `context.kinds`, which a borrowed multi-kind context would build as a new array on every evaluation.
 */
export type ContextKinds = readonly { readonly kind: string }[];

/**
 * The counters of one flag version, or of the flag key when it was not found (`version` undefined), by
 * slot: variation index + 1, slot 0 being "the default was served".
 *
 * The counts of slots 0–3 (the default and variations 0–2: every boolean flag, most others) are fields
 * of this object, not elements of an array: every evaluation increments a counter of a random flag, and
 * each further object touched is a likely cache miss. Higher slots are counted in `rest`.
 */
class VersionCounters {
  /** Counts of slots 0–3; 0 where nothing was counted yet. */
  private _c0 = 0;
  private _c1 = 0;
  private _c2 = 0;
  private _c3 = 0;
  /** Counts by slot from slot 4 on; a hole where nothing was counted yet. */
  private _rest: number[] | undefined = undefined;
  /** The value served, by slot (kept from the first evaluation counted); its length bounds the slots. */
  readonly values: JsonValue[] = [];
  /** The key's counters (this object itself for the key's first version). */
  readonly owner: KeyCounters;

  constructor(
    readonly version: number | undefined,
    owner: KeyCounters | undefined,
  ) {
    this.owner = owner ?? (this as unknown as KeyCounters);
  }

  /** Evaluations counted in `slot` (0: none). */
  count(slot: number): number {
    switch (slot) {
      case 0:
        return this._c0;
      case 1:
        return this._c1;
      case 2:
        return this._c2;
      case 3:
        return this._c3;
      default:
        return this._rest?.[slot] ?? 0;
    }
  }

  /** Counts one more evaluation in `slot` if it has been counted before; false (nothing counted) if not. */
  increment(slot: number): boolean {
    switch (slot) {
      case 0:
        if (this._c0 === 0) return false;
        this._c0++;
        return true;
      case 1:
        if (this._c1 === 0) return false;
        this._c1++;
        return true;
      case 2:
        if (this._c2 === 0) return false;
        this._c2++;
        return true;
      case 3:
        if (this._c3 === 0) return false;
        this._c3++;
        return true;
      default: {
        const rest = this._rest;
        const n = rest?.[slot];
        if (n === undefined) return false;
        rest![slot] = n + 1;
        return true;
      }
    }
  }

  /** Counts `n` evaluations in `slot` at once (a merged summary), keeping `value` if they are the slot's first. */
  addCount(slot: number, value: JsonValue, n: number): void {
    const before = this.count(slot);
    if (before === 0) this.values[slot] = value;
    const after = before + n;
    switch (slot) {
      case 0:
        this._c0 = after;
        break;
      case 1:
        this._c1 = after;
        break;
      case 2:
        this._c2 = after;
        break;
      case 3:
        this._c3 = after;
        break;
      default:
        (this._rest ??= [])[slot] = after;
    }
  }

  /** Counts one evaluation in `slot`, keeping `value` if it is the slot's first. */
  add(slot: number, value: JsonValue): void {
    if (this.increment(slot)) return;
    this.values[slot] = value;
    switch (slot) {
      case 0:
        this._c0 = 1;
        break;
      case 1:
        this._c1 = 1;
        break;
      case 2:
        this._c2 = 1;
        break;
      case 3:
        this._c3 = 1;
        break;
      default:
        (this._rest ??= [])[slot] = 1;
    }
  }
}

/**
 * Everything counted for one flag key in the window: the counters of the first version seen, inline (the
 * common case is one version per window, found without another indirection), and of any other versions
 * (or "not found") in `more`.
 */
class KeyCounters extends VersionCounters {
  /** The context kinds counted, in the order first seen. */
  readonly kinds: string[] = [];
  /** `kinds[0]` and `kinds[1]`, inline: checking a context's kinds rarely needs the array. */
  kind0: string | undefined = undefined;
  kind1: string | undefined = undefined;
  more: VersionCounters[] | undefined = undefined;

  constructor(
    version: number | undefined,
    /** The caller's default of the first evaluation of this key in the window (LaunchDarkly keeps the first too). */
    readonly defaultValue: JsonValue,
  ) {
    super(version, undefined);
  }

  /** Adds `kind` to the kinds counted if it is not there yet. */
  addKind(kind: string): void {
    if (kind === this.kind0 || kind === this.kind1) return;
    const kinds = this.kinds;
    for (let i = 2; i < kinds.length; i++) if (kinds[i] === kind) return;
    kinds.push(kind);
    if (kinds.length === 1) this.kind0 = kind;
    else if (kinds.length === 2) this.kind1 = kind;
  }
}

/** The counter slot of a variation index (null: the default was served). */
function slotOf(variation: number | null): number {
  return variation === null ? 0 : variation + 1;
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
 * Counting is O(1) and allocates nothing once a counter exists: one `WeakMap` lookup by `Flag` object
 * (falling back, once per object and window, to a `Map` lookup by flag key and a comparison with the
 * key's versions), then a field of the version's counters by variation. No counter key string is built
 * per evaluation, and few objects are touched (see `VersionCounters`): this runs on every
 * evaluation with events on, for a flag that is rarely the previous one. Values and defaults are kept from the first evaluation
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
  /**
   * The counters of a flag version by `Flag` object, for this window: the evaluator has just read that
   * object, so looking it up by identity is cheaper than hashing its key (a string the evaluator did not
   * touch; measurably so). Objects of the same key and version share counters through `_byKey`.
   */
  private _byFlag = new WeakMap<Flag, VersionCounters>();
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
  incrementFlag(flag: Flag, variation: number | null, parts: ContextKinds, creationDate: number): boolean {
    let counters = this._byFlag.get(flag);
    if (counters === undefined) {
      const entry = this._byKey.get(flag.key);
      if (!entry) return false;
      counters = entry.version === flag.version ? entry : findVersion(entry.more, flag.version);
      if (!counters) return false;
      this._byFlag.set(flag, counters);
    }
    if (!counters.increment(slotOf(variation))) return false;
    this._touch(counters.owner, parts, creationDate);
    return true;
  }

  /**
   * Counts the first evaluation of a flag version and variation in this window, keeping `value` and
   * `defaultValue` (which must not change afterwards). Always counts: known flags are not limited.
   */
  addFlag(flag: Flag, variation: number | null, value: JsonValue, defaultValue: JsonValue, parts: ContextKinds, creationDate: number): void {
    let entry = this._byKey.get(flag.key);
    if (!entry) {
      entry = new KeyCounters(flag.version, defaultValue);
      this._byKey.set(flag.key, entry);
    }
    const counters = versionCounters(entry, flag.version);
    this._byFlag.set(flag, counters);
    counters.add(slotOf(variation), value);
    this._touch(entry, parts, creationDate);
  }

  /** Like {@link EventSummarizer.incrementFlag}, for a flag key that was not found. */
  incrementUnknown(key: string, parts: ContextKinds, creationDate: number): boolean {
    const entry = this._byKey.get(key);
    if (!entry) return false;
    const counters = entry.version === undefined ? entry : findVersion(entry.more, undefined);
    if (!counters?.increment(0)) return false;
    this._touch(entry, parts, creationDate);
    return true;
  }

  /**
   * Like {@link EventSummarizer.addFlag}, for a flag key that was not found (counted as `unknown`). False
   * when the key is new and the window already holds `maxUnknownFlagKeys` keys that only unknown
   * evaluations created: then nothing was counted.
   */
  addUnknown(key: string, defaultValue: JsonValue, parts: ContextKinds, creationDate: number): boolean {
    let entry = this._byKey.get(key);
    if (!entry) {
      if (this._unknownKeys >= this._maxUnknownFlagKeys) return false;
      this._unknownKeys++;
      entry = new KeyCounters(undefined, defaultValue);
      this._byKey.set(key, entry);
    }
    versionCounters(entry, undefined).add(0, defaultValue);
    this._touch(entry, parts, creationDate);
    return true;
  }

  /**
   * Adds the counts of a summary event another summarizer built (a cluster worker's, forwarded to the
   * primary), as if its evaluations had been counted here: counters of the same key, version and variation
   * add up, context kinds are united, the window grows to cover both. Values and defaults already counted
   * here are kept. A new flag key made only of `unknown` counters is subject to `maxUnknownFlagKeys`;
   * returns how many evaluations were left out because of it (0 normally). Malformed counters are skipped.
   */
  merge(summary: SummaryOutputEvent): number {
    let refused = 0;
    for (const [key, flag] of Object.entries(summary.features)) {
      const counters = Array.isArray(flag?.counters) ? flag.counters : [];
      let entry = this._byKey.get(key);
      if (!entry) {
        const first = counters[0];
        if (!first) continue;
        const firstVersion = first.unknown ? undefined : first.version;
        if (firstVersion === undefined && counters.every((c) => c.unknown)) {
          if (this._unknownKeys >= this._maxUnknownFlagKeys) {
            for (const c of counters) refused += c.count;
            continue;
          }
          this._unknownKeys++;
        }
        entry = new KeyCounters(firstVersion, flag.default ?? null);
        this._byKey.set(key, entry);
      }
      for (const c of counters) {
        if (typeof c.count !== 'number' || !(c.count > 0)) continue;
        const version = c.unknown ? undefined : c.version;
        const slot = typeof c.variation === 'number' && c.variation >= 0 ? c.variation + 1 : 0;
        versionCounters(entry, version).addCount(slot, c.value ?? null, c.count);
      }
      for (const kind of Array.isArray(flag.contextKinds) ? flag.contextKinds : []) entry.addKind(kind);
    }
    if (summary.startDate > 0 && (this._startDate === 0 || summary.startDate < this._startDate)) this._startDate = summary.startDate;
    if (summary.endDate > this._endDate) this._endDate = summary.endDate;
    return refused;
  }

  /** The summary of everything counted since the last call (undefined if nothing was), and a fresh window. */
  takeSummary(): SummaryOutputEvent | undefined {
    if (this._byKey.size === 0) return undefined;
    const features: Record<string, FlagSummary> = {};
    for (const [key, entry] of this._byKey) {
      const counters: SummaryCounter[] = [];
      for (const c of [entry, ...(entry.more ?? [])]) {
        const version = c.version;
        const out = (slot: number): SummaryCounter => ({
          value: c.values[slot]!,
          count: c.count(slot),
          ...(slot === 0 ? {} : { variation: slot - 1 }),
          ...(version === undefined ? { unknown: true as const } : { version }),
        });
        // Variations in index order, then the default (slot 0).
        for (let slot = 1; slot < c.values.length; slot++) if (c.count(slot) > 0) counters.push(out(slot));
        if (c.count(0) > 0) counters.push(out(0));
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
    this._byFlag = new WeakMap();
    this._unknownKeys = 0;
    this._startDate = 0;
    this._endDate = 0;
  }

  private _touch(entry: KeyCounters, parts: ContextKinds, creationDate: number): void {
    for (let i = 0; i < parts.length; i++) entry.addKind(parts[i]!.kind);
    if (this._startDate === 0 || creationDate < this._startDate) this._startDate = creationDate;
    if (creationDate > this._endDate) this._endDate = creationDate;
  }
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
    counters = new VersionCounters(version, entry);
    (entry.more ??= []).push(counters);
  }
  return counters;
}
