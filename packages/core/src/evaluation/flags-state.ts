import { ConfigError } from '../errors/index.js';
import { Context } from '../context/context.js';
import { hmacSha256, toHex } from '../crypto/sha256.js';
import type { Flag } from '../model/flag.js';
import type { JsonValue } from '../value/json.js';
import type { EvaluationResult } from './evaluator.js';
import type { LDEvaluationReason } from './reasons.js';

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

/** Collects flag results into an {@link LDFlagsState}. */
export class FlagsStateBuilder {
  private readonly _values: Record<string, JsonValue | null> = {};
  private readonly _meta: Record<string, FlagMetadata> = {};

  constructor(
    private readonly _valid: boolean,
    private readonly _options: LDFlagsStateOptions = {},
  ) {}

  /** Whether `flag` belongs in the state under the options (client-side availability). */
  includes(flag: Flag): boolean {
    return !this._options.clientSideOnly || flag.clientSideAvailability.usingEnvironmentId;
  }

  /** Adds one flag's result. */
  add(flag: Flag, result: Pick<EvaluationResult, 'value' | 'variationIndex' | 'reason' | 'prerequisites'>): void {
    const experiment = isExperiment(flag, result.reason);
    const trackEvents = flag.trackEvents || experiment;
    const omitDetails =
      !!this._options.detailsOnlyForTrackedFlags && !trackEvents && !experiment && flag.debugEventsUntilDate === undefined;
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
    if (experiment || (this._options.withReasons && !omitDetails)) meta.reason = result.reason;
    if (trackEvents) meta.trackEvents = true;
    if (experiment) meta.trackReason = true;
    if (flag.debugEventsUntilDate !== undefined) meta.debugEventsUntilDate = flag.debugEventsUntilDate;
    if (result.prerequisites?.length) meta.prerequisites = Object.freeze([...result.prerequisites]);
    this._values[flag.key] = result.value;
    this._meta[flag.key] = Object.freeze(meta);
  }

  build(): LDFlagsState {
    const values = Object.freeze({ ...this._values });
    const meta = Object.freeze({ ...this._meta });
    const valid = this._valid;
    return Object.freeze({
      valid,
      getFlagValue: (key: string) => values[key],
      getFlagReason: (key: string) => meta[key]?.reason ?? null,
      allValues: () => values,
      toJSON: () => ({ ...values, $flagsState: meta, $valid: valid }),
    });
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
