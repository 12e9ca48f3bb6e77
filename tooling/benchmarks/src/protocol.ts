/**
 * What a scenario is, what it reports, and how the runner and a scenario process talk. The runner
 * (main.ts) starts the fake flag service and any other service once; each scenario runs in its own
 * process (child.ts) for one SDK at a time and prints one {@link ScenarioOutput} line.
 */

/** The two SDKs measured side by side. */
export type SdkName = 'switchyard' | 'launchdarkly';

export const SDKS: readonly SdkName[] = ['switchyard', 'launchdarkly'];

/** Which generated workload a scenario uses (see workload.ts). */
export type WorkloadName = 'standard' | 'large';

/** One number a scenario reports, and how the Switchyard / LaunchDarkly ratio of it is judged. */
export interface MetricSpec {
  readonly name: string;
  readonly unit: string;
  /** Whether a bigger number is better (throughput) or worse (time, memory). */
  readonly better: 'higher' | 'lower';
  /**
   * The target for the ratio Switchyard / LaunchDarkly: at least this (`higher`) or at most this
   * (`lower`). Undefined: reported, no target.
   */
  readonly target?: number;
  /** Measured for Switchyard only (no counterpart in LaunchDarkly's SDK, e.g. the synchronous path). */
  readonly switchyardOnly?: boolean;
  /** Compared with this metric of LaunchDarkly's run instead of the same name (the sync path vs LD's awaited call). */
  readonly comparedWith?: string;
}

/** What the runner gives a scenario process. */
export interface ScenarioInput {
  readonly scenario: string;
  readonly sdk: SdkName;
  /** The fake flag service serving the scenario's workload: stream, polling and events. */
  readonly serviceUrl: string;
  /** Where to ask the runner's fake service to send a patch (update-latency scenario). */
  readonly controlUrl: string;
  /** Services the scenario asked for, by name (e.g. `redis` → `redis://127.0.0.1:port`). */
  readonly services: Readonly<Record<string, string>>;
  /** Milliseconds per measured phase (throughput loops). */
  readonly phaseMs: number;
}

/** What a scenario process prints (one JSON line starting with {@link RESULT_PREFIX}). */
export interface ScenarioOutput {
  readonly metrics: Readonly<Record<string, number>>;
  /**
   * A digest of every value and reason the scenario's correctness pass saw, in order. The runner prints
   * no ratio for a scenario whose digests differ between the SDKs.
   */
  readonly digest: string;
  /** How many evaluations the digest covers. */
  readonly digestCount: number;
}

export const RESULT_PREFIX = 'BENCH-RESULT ';

/** A scenario: runs in its own process for one SDK and reports its metrics. */
export interface Scenario {
  readonly name: string;
  /** One line for the table and the README. */
  readonly title: string;
  readonly workload: WorkloadName;
  readonly metrics: readonly MetricSpec[];
  /** Services the runner must start before this scenario runs. */
  readonly services?: readonly 'redis'[];
  run(input: ScenarioInput): Promise<ScenarioOutput>;
}
