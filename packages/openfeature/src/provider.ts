import {
  ErrorCode,
  GeneralError,
  OpenFeatureEventEmitter,
  ProviderEvents,
  ProviderFatalError,
  StandardResolutionReasons,
  type EvaluationContext,
  type Hook,
  type JsonValue,
  type Provider,
  type ProviderMetadata,
  type ResolutionDetails,
  type TrackingEventDetails,
} from '@openfeature/server-sdk';
import {
  ConfigError,
  Context,
  TimeoutError,
  basicLogger,
  init,
  type DataSourceStatus,
  type LDClient,
  type LDContext,
  type LDLogger,
} from '@switchyard/node-server';

import { translateContext } from './context/translate.js';
import type { RequestedType } from './evaluation/errors.js';
import { toResolution } from './evaluation/resolution.js';
import { resolveProviderOptions, type ResolvedProviderOptions, type SwitchyardProviderOptions } from './options.js';
import { translateTrackingDetails } from './tracking.js';
import { PACKAGE_VERSION, PREFIX } from './version.js';

/** The provider's `metadata.name`, which OpenFeature reports as `providerName` in events. */
export const PROVIDER_NAME = 'switchyard-node-provider';

/** The `wrapperName` a client created by the provider sends (`X-LaunchDarkly-Wrapper`). */
export const WRAPPER_NAME = 'switchyard-openfeature';

/** Most distinct context problems logged per provider; more are not logged (bounded memory). */
const MAX_LOGGED_PROBLEMS = 100;

/**
 * Where the provider is in its life:
 * - `idle`: created, `initialize()` not called yet;
 * - `initializing`: waiting for the client;
 * - `ready` / `stale` / `error`: serving (stale: the data source is reconnecting; error: the client
 *   did not initialize in time or its data source stopped, and it serves what it has);
 * - `fatal`: the client failed for good before it had data;
 * - `closed`: `onClose()` ran.
 */
type Phase = 'idle' | 'initializing' | 'ready' | 'stale' | 'error' | 'fatal' | 'closed';

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isSwitchyardClient(value: unknown): value is LDClient {
  const client = value as Partial<LDClient> | null;
  return (
    typeof client === 'object' &&
    client !== null &&
    typeof client.variationDetailWithMetadata === 'function' &&
    typeof client.waitForInitialization === 'function' &&
    typeof client.on === 'function' &&
    typeof client.dataSourceStatusProvider?.on === 'function'
  );
}

/**
 * An OpenFeature server provider (`@openfeature/server-sdk` 1.x) backed by a Switchyard client
 * (`@switchyard/node-server`).
 *
 * ```ts
 * await OpenFeature.setProviderAndWait(new SwitchyardProvider(process.env.LD_SDK_KEY!, { clientOptions: { … } }));
 * // or, with a client you already have:
 * await OpenFeature.setProviderAndWait(new SwitchyardProvider(client));
 * ```
 *
 * Contexts are translated as LaunchDarkly's provider translates them ({@link translateContext}), so
 * OpenFeature code written against `@launchdarkly/openfeature-node-server` works unchanged. Beyond it,
 * each resolution carries `flagMetadata` (flag version, context id, variation index and the
 * LaunchDarkly reason), OpenFeature's standard reasons are available (`standardReasons: true`), and
 * the provider emits `STALE`, `ERROR` and `READY` as the client's data source loses and regains its
 * connection. Evaluation never throws: every problem is a default value with an error code.
 */
export class SwitchyardProvider implements Provider {
  /** `{ name: 'switchyard-node-provider' }`. */
  readonly metadata: ProviderMetadata = Object.freeze({ name: PROVIDER_NAME });
  /** This provider is for OpenFeature's server SDK. */
  readonly runsOn = 'server' as const;
  /** Where the provider emits `READY`, `STALE`, `ERROR` and `CONFIGURATION_CHANGED`. */
  readonly events = new OpenFeatureEventEmitter();
  /** No provider hooks: the client runs its own hooks (`LDOptions.hooks`) on every evaluation. */
  readonly hooks: Hook[] = [];

