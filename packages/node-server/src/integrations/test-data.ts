import { DataKinds } from '@switchyard/core';

import type { DataSource } from '../data-sources/data-source.js';
import type { DataSourceUpdates } from '../data-sources/data-source-updates.js';
import type { DataSourceFactory } from '../options.js';

type Json = Record<string, unknown>;

const TRUE_VARIATION = 0;
const FALSE_VARIATION = 1;

function variationFor(value: boolean): number {
  return value ? TRUE_VARIATION : FALSE_VARIATION;
}

function copy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

interface ClauseJson {
  contextKind: string;
  attribute: string;
  op: 'in';
  values: unknown[];
  negate: boolean;
}

/**
 * A rule being built by {@link TestDataFlagBuilder.ifMatch} / `ifNotMatch`: add clauses with
 * `andMatch`/`andNotMatch`, finish with `thenReturn`.
 */
export class TestDataRuleBuilder {
  private readonly clauses: ClauseJson[];
  private variation: number | undefined;

  /** @internal */
  constructor(
    private readonly flag: TestDataFlagBuilder,
    clauses: readonly ClauseJson[] = [],
    variation?: number,
  ) {
    this.clauses = clauses.map((c) => ({ ...c, values: [...c.values] }));
    this.variation = variation;
  }

  /** Also requires the attribute of the context kind to be one of `values`. */
  andMatch(contextKind: string, attribute: string, ...values: unknown[]): TestDataRuleBuilder {
    this.clauses.push({ contextKind, attribute, op: 'in', values, negate: false });
    return this;
  }

  /** Also requires the attribute of the context kind to be none of `values`. */
  andNotMatch(contextKind: string, attribute: string, ...values: unknown[]): TestDataRuleBuilder {
    this.clauses.push({ contextKind, attribute, op: 'in', values, negate: true });
    return this;
  }

  /**
   * Finishes the rule: matching contexts get this variation (`true`/`false` makes the flag boolean, a
   * number is a variation index). Returns the flag builder.
   */
  thenReturn(variation: boolean | number): TestDataFlagBuilder {
    if (typeof variation === 'boolean') {
      this.flag.booleanFlag();
      return this.thenReturn(variationFor(variation));
    }
    this.variation = variation;
    this.flag.addRule(this);
    return this.flag;
  }

  /** @internal */
  build(index: number): Json {
    return { id: `rule${index}`, variation: this.variation, clauses: copy(this.clauses) };
  }

  /** @internal */
  clone(flag: TestDataFlagBuilder): TestDataRuleBuilder {
    return new TestDataRuleBuilder(flag, this.clauses, this.variation);
  }
}

/**
 * Builds a flag for {@link TestData} (LaunchDarkly's `TestDataFlagBuilder`). A new builder is a boolean
 * flag, on, serving `true` (and `false` when off). Pass it to {@link TestData.update} to apply it.
 */
export class TestDataFlagBuilder {
  private on_ = true;
  private variations_: unknown[] = [];
  private offVariation_: number | undefined;
  private fallthroughVariation_: number | undefined;
  /** variation index → context kind → keys */
  private targets: Map<number, Map<string, string[]>> | undefined;
  private rules: TestDataRuleBuilder[] | undefined;
  private migrationCheckRatio: number | undefined;
  private samplingRatio_: number | undefined;

  /** @internal */
  constructor(private readonly key: string) {}

  private get isBoolean(): boolean {
    return this.variations_.length === 2 && this.variations_[TRUE_VARIATION] === true && this.variations_[FALSE_VARIATION] === false;
  }

  /** Makes the flag boolean: variations `true`, `false`; `true` when on, `false` when off. */
  booleanFlag(): TestDataFlagBuilder {
    if (this.isBoolean) return this;
    return this.variations(true, false).fallthroughVariation(TRUE_VARIATION).offVariation(FALSE_VARIATION);
  }

  /** Sets the variation values (any JSON). */
  variations(...values: unknown[]): TestDataFlagBuilder {
    this.variations_ = [...values];
    return this;
  }

  /** Turns targeting on or off. */
  on(targetingOn: boolean): TestDataFlagBuilder {
    this.on_ = targetingOn;
    return this;
  }

  /** The variation for contexts no target or rule matched (`true`/`false` makes the flag boolean). */
  fallthroughVariation(variation: boolean | number): TestDataFlagBuilder {
    if (typeof variation === 'boolean') return this.booleanFlag().fallthroughVariation(variationFor(variation));
    this.fallthroughVariation_ = variation;
    return this;
  }

