import { ConfigError } from '../errors/index.js';
import { Context } from '../context/context.js';
import { hmacSha256, toHex } from '../crypto/sha256.js';
import type { Flag } from '../model/flag.js';
import type { JsonValue } from '../value/json.js';
import type { LDEvaluationReason } from './reasons.js';
import type { EvaluationResult } from './result.js';

/** Options of `allFlagsState`, as in LaunchDarkly's SDK. */
export interface LDFlagsStateOptions {
  /** Only flags available to client-side (environment-ID) SDKs. Default false. */
  clientSideOnly?: boolean;
  /** Include each flag's evaluation reason. Default false. */
  withReasons?: boolean;
  /** Omit version and reason for flags that have no event tracking or debugging on (smaller payloads). Default false. */
  detailsOnlyForTrackedFlags?: boolean;
}

/** Per-flag metadata in the `$flagsState` JSON. */
export interface FlagMetadata {
  readonly variation?: number;
  readonly version?: number;
  readonly reason?: LDEvaluationReason;
  readonly trackEvents?: true;
  readonly trackReason?: true;
  readonly debugEventsUntilDate?: number;
  readonly prerequisites?: readonly string[];
}

/** A snapshot of all flag values for one context, e.g. to bootstrap a client-side SDK. */
export interface LDFlagsState {
  /** False when the state could not be computed (invalid context, client not ready). */
  readonly valid: boolean;
  /** The value of one flag (undefined if it was not included). */
  getFlagValue(key: string): JsonValue | null | undefined;
  /** The reason of one flag (null when reasons were not requested). */
  getFlagReason(key: string): LDEvaluationReason | null;
  /** Every included flag's value, by key (frozen). */
  allValues(): Readonly<Record<string, JsonValue | null>>;
  /** LaunchDarkly's bootstrap JSON: `{ <key>: value, …, $flagsState: {…}, $valid: true }`. */
  toJSON(): Record<string, unknown>;
}

/** True when the result of evaluating `flag` must carry experiment data (full events, the reason). */
export function isExperiment(flag: Flag, reason: LDEvaluationReason): boolean {
  if (reason.inExperiment) return true;
  if (reason.kind === 'RULE_MATCH') {
    const i = reason.ruleIndex;
    return i !== undefined && i >= 0 && i < flag.rules.length && flag.rules[i]!.trackEvents;
  }
  if (reason.kind === 'FALLTHROUGH') return flag.trackEventsFallthrough;
  return false;
}

/**
 * Metadata of results that depend on nothing but the flag (the evaluator's shared, frozen outcomes), by
 * options (bit 1 `withReasons`, bit 2 `detailsOnlyForTrackedFlags`): the same flag served the same way
 * gets the same frozen metadata object in every state, so `allFlagsState` builds one per flag and outcome.
 */
const sharedMeta: readonly WeakMap<object, FlagMetadata>[] = [new WeakMap(), new WeakMap(), new WeakMap(), new WeakMap()];

type Result = Pick<EvaluationResult, 'value' | 'variationIndex' | 'reason' | 'prerequisites'>;

/** Collects flag results into an {@link LDFlagsState}. */
export class FlagsStateBuilder {
  private readonly _keys: string[] = [];
  private readonly _values: (JsonValue | null)[] = [];
  private readonly _metas: FlagMetadata[] = [];
  private readonly _withReasons: boolean;
  private readonly _detailsOnly: boolean;
  private readonly _shared: WeakMap<object, FlagMetadata>;

  constructor(
    private readonly _valid: boolean,
    private readonly _options: LDFlagsStateOptions = {},
  ) {
    this._withReasons = !!_options.withReasons;
    this._detailsOnly = !!_options.detailsOnlyForTrackedFlags;
    this._shared = sharedMeta[(this._withReasons ? 1 : 0) | (this._detailsOnly ? 2 : 0)]!;
  }

  /** Whether `flag` belongs in the state under the options (client-side availability). */
  includes(flag: Flag): boolean {
    return !this._options.clientSideOnly || flag.clientSideAvailability.usingEnvironmentId;
  }

