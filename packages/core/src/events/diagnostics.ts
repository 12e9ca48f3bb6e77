import type {
  DiagnosticConfiguration,
  DiagnosticId,
  DiagnosticInitEvent,
  DiagnosticPlatformData,
  DiagnosticSdkData,
  DiagnosticStatsEvent,
  StreamInitRecord,
} from './output.js';
import { randomUuid } from './uuid.js';

/** Options of {@link DiagnosticsManager}. */
export interface DiagnosticsManagerOptions {
  /** The SDK key. Only its last 6 characters are kept and sent (`sdkKeySuffix`). */
  sdkKey: string;
  /** The SDK's name and version (`sdk` in `diagnostic-init`). */
  sdk: DiagnosticSdkData;
  /** The runtime (`platform` in `diagnostic-init`). */
  platform: DiagnosticPlatformData;
  /** The effective configuration, with LaunchDarkly's field names (`configuration` in `diagnostic-init`). */
  configuration: DiagnosticConfiguration;
  /** The clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  /**
   * Stream connection attempts kept between two periodic events; beyond it the oldest are forgotten (a
   * flapping stream must not grow memory). Default 100.
   */
  maxStreamInits?: number;
}

/**
 * The diagnostic events LaunchDarkly's SDKs send: `diagnostic-init` once at start (SDK, platform and
 * configuration) and `diagnostic` periodically (dropped and deduplicated event counts, size of the last
 * batch, stream connection attempts). The event processor sends them; the streaming data source reports
 * its connection attempts with {@link DiagnosticsManager.recordStreamInit}.
 */
export class DiagnosticsManager {
  /** Identifies this SDK instance in every diagnostic event. */
  readonly id: DiagnosticId;
  private readonly _now: () => number;
  private readonly _startTime: number;
  private readonly _maxStreamInits: number;
  private _dataSince: number;
  private _streamInits: StreamInitRecord[] = [];

  constructor(private readonly _options: DiagnosticsManagerOptions) {
    this._now = _options.now ?? Date.now;
    this._startTime = this._now();
    this._dataSince = this._startTime;
    this._maxStreamInits = Math.max(1, _options.maxStreamInits ?? 100);
    const key = _options.sdkKey ?? '';
    this.id = Object.freeze({ diagnosticId: randomUuid(), sdkKeySuffix: key.length > 6 ? key.slice(-6) : key });
  }

  /** The `diagnostic-init` event. */
  createInitEvent(): DiagnosticInitEvent {
    const { sdk, platform, configuration } = this._options;
    return { kind: 'diagnostic-init', id: this.id, creationDate: this._startTime, sdk, configuration, platform };
  }

  /** Records one stream connection attempt, for the next periodic event. */
  recordStreamInit(init: StreamInitRecord): void {
    const { timestamp, failed, durationMillis } = init;
    this._streamInits.push({ timestamp, failed: !!failed, durationMillis });
    if (this._streamInits.length > this._maxStreamInits) this._streamInits.shift();
  }

  /** The periodic `diagnostic` event with the given counters; starts a new window. */
  createStatsEventAndReset(droppedEvents: number, deduplicatedUsers: number, eventsInLastBatch: number): DiagnosticStatsEvent {
    const now = this._now();
    const event: DiagnosticStatsEvent = {
      kind: 'diagnostic',
      id: this.id,
      creationDate: now,
      dataSinceDate: this._dataSince,
      droppedEvents,
      deduplicatedUsers,
      eventsInLastBatch,
      streamInits: this._streamInits,
    };
    this._streamInits = [];
    this._dataSince = now;
    return event;
  }
}
