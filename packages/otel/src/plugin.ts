import { diag } from '@opentelemetry/api';
import type { EnvironmentMetadata, Hook, Plugin, PluginMetadata } from '@switchyard/node-server';

import { EvaluationMetricsHook, type MetricsClient, SwitchyardInstruments } from './metrics.js';
import { booleanOption, optionsObject, PREFIX, type SwitchyardOtelPluginOptions } from './options.js';
import { TracingHook } from './tracing-hook.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

function isMetricsClient(client: unknown): client is MetricsClient {
  const store = (client as { dataStoreStatusProvider?: unknown } | null | undefined)?.dataStoreStatusProvider;
  return typeof store === 'object' && store !== null && typeof (store as { getMetrics?: unknown }).getMetrics === 'function';
}

/**
 * Everything in one: the {@link TracingHook} (evaluation events, optional spans) and the metrics of
 * {@link registerMetrics}, wired when the client registers its plugins.
 *
 * ```ts
 * const otel = new SwitchyardOtelPlugin({ spans: true });
 * const client = init(sdkKey, { plugins: [otel] });
 * // on shutdown:
 * otel.shutdown();
 * await client.close();
 * ```
 *
 * One plugin may serve several clients; give each its own plugin with distinct `metricAttributes` if
 * their metrics must be told apart. Instruments are created with the plugin, from the meter provider
 * given or the global one at that moment. Neither the plugin nor the meter holds a strong reference to
 * a client.
 */
export class SwitchyardOtelPlugin implements Plugin {
  private readonly hooks: readonly Hook[];
  private readonly instruments: SwitchyardInstruments | undefined;
  private readonly metricsHook: EvaluationMetricsHook | undefined;
  private readonly stops: (() => void)[] = [];
  private stopped = false;

  /**
   * @param options see {@link SwitchyardOtelPluginOptions}; checked at once, a mistake throws a
   *   `ConfigError` naming the option.
   */
  constructor(options?: SwitchyardOtelPluginOptions) {
    const o = optionsObject(options);
    const tracing = booleanOption('tracing', o.tracing, true);
    const withMetrics = booleanOption('metrics', o.metrics, true);
    const tracingHook = tracing ? new TracingHook(o) : undefined;
    this.instruments = withMetrics ? new SwitchyardInstruments(o) : undefined;
    this.metricsHook = this.instruments?.countEvaluations ? new EvaluationMetricsHook(this.instruments) : undefined;
    this.hooks = [...(tracingHook ? [tracingHook] : []), ...(this.metricsHook ? [this.metricsHook] : [])];
  }

  /** The plugin's name and version, for Switchyard's logs. */
  getMetadata(): PluginMetadata {
    return { name: PACKAGE_NAME, version: PACKAGE_VERSION };
  }

  /** The tracing hook and the evaluation-counting hook, as configured. */
  getHooks(_environmentMetadata?: EnvironmentMetadata): Hook[] {
    return [...this.hooks];
  }

  /** Starts the store and event metrics for `client`. Never throws; the SDK key is never read. */
  register(client: unknown, _environmentMetadata?: EnvironmentMetadata): void {
    if (!this.instruments || this.stopped) return;
    try {
      if (!isMetricsClient(client)) {
        diag.warn(`${PREFIX} the plugin was registered with something that is not a Switchyard client; store and event metrics are off`);
        return;
      }
      this.stops.push(this.instruments.observe(client));
    } catch (err) {
      diag.error(`${PREFIX} the plugin could not start the metrics: ${String(err)}`);
    }
  }

  /**
   * Stops recording metrics for every client this plugin was registered with (observable callbacks and
   * store listeners removed) and makes the hooks' metrics record nothing more. Tracing continues (the
   * hook stays on the client). Idempotent.
   */
  shutdown(): void {
    this.stopped = true;
    if (this.metricsHook) this.metricsHook.stopped = true;
    for (const stop of this.stops.splice(0)) stop();
  }
}