  /** The variation when targeting is off (`true`/`false` makes the flag boolean). */
  offVariation(variation: boolean | number): TestDataFlagBuilder {
    if (typeof variation === 'boolean') return this.booleanFlag().offVariation(variationFor(variation));
    this.offVariation_ = variation;
    return this;
  }

  /** Serves this variation to everyone: targeting on, targets and rules removed. */
  variationForAll(variation: boolean | number): TestDataFlagBuilder {
    return this.on(true).clearRules().clearAllTargets().fallthroughVariation(variation);
  }

  /** Serves this value to everyone, on or off: the only variation, targets and rules removed. */
  valueForAll(value: unknown): TestDataFlagBuilder {
    return this.variations(value).variationForAll(0);
  }

  /** Targets a user key (context kind `user`). */
  variationForUser(userKey: string, variation: boolean | number): TestDataFlagBuilder {
    return this.variationForContext('user', userKey, variation);
  }

  /** Targets a context key of a kind with a variation (removing it from any other variation's targets). */
  variationForContext(contextKind: string, contextKey: string, variation: boolean | number): TestDataFlagBuilder {
    if (typeof variation === 'boolean') return this.booleanFlag().variationForContext(contextKind, contextKey, variationFor(variation));
    this.targets ??= new Map();
    for (let i = 0; i < this.variations_.length; i++) {
      let byKind = this.targets.get(i);
      if (i === variation) {
        if (!byKind) this.targets.set(i, (byKind = new Map()));
        const keys = byKind.get(contextKind) ?? [];
        if (!keys.includes(contextKey)) keys.push(contextKey);
        byKind.set(contextKind, keys);
      } else if (byKind) {
        const keys = byKind.get(contextKind);
        if (keys) {
          const at = keys.indexOf(contextKey);
          if (at >= 0) keys.splice(at, 1);
          if (keys.length === 0) byKind.delete(contextKind);
        }
        if (byKind.size === 0) this.targets.delete(i);
      }
    }
    return this;
  }

  /** Removes every rule. */
  clearRules(): TestDataFlagBuilder {
    this.rules = undefined;
    return this;
  }

  /** Removes every target. */
  clearAllTargets(): TestDataFlagBuilder {
    this.targets = undefined;
    return this;
  }

  /** Starts a rule: the attribute of the context kind is one of `values`. */
  ifMatch(contextKind: string, attribute: string, ...values: unknown[]): TestDataRuleBuilder {
    return new TestDataRuleBuilder(this).andMatch(contextKind, attribute, ...values);
  }

  /** Starts a rule: the attribute of the context kind is none of `values`. */
  ifNotMatch(contextKind: string, attribute: string, ...values: unknown[]): TestDataRuleBuilder {
    return new TestDataRuleBuilder(this).andNotMatch(contextKind, attribute, ...values);
  }

  /** Sets the migration check ratio (kept in the flag data). */
  checkRatio(ratio: number): TestDataFlagBuilder {
    this.migrationCheckRatio = ratio;
    return this;
  }

  /** Sets the event sampling ratio. */
  samplingRatio(ratio: number): TestDataFlagBuilder {
    this.samplingRatio_ = ratio;
    return this;
  }

  /** @internal */
  addRule(rule: TestDataRuleBuilder): void {
    (this.rules ??= []).push(rule);
  }

  /** @internal */
  getKey(): string {
    return this.key;
  }

  /** @internal The flag's LaunchDarkly JSON at `version`. */
  build(version: number): Json {
    const flag: Json = {
      key: this.key,
      version,
      on: this.on_,
      offVariation: this.offVariation_,
      fallthrough: { variation: this.fallthroughVariation_ },
      variations: copy(this.variations_),
    };
    if (this.migrationCheckRatio !== undefined) flag.migration = { checkRatio: this.migrationCheckRatio };
    if (this.samplingRatio_ !== undefined) flag.samplingRatio = this.samplingRatio_;
    if (this.targets) {
      const targets: Json[] = [];
      const contextTargets: Json[] = [];
      for (const [variation, byKind] of this.targets) {
        for (const [contextKind, keys] of byKind) {
          // User targets live in `targets`; `contextTargets` marks where they are checked (as LaunchDarkly stores them).
          contextTargets.push({ contextKind, values: contextKind === 'user' ? [] : [...keys], variation });
          if (contextKind === 'user') targets.push({ values: [...keys], variation });
        }
      }
      flag.targets = targets;
      flag.contextTargets = contextTargets;
    }
    if (this.rules) flag.rules = this.rules.map((rule, i) => rule.build(i));
    return JSON.parse(JSON.stringify(flag)) as Json;
  }