  /** Adds one flag's result. */
  add(flag: Flag, result: Result): void {
    let meta: FlagMetadata | undefined;
    // A frozen result without prerequisites is one of the evaluator's prepared outcomes of this flag (error
    // outcomes are shared by all flags, so they are left out).
    const shareable = result.prerequisites === undefined && result.reason.kind !== 'ERROR' && Object.isFrozen(result);
    if (shareable) meta = this._shared.get(result);
    if (meta === undefined) {
      meta = this._meta(flag, result);
      if (shareable) this._shared.set(result, meta);
    }
    this._keys.push(flag.key);
    this._values.push(result.value);
    this._metas.push(meta);
  }

  private _meta(flag: Flag, result: Result): FlagMetadata {
    const experiment = isExperiment(flag, result.reason);
    const trackEvents = flag.trackEvents || experiment;
    const omitDetails = this._detailsOnly && !trackEvents && flag.debugEventsUntilDate === undefined;
    // Properties added in LaunchDarkly's order, so the JSON is byte-for-byte the same.
    const meta: {
      variation?: number;
      version?: number;
      reason?: LDEvaluationReason;
      trackEvents?: true;
      trackReason?: true;
      debugEventsUntilDate?: number;
      prerequisites?: readonly string[];
    } = {};
    if (result.variationIndex !== null) meta.variation = result.variationIndex;
    if (!omitDetails) meta.version = flag.version;
    if (experiment || (this._withReasons && !omitDetails)) meta.reason = result.reason;
    if (trackEvents) meta.trackEvents = true;
    if (experiment) meta.trackReason = true;
    if (flag.debugEventsUntilDate !== undefined) meta.debugEventsUntilDate = flag.debugEventsUntilDate;
    if (result.prerequisites?.length) meta.prerequisites = Object.freeze([...result.prerequisites]);
    return Object.freeze(meta);
  }

  /**
   * The state. Its objects are made when asked for: `toJSON()` builds a fresh object per call (the
   * caller owns it), `allValues()` one frozen object on first use. A state that is only serialized
   * never builds the others.
   */
  build(): LDFlagsState {
    return new FlagsState(this._valid, this._keys, this._values, this._metas);
  }
}

class FlagsState implements LDFlagsState {
  private _allValues: Readonly<Record<string, JsonValue | null>> | undefined;
  private _index: Map<string, number> | undefined;

  constructor(
    readonly valid: boolean,
    private readonly _keys: readonly string[],
    private readonly _values: readonly (JsonValue | null)[],
    private readonly _metas: readonly FlagMetadata[],
  ) {}

  private _at(key: string): number | undefined {
    if (!this._index) this._index = new Map(this._keys.map((k, i) => [k, i]));
    return this._index.get(key);
  }

  getFlagValue(key: string): JsonValue | null | undefined {
    const i = this._at(key);
    return i === undefined ? undefined : this._values[i];
  }

  getFlagReason(key: string): LDEvaluationReason | null {
    const i = this._at(key);
    return (i === undefined ? undefined : this._metas[i]!.reason) ?? null;
  }

  allValues(): Readonly<Record<string, JsonValue | null>> {
    if (!this._allValues) {
      const values: Record<string, JsonValue | null> = {};
      for (let i = 0; i < this._keys.length; i++) values[this._keys[i]!] = this._values[i]!;
      this._allValues = Object.freeze(values);
    }
    return this._allValues;
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const meta: Record<string, FlagMetadata> = {};
    const keys = this._keys;
    for (let i = 0; i < keys.length; i++) {
      out[keys[i]!] = this._values[i]!;
      meta[keys[i]!] = this._metas[i]!;
    }
    out.$flagsState = meta;
    out.$valid = this.valid;
    return out;
  }
}

/**
 * LaunchDarkly's secure-mode hash: HMAC-SHA256 of the context's canonical key with the SDK key, as hex.
 * Throws {@link ConfigError} for an invalid context, as LaunchDarkly's SDK does (there is no hash to give).
 */
export function secureModeHash(sdkKey: string, context: unknown): string {
  const c = Context.from(context);
  if (!c.valid) throw new ConfigError(`[switchyard/core] secureModeHash: invalid context: ${c.error}`);
  return toHex(hmacSha256(sdkKey, c.canonicalKey));
}