  private readonly _client: LDClient | undefined;
  private readonly _createError: unknown;
  private readonly _options: ResolvedProviderOptions;
  private readonly _logger: LDLogger;
  private readonly _logged = new Set<string>();
  private readonly _unsubscribe: (() => void)[] = [];
  private _phase: Phase = 'idle';
  private _lastStatus: DataSourceStatus | undefined;
  private _reconcileTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Wraps a Switchyard client you created (`init(sdkKey, options)`). The provider does not close it
   * unless `options.closeClient` is `true`.
   */
  constructor(client: LDClient, options?: SwitchyardProviderOptions);
  /**
   * Creates a client for `sdkKey` with `options.clientOptions`; `onClose` closes it. A client that
   * cannot be created (an empty SDK key) makes `initialize()` reject with `PROVIDER_FATAL`.
   */
  constructor(sdkKey: string, options?: SwitchyardProviderOptions);
  constructor(clientOrSdkKey: LDClient | string, options?: SwitchyardProviderOptions) {
    const created = typeof clientOrSdkKey === 'string';
    this._options = resolveProviderOptions(options, created);
    if (created) {
      try {
        this._client = init(clientOrSdkKey, { wrapperName: WRAPPER_NAME, wrapperVersion: PACKAGE_VERSION, ...this._options.clientOptions });
      } catch (err) {
        this._createError = err;
      }
    } else if (isSwitchyardClient(clientOrSdkKey)) {
      this._client = clientOrSdkKey;
    } else {
      throw new ConfigError(
        `${PREFIX} new SwitchyardProvider(client) needs a Switchyard client (init() from @switchyard/node-server) or an SDK key; for LaunchDarkly's own client use @launchdarkly/openfeature-node-server`,
      );
    }
    this._logger = this._options.logger ?? this._client?.logger ?? basicLogger({ level: 'info' });
    if (this._createError !== undefined) this._logger.error(`${PREFIX} the Switchyard client could not be created: ${messageOf(this._createError)}`);
    if (this._client) this._listen(this._client);
  }

  /** The Switchyard client evaluations go to (`undefined` only when creating it failed). */
  getClient(): LDClient | undefined {
    return this._client;
  }

  /**
   * Waits for the client's first data, at most `initTimeoutMs`. Rejects with `ProviderFatalError`
   * (OpenFeature status `FATAL`) when the client failed for good (e.g. HTTP 401, a wrong SDK key), and
   * with a `GeneralError` (status `ERROR`) on a timeout; the client then keeps trying, and the provider
   * emits `READY` once it has data.
   */
  async initialize(): Promise<void> {
    const client = this._client;
    if (!client) {
      this._phase = 'fatal';
      throw new ProviderFatalError(`${PREFIX} the Switchyard client could not be created: ${messageOf(this._createError)}`, { cause: this._createError });
    }
    if (this._phase === 'closed') throw new ProviderFatalError(`${PREFIX} this provider was closed; create a new one`);
    this._phase = 'initializing';
    try {
      await client.waitForInitialization({ timeout: this._options.initTimeoutMs / 1000 });
    } catch (err) {
      if (this._phase !== 'initializing') throw err;
      if (TimeoutError.isInstance(err)) {
        this._phase = 'error';
        this._scheduleReconcile();
        throw new GeneralError(
          `${PREFIX} the Switchyard client did not initialize within ${this._options.initTimeoutMs} ms; it keeps trying, and the provider emits READY when it has flags`,
          { cause: err },
        );
      }
      this._phase = 'fatal';
      throw new ProviderFatalError(`${PREFIX} the Switchyard client failed to initialize: ${messageOf(err)}`, { cause: err });
    }
    if (this._phase !== 'initializing') return;
    this._phase = 'ready';
    this._lastStatus = client.dataSourceStatusProvider.getStatus();
    // OpenFeature emits READY once this promise settles; a change that happened meanwhile (the stream
    // dropped right after its first data) is reported after that READY.
    this._scheduleReconcile();
  }