  /** @internal */
  clone(): TestDataFlagBuilder {
    const out = new TestDataFlagBuilder(this.key);
    out.on_ = this.on_;
    out.variations_ = copy(this.variations_);
    out.offVariation_ = this.offVariation_;
    out.fallthroughVariation_ = this.fallthroughVariation_;
    if (this.targets) {
      out.targets = new Map([...this.targets].map(([v, byKind]) => [v, new Map([...byKind].map(([k, keys]) => [k, [...keys]]))]));
    }
    if (this.rules) out.rules = this.rules.map((r) => r.clone(out));
    out.migrationCheckRatio = this.migrationCheckRatio;
    out.samplingRatio_ = this.samplingRatio_;
    return out;
  }
}

/**
 * Flag data for tests, set from code (LaunchDarkly's `TestData`): pass `td.getFactory()` as `updateProcessor`
 * (the form both SDKs accept; Switchyard also takes `td` itself), then `td.update(td.flag('my-flag').variationForAll(true))`. Changes reach every
 * client using it the way stream patches do (versions increase, `update` events fire), and work with any
 * `featureStore`.
 */
export class TestData {
  private readonly flags = new Map<string, Json>();
  private readonly segments = new Map<string, Json>();
  private readonly builders = new Map<string, TestDataFlagBuilder>();
  private readonly sources = new Set<TestDataSource>();

  /** The `updateProcessor` factory. */
  getFactory(): DataSourceFactory {
    return (_context, updates, initSuccess) => {
      const source = new TestDataSource(this, updates, initSuccess);
      this.sources.add(source);
      return source;
    };
  }

  /**
   * A builder for `key`: a copy of the last one applied for it, or a new boolean flag (on, `true` for
   * everyone).
   */
  flag(key: string): TestDataFlagBuilder {
    return this.builders.get(key)?.clone() ?? new TestDataFlagBuilder(key).booleanFlag();
  }

  /** Applies a flag (version one higher than before); resolves when every client's store has it. */
  update(builder: TestDataFlagBuilder): Promise<unknown> {
    const key = builder.getKey();
    const flag = builder.build(((this.flags.get(key)?.version as number | undefined) ?? 0) + 1);
    this.flags.set(key, flag);
    this.builders.set(key, builder.clone());
    return this.push('features', flag);
  }

  /** Applies a complete flag as LaunchDarkly JSON (its version is bumped past the previous one). */
  usePreconfiguredFlag(flag: Json): Promise<unknown> {
    const item = copy(flag);
    const old = this.flags.get(item.key as string);
    if (old) item.version = (old.version as number) + 1;
    this.flags.set(item.key as string, item);
    this.builders.delete(item.key as string);
    return this.push('features', item);
  }

  /** Applies a complete segment as LaunchDarkly JSON (its version is bumped past the previous one). */
  usePreconfiguredSegment(segment: Json): Promise<unknown> {
    const item = copy(segment);
    const old = this.segments.get(item.key as string);
    if (old) item.version = (old.version as number) + 1;
    this.segments.set(item.key as string, item);
    return this.push('segments', item);
  }

  /** @internal The current data, as a `put` would carry it. */
  snapshot(): { features: Record<string, Json>; segments: Record<string, Json> } {
    return { features: Object.fromEntries(this.flags), segments: Object.fromEntries(this.segments) };
  }

  /** @internal */
  detach(source: TestDataSource): void {
    this.sources.delete(source);
  }

  private push(namespace: 'features' | 'segments', item: Json): Promise<unknown> {
    const kind = namespace === 'features' ? DataKinds.features : DataKinds.segments;
    return Promise.all([...this.sources].map((s) => s.upsert(kind, item)));
  }
}

class TestDataSource implements DataSource {
  constructor(
    private readonly owner: TestData,
    private readonly updates: DataSourceUpdates,
    private readonly initSuccess: () => void,
  ) {}

  start(): void {
    void this.updates.init(this.owner.snapshot()).then((ok) => {
      if (!ok) return;
      this.updates.updateStatus('VALID');
      this.initSuccess();
    });
  }

  upsert(kind: typeof DataKinds.features | typeof DataKinds.segments, item: Json): Promise<boolean> {
    return this.updates.upsert(kind, item);
  }

  close(): void {
    this.owner.detach(this);
  }
}
