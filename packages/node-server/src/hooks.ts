import type { LDContext, LDEvaluationDetail, LDLogger } from '@switchyard/core';

/** What a hook is told about the evaluation it runs around. */
export interface EvaluationSeriesContext {
  readonly flagKey: string;
  /** The context exactly as the caller passed it. */
  readonly context: LDContext;
  readonly defaultValue: unknown;
  /** The client method, e.g. `'LDClient.boolVariation'`. */
  readonly method: string;
  /** The environment ID from the `X-LD-EnvId` response header, once known. */
  readonly environmentId?: string;
}

/** Data a stage hands to the next stage of the same hook (the series). */
export type EvaluationSeriesData = { readonly [key: string]: unknown };

/**
 * What an evaluation used, beyond its detail (Switchyard only): passed to `afterEvaluation` as a fourth
 * argument and returned by `variationDetailWithMetadata`. A field is absent when the evaluation did not
 * get that far (no flag: no `flagVersion`; an invalid context: no `contextKey`).
 */
export interface EvaluationMetadata {
  /** The version of the flag that was evaluated. */
  readonly flagVersion?: number;
  /**
   * The context's canonical key (LaunchDarkly's: a `user` context's plain key, otherwise `kind:key` per
   * kind joined with `:`), the id OpenTelemetry's `feature_flag.context.id` and event deduplication use.
   */
  readonly contextKey?: string;
  /** The context's kinds, in the order given (e.g. `['user']`, `['org', 'user']`). */
  readonly contextKinds?: readonly string[];
}

/** {@link EvaluationMetadata} while the evaluation fills it in. */
export type EvaluationMetadataSink = { -readonly [K in keyof EvaluationMetadata]: EvaluationMetadata[K] };

/** A hook's name, for logs. */
export interface HookMetadata {
  readonly name: string;
}

/**
 * An evaluation hook (LaunchDarkly's `Hook`): `beforeEvaluation` runs before every variation-family call
 * (in registration order), `afterEvaluation` after it (in reverse order) with the result; what a stage
 * returns is passed to the same hook's next stage. A throwing stage is logged and skipped; it never
 * changes the evaluation.
 *
 * Switchyard passes `afterEvaluation` a fourth argument LaunchDarkly's SDK does not: the
 * {@link EvaluationMetadata} (flag version, context key and kinds), so a tracing hook can record
 * `feature_flag.version` and `feature_flag.context.id`. Hooks written for LaunchDarkly ignore it.
 */
export interface Hook {
  getMetadata(): HookMetadata;
  beforeEvaluation?(hookContext: EvaluationSeriesContext, data: EvaluationSeriesData): EvaluationSeriesData;
  afterEvaluation?(
    hookContext: EvaluationSeriesContext,
    data: EvaluationSeriesData,
    detail: LDEvaluationDetail,
    metadata?: EvaluationMetadata,
  ): EvaluationSeriesData;
}

const EMPTY: EvaluationSeriesData = Object.freeze({});

/** Runs hooks around evaluations. Only used when at least one hook is registered. */
export class HookRunner {
  private readonly hooks: Hook[];

  constructor(
    private readonly logger: LDLogger,
    hooks: readonly Hook[],
  ) {
    this.hooks = [...hooks];
  }

  get size(): number {
    return this.hooks.length;
  }

  add(hook: Hook): void {
    this.hooks.push(hook);
  }

  /** Runs every `beforeEvaluation`; returns the series state for {@link HookRunner.after}. */
  before(hookContext: EvaluationSeriesContext): { hooks: readonly Hook[]; data: EvaluationSeriesData[] } {
    const hooks = [...this.hooks];
    const data = hooks.map((hook) => this.stage(hook, 'beforeEvaluation', () => hook.beforeEvaluation?.(hookContext, EMPTY)));
    return { hooks, data };
  }

  /** Runs every `afterEvaluation`, last hook first. */
  after(
    series: { hooks: readonly Hook[]; data: EvaluationSeriesData[] },
    hookContext: EvaluationSeriesContext,
    detail: LDEvaluationDetail,
    metadata: EvaluationMetadata,
  ): void {
    // The evaluation is over: nothing writes the metadata any more, so it is frozen in place (no copy).
    const frozen = Object.freeze(metadata);
    for (let i = series.hooks.length - 1; i >= 0; i--) {
      const hook = series.hooks[i]!;
      this.stage(hook, 'afterEvaluation', () => hook.afterEvaluation?.(hookContext, series.data[i] ?? EMPTY, detail, frozen));
    }
  }

  private stage(hook: Hook, stage: string, run: () => EvaluationSeriesData | undefined): EvaluationSeriesData {
    try {
      return run() ?? EMPTY;
    } catch (err) {
      this.logger.error(`[switchyard/node-server] an error was encountered in "${stage}" of the "${this.name(hook)}" hook: ${String(err)}`);
      return EMPTY;
    }
  }

  private name(hook: Hook): string {
    try {
      return hook.getMetadata().name ?? 'unknown hook';
    } catch {
      return 'unknown hook';
    }
  }
}