  /** Resolves a boolean flag (the client's `boolVariationDetail` semantics). */
  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext): Promise<ResolutionDetails<boolean>> {
    return this._resolve(flagKey, defaultValue, context, 'boolean');
  }

  /** Resolves a string flag (the client's `stringVariationDetail` semantics). */
  resolveStringEvaluation(flagKey: string, defaultValue: string, context: EvaluationContext): Promise<ResolutionDetails<string>> {
    return this._resolve(flagKey, defaultValue, context, 'string');
  }

  /** Resolves a number flag (the client's `numberVariationDetail` semantics). */
  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: EvaluationContext): Promise<ResolutionDetails<number>> {
    return this._resolve(flagKey, defaultValue, context, 'number');
  }

  /**
   * Resolves a JSON flag. The value must be a JSON object or array; any other value gives the default
   * with `TYPE_MISMATCH`.
   */
  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T, context: EvaluationContext): Promise<ResolutionDetails<T>> {
    return this._resolve(flagKey, defaultValue, context, 'object');
  }

  /**
   * Records a custom event (`client.track`): `details.value` (a number) is the metric value, the other
   * details are the event's data. A context without a key records nothing (the client logs a warning).
   */
  track(trackingEventName: string, context: EvaluationContext, trackingEventDetails?: TrackingEventDetails): void {
    try {
      const client = this._client;
      if (!client) return;
      const { data, metricValue } = translateTrackingDetails(trackingEventDetails);
      client.track(trackingEventName, translateContext(context, this._report), data, metricValue);
    } catch (err) {
      this._logger.warn(`${PREFIX} track("${trackingEventName}") failed: ${messageOf(err)}`);
    }
  }

  /**
   * Removes the provider's listeners from the client, then closes the client when the provider created
   * it (or `closeClient` is set), which delivers pending analytics events; a client you passed in is
   * flushed instead and stays open.
   */
  async onClose(): Promise<void> {
    if (this._phase === 'closed') return;
    this._phase = 'closed';
    clearTimeout(this._reconcileTimer);
    for (const unsubscribe of this._unsubscribe.splice(0)) unsubscribe();
    const client = this._client;
    if (!client) return;
    try {
      if (this._options.closeClient) await client.close();
      else await client.flush();
    } catch (err) {
      this._logger.warn(`${PREFIX} ${this._options.closeClient ? 'closing' : 'flushing'} the client failed: ${messageOf(err)}`);
    }
  }

  // --- evaluation -----------------------------------------------------------------------------

  private async _resolve<T>(flagKey: string, defaultValue: T, context: EvaluationContext, requested: RequestedType): Promise<ResolutionDetails<T>> {
    try {
      const client = this._client;
      if (!client) {
        return {
          value: defaultValue,
          reason: StandardResolutionReasons.ERROR,
          errorCode: ErrorCode.PROVIDER_FATAL,
          errorMessage: `${PREFIX} the Switchyard client could not be created: ${messageOf(this._createError)}`,
        };
      }
      const ldContext = translateContext(context, this._report);
      const { detail, metadata } = await client.variationDetailWithMetadata(
        flagKey,
        ldContext,
        defaultValue,
        requested === 'object' ? undefined : { type: requested },
      );
      return toResolution(flagKey, defaultValue, detail, metadata, {
        requested,
        standardReasons: this._options.standardReasons,
        contextProblem: () => contextProblemOf(ldContext),
      });
    } catch (err) {
      return {
        value: defaultValue,
        reason: StandardResolutionReasons.ERROR,
        errorCode: ErrorCode.GENERAL,
        errorMessage: `${PREFIX} evaluating flag "${flagKey}" failed: ${messageOf(err)}`,
      };
    }
  }

  /** Logs each distinct context problem once (an application with a bad context would repeat it per call). */
  private readonly _report = (message: string): void => {
    if (this._logged.has(message) || this._logged.size >= MAX_LOGGED_PROBLEMS) return;
    this._logged.add(message);
    this._logger.warn(`${PREFIX} ${message} (logged once)`);
  };

  // --- events ---------------------------------------------------------------------------------

  private _listen(client: LDClient): void {
    const onUpdate = ({ key }: { key: string }) => {
      // The first full data set reports every flag as changed; OpenFeature hears of changes after it.
      if (this._phase === 'closed' || !client.initialized()) return;
      this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: [key] });
    };
    client.on('update', onUpdate);
    this._unsubscribe.push(() => client.off('update', onUpdate));

    const onReady = () => this._reconcile();
    client.on('ready', onReady);
    this._unsubscribe.push(() => client.off('ready', onReady));

    this._unsubscribe.push(client.dataSourceStatusProvider.on('change', (status) => this._onStatus(status)));
  }

  private _onStatus(status: DataSourceStatus): void {
    const previous = this._lastStatus;
    this._lastStatus = status;
    if (this._phase !== 'ready' && this._phase !== 'stale' && this._phase !== 'error') return;
    switch (status.state) {
      case 'INTERRUPTED':
        if (this._phase === 'ready') this._to('stale', ProviderEvents.Stale, status.lastError?.message);
        return;
      case 'VALID':
        if (this._client?.initialized()) this._to('ready', ProviderEvents.Ready);
        return;
      case 'OFF':
        // OFF with a new error is a permanent data source failure (e.g. the SDK key was revoked); OFF
        // without one is the client being closed. The client keeps serving the flags it has, so this
        // is ERROR, not FATAL.
        if (status.lastError !== undefined && status.lastError !== previous?.lastError) {
          this._to('error', ProviderEvents.Error, `${PREFIX} the Switchyard client's data source stopped: ${status.lastError.message}; the last known flags are served`);
        }
        return;
      default:
        return;
    }
  }

  /** Brings the phase in line with the client when no status change will (after `initialize()` settled). */
  private _reconcile(): void {
    const client = this._client;
    if (!client || (this._phase !== 'ready' && this._phase !== 'stale' && this._phase !== 'error')) return;
    const status = client.dataSourceStatusProvider.getStatus();
    if (this._phase === 'error' && client.initialized() && status.state !== 'OFF') this._to('ready', ProviderEvents.Ready);
    if (this._phase === 'ready' && status.state === 'INTERRUPTED') this._to('stale', ProviderEvents.Stale, status.lastError?.message);
  }

  private _scheduleReconcile(): void {
    clearTimeout(this._reconcileTimer);
    this._reconcileTimer = setTimeout(() => this._reconcile(), 0);
    this._reconcileTimer.unref?.();
  }

  private _to(phase: 'ready' | 'stale' | 'error', event: ProviderEvents.Ready | ProviderEvents.Stale | ProviderEvents.Error, message?: string): void {
    if (this._phase === phase) return;
    this._phase = phase;
    this.events.emit(event, message === undefined ? {} : { message });
  }
}

/** The client's reason for refusing a context, for the error message. */
function contextProblemOf(context: LDContext): string | undefined {
  try {
    return Context.from(context).error;
  } catch {
    return undefined;
  }
}
