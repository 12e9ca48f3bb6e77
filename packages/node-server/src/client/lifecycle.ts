/**
 * A client's life: starting the data source, initialization (`waitForInitialization`, `ready`,
 * `failed`), whether the store already holds data for evaluations before init, `error` events, and
 * `close`. The evaluation path reads {@link ClientLifecycle.initState} and
 * {@link ClientLifecycle.storeInitialized}.
 */
import { ClosedError } from '@switchyard/core';

import type { ClusterHub } from '../cluster/primary.js';
import type { DataSource } from '../data-sources/data-source.js';
import { LDTimeoutError } from '../errors.js';
import type { LDClient, LDWaitForInitializationOptions } from './api.js';
import { PREFIX, messageOf } from './messages.js';
import { registerClient, unregisterClient } from './registry.js';
import type { ClientParts } from './wiring.js';

export type InitState = 'initializing' | 'initialized' | 'failed';

export class ClientLifecycle {
  initState: InitState = 'initializing';
  /** Known (sticky) once the store said it holds a full data set: evaluations may use it before init. */
  storeInitialized = false;
  /** Set by {@link ClientLifecycle.start}. */
  dataSource: DataSource | undefined = undefined;
  hub: ClusterHub | undefined = undefined;

  private _initPromise: Promise<LDClient> | undefined;
  private _initResolve: ((client: LDClient) => void) | undefined;
  private _initReject: ((err: Error) => void) | undefined;
  private _initError: Error | undefined;
  private _storeCheck: Promise<boolean> | undefined;
  private _closed: Promise<void> | undefined;

  constructor(
    private readonly _client: LDClient,
    private readonly _parts: ClientParts,
    private readonly _closeTimeoutMs: number,
  ) {}

  /**
   * Registers the client and starts it: fails initialization (on the next tick, after the caller could
   * attach listeners) for a configuration error, else starts the data source, or with none (offline,
   * daemon mode) initializes on the next tick.
   */
  start(dataSource: DataSource | undefined, hub: ClusterHub | undefined): void {
    const { config, logger, status, configError } = this._parts;
    this.dataSource = dataSource;
    this.hub = hub;
    if (config.offline) status.update('OFF');
    const open = registerClient(this._parts.sdkKey, this._client);
    if (open > 1 && !config.offline) {
      logger.warn(
        `${PREFIX} ${open} clients are open for the same SDK key in this process; each holds its own connection and memory. Create one client per process and share it (see sharedClient()).`,
      );
    }
    if (configError) {
      const err = configError;
      this.initState = 'failed';
      this._initError = err;
      status.update('OFF', { kind: 'UNKNOWN', message: err.message });
      logger.error(err.message);
      // After the caller had a chance to attach 'failed'/'error' listeners.
      setTimeout(() => {
        if (this._client.listenerCount('error') > 0) this._client.emit('error', err);
        this._client.emit('failed', err);
      }, 0);
    } else if (dataSource) {
      dataSource.start();
      void this.checkStoreInitialized();
    } else {
      if (config.useLdd) status.update('VALID');
      setTimeout(() => this.initSuccess(), 0);
    }
  }

  waitForInitialization(options?: LDWaitForInitializationOptions): Promise<LDClient> {
    const logger = this._parts.logger;
    const timeout = options?.timeout;
    const hasSource = this.dataSource !== undefined;
    if (timeout === undefined && hasSource) {
      logger.warn(
        `${PREFIX} waitForInitialization was called without a timeout; it will wait until the client initializes or fails. Pass { timeout } in seconds.`,
      );
    } else if (timeout !== undefined && timeout > 60 && hasSource) {
      logger.warn(`${PREFIX} waitForInitialization was called with a timeout over 60 seconds; we recommend less than 60 seconds.`);
    }
    // Created on first request only, so a failure nobody waits for never becomes an unhandled rejection.
    if (!this._initPromise) {
      if (this.initState === 'initialized') this._initPromise = Promise.resolve(this._client);
      else if (this.initState === 'failed') this._initPromise = Promise.reject(this._initError);
      else {
        this._initPromise = new Promise<LDClient>((resolve, reject) => {
          this._initResolve = resolve;
          this._initReject = reject;
        });
      }
    }
    if (!timeout || this.initState !== 'initializing') return this._initPromise;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const fromStore = this.storeInitialized ? '; the data store has data, so the client serves the last known flag values meanwhile' : '';
        const err = new LDTimeoutError(
          `${PREFIX} waitForInitialization timed out after ${timeout} seconds; the client keeps trying in the background${fromStore}`,
          timeout * 1000,
        );
        logger.error(err.message);
        reject(err);
      }, timeout * 1000);
    });
    return Promise.race([this._initPromise, timedOut]).finally(() => clearTimeout(timer));
  }

  initSuccess(): void {
    if (this.initState !== 'initializing' || this._closed) return;
    if (this.dataSource) this._parts.updates.sourceInitialized();
    this.initState = 'initialized';
    this.storeInitialized = true;
    this._initResolve?.(this._client);
    try {
      this._client.emit('ready');
    } catch (err) {
      // A throwing listener is the application's bug; it must not break the data source that called us.
      this._parts.logger.error(`${PREFIX} a 'ready' listener threw: ${messageOf(err)}`);
    }
  }

  dataSourceFailed(err: Error): void {
    this.hub?.failed(err.message);
    this.emitError(err);
    this._client.emit('failed', err);
    if (this.initState === 'initializing') {
      this.initState = 'failed';
      this._initError = err;
      this._initReject?.(err);
    }
  }

  /** `error` event when someone listens, else a log line: an `error` event with no listener would crash the process. */
  emitError(err: Error): void {
    if (this._client.listenerCount('error') > 0) this._client.emit('error', err);
    else this._parts.logger.error(err.message);
  }

  /** Asks the store whether it holds data (for evaluations before init); remembers a yes. */
  checkStoreInitialized(): Promise<boolean> {
    if (this.storeInitialized) return Promise.resolve(true);
    this._storeCheck ??= this._parts.store
      .initialized()
      .catch(() => false)
      .then((yes) => {
        this._storeCheck = undefined;
        if (yes) this.storeInitialized = true;
        return yes;
      });
    return this._storeCheck;
  }

  close(): Promise<void> {
    this._closed ??= this._close();
    return this._closed;
  }

  private async _close(): Promise<void> {
    const { sdkKey, logger, status, processor, store, bigSegments, http } = this._parts;
    unregisterClient(sdkKey, this._client);
    const bound = this._closeTimeoutMs;
    const step = async (what: string, fn: () => unknown): Promise<void> => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(fn),
          new Promise((resolve) => {
            timer = setTimeout(() => {
              logger.warn(`${PREFIX} closing the ${what} took longer than ${bound} ms; continuing`);
              resolve(undefined);
            }, bound);
          }),
        ]);
      } catch (err) {
        logger.warn(`${PREFIX} closing the ${what} failed: ${messageOf(err)}`);
      } finally {
        clearTimeout(timer);
      }
    };
    await step('data source', () => this.dataSource?.close());
    this.hub?.close();
    status.close();
    await step('event processor', () => processor.close());
    await step('data store', () => store.close());
    await step('big segment store', () => bigSegments?.close());
    http.close();
    if (this.initState === 'initializing' && this._initReject) {
      this._initReject(new ClosedError(`${PREFIX} the client was closed before it initialized`));
    }
  }
}
