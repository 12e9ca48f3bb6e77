import { randomUUID } from 'node:crypto';
import { arch, platform, version as osVersion } from 'node:os';

import {
  DefaultEventProcessor,
  DiagnosticsManager,
  safeLogger,
  type DiagnosticConfiguration,
  type DiagnosticPlatformData,
  type EventProcessor,
  type EventSender,
  type LDLogger,
  type StreamInitRecord,
} from '@switchyard/core';
import { nullEventProcessor } from '@switchyard/core/internal';

import { defaultHeaders, SDK_VERSION, USER_AGENT } from '../http/headers.js';
import type { Configuration, LDOptions } from '../options.js';
import { defaultOptions, validateOptions } from '../validate-options.js';
import type { EventProcessorFactory } from './event-processor.js';
import { HttpEventSender, type EventTransport } from './http-event-sender.js';

/** The event processor node-server builds: core's processor, with diagnostics and stream-init recording. */
export type NodeEventProcessor = EventProcessor & {
  /** Records a stream connection attempt for the next diagnostic event (the streaming data source calls it). */
  recordStreamInit(init: StreamInitRecord): void;
};

/** The LaunchDarkly options that configure events (durations in seconds, as in LaunchDarkly's `LDOptions`). */
export type LDEventOptions = Pick<
  LDOptions,
  | 'sendEvents'
  | 'offline'
  | 'eventsUri'
  | 'capacity'
  | 'flushInterval'
  | 'allAttributesPrivate'
  | 'privateAttributes'
  | 'contextKeysCapacity'
  | 'contextKeysFlushInterval'
  | 'diagnosticOptOut'
  | 'diagnosticRecordingInterval'
  | 'timeout'
  | 'enableEventCompression'
  | 'wrapperName'
  | 'wrapperVersion'
  | 'application'
  | 'proxyAgent'
>;

const EVENT_OPTION_NAMES: readonly (keyof LDEventOptions)[] = [
  'sendEvents',
  'offline',
  'eventsUri',
  'capacity',
  'flushInterval',
  'allAttributesPrivate',
  'privateAttributes',
  'contextKeysCapacity',
  'contextKeysFlushInterval',
  'diagnosticOptOut',
  'diagnosticRecordingInterval',
  'timeout',
  'enableEventCompression',
  'wrapperName',
  'wrapperVersion',
  'application',
  'proxyAgent',
];

const PREFIX = '[switchyard/node-server]';

function osName(): string {
  const name = platform();
  return name === 'darwin' ? 'MacOS' : name === 'win32' ? 'Windows' : name === 'linux' ? 'Linux' : name;
}

/** The runtime as LaunchDarkly's Node SDK reports it in `diagnostic-init`. */
export function nodePlatformData(): DiagnosticPlatformData {
  let osv = '';
  try {
    osv = osVersion();
  } catch {
    // os.version() is missing on some exotic platforms; the field is informational.
  }
  return { name: 'Node', osArch: arch(), osName: osName(), osVersion: osv, nodeVersion: process.versions.node };
}

/**
 * The `configuration` of `diagnostic-init`, with LaunchDarkly's field names, from the validated options.
 * `extra` adds or overrides fields the events layer cannot know (the client passes `dataStoreType`).
 */
export function diagnosticConfiguration(config: Configuration, extra: DiagnosticConfiguration = {}): DiagnosticConfiguration {
  return {
    customBaseURI: config.baseUri !== defaultOptions.baseUri,
    customStreamURI: config.streamUri !== defaultOptions.streamUri,
    customEventsURI: config.eventsUri !== defaultOptions.eventsUri,
    eventsCapacity: config.capacity,
    connectTimeoutMillis: config.timeoutMs,
    socketTimeoutMillis: config.timeoutMs,
    eventsFlushIntervalMillis: config.flushIntervalMs,
    pollingIntervalMillis: config.pollIntervalMs,
    reconnectTimeMillis: config.streamInitialReconnectDelayMs,
    contextKeysFlushIntervalMillis: config.contextKeysFlushIntervalMs,
    diagnosticRecordingIntervalMillis: config.diagnosticRecordingIntervalMs,
    streamingDisabled: !config.stream,
    usingRelayDaemon: config.useLdd,
    offline: config.offline,
    allAttributesPrivate: config.allAttributesPrivate,
    contextKeysCapacity: config.contextKeysCapacity,
    usingProxy: !!(config.proxyOptions || config.proxyAgent),
    usingProxyAuthenticator: !!config.proxyOptions?.auth,
    dataStoreType: 'memory',
    ...extra,
  };
}

/** What {@link buildEventProcessor} needs besides the validated configuration. */
interface BuildInputs {
  readonly sdkKey: string;
  readonly config: Configuration;
  readonly logger: LDLogger;
  readonly headers: Readonly<Record<string, string>>;
  readonly transport: EventTransport | undefined;
  readonly diagnostics: DiagnosticConfiguration;
  /** Replaces the HTTP sender (tests). */
  readonly sender?: EventSender;
}

function buildEventProcessor(inputs: BuildInputs): NodeEventProcessor {
  const { config, logger } = inputs;
  const sender =
    inputs.sender ??
    new HttpEventSender({
      eventsUri: config.eventsUri,
      headers: inputs.headers,
      timeoutMs: config.timeoutMs,
      compress: config.enableEventCompression,
      ...(inputs.transport ? { transport: inputs.transport } : {}),
      ...(config.proxyAgent ? { agent: config.proxyAgent } : {}),
    });
  const diagnostics = config.diagnosticOptOut
    ? undefined
    : new DiagnosticsManager({
        sdkKey: inputs.sdkKey,
        sdk: {
          name: '@switchyard/node-server',
          version: SDK_VERSION,
          userAgentBase: USER_AGENT.split('/')[0]!,
          ...(config.wrapperName ? { wrapperName: config.wrapperName } : {}),
          ...(config.wrapperName && config.wrapperVersion ? { wrapperVersion: config.wrapperVersion } : {}),
        },
        platform: nodePlatformData(),
        configuration: inputs.diagnostics,
      });
  return new DefaultEventProcessor({
    sender,
    logger,
    capacity: config.capacity,
    flushIntervalMs: config.flushIntervalMs,
    allAttributesPrivate: config.allAttributesPrivate,
    privateAttributes: config.privateAttributes,
    contextKeysCapacity: config.contextKeysCapacity,
    contextKeysFlushIntervalMs: config.contextKeysFlushIntervalMs,
    ...(diagnostics ? { diagnostics, diagnosticRecordingIntervalMs: config.diagnosticRecordingIntervalMs } : {}),
  });
}

/**
 * The client's event processor factory (plug into the client's `EventProcessorFactory` seam): builds
 * core's {@link DefaultEventProcessor} from the validated configuration, delivering through the client's
 * `HttpClient` (so `tlsParams`, `proxyOptions` and `proxyAgent` apply) with the client's headers, and
 * with diagnostic events unless `diagnosticOptOut`.
 */
export const eventProcessorFactory: EventProcessorFactory = (context) =>
  buildEventProcessor({
    sdkKey: context.sdkKey,
    config: context.config,
    logger: context.logger,
    headers: context.headers,
    transport: context.http,
    diagnostics: diagnosticConfiguration(context.config, { dataStoreType: context.storeDescription }),
  });

/**
 * Creates the analytics event processor from LaunchDarkly-style options, outside a client (the client
 * uses {@link eventProcessorFactory}). Options are validated as the client does (wrong types warn and
 * use the default; `diagnosticRecordingInterval` is at least 60 s; `flushInterval`,
 * `contextKeysFlushInterval` and `timeout` are in seconds). With `sendEvents: false` or `offline` it
 * returns core's `nullEventProcessor`. `diagnosticsConfig` adds fields to `diagnostic-init`'s
 * configuration (e.g. `dataStoreType`). The processor posts with its own keep-alive agent (or the
 * `proxyAgent` given) and is released by `close()`.
 */
export function createEventProcessor(
  sdkKey: string,
  options: LDEventOptions = {},
  logger?: LDLogger,
  diagnosticsConfig: DiagnosticConfiguration = {},
): NodeEventProcessor {
  const log = safeLogger(logger);
  const picked: Record<string, unknown> = {};
  for (const name of EVENT_OPTION_NAMES) if (options[name] !== undefined) picked[name] = options[name];
  // Only eventsUri is given here, so the client's "custom URIs set partially" warning would be noise.
  const quiet: LDLogger = { ...log, warn: (...args: unknown[]) => (String(args[0]).includes('custom URIs') ? undefined : log.warn(...args)) };
  const config = validateOptions(picked as LDOptions, quiet);
  if (!config.sendEvents || config.offline) return nullEventProcessor as NodeEventProcessor;
  if (!sdkKey) log.warn(`${PREFIX} no SDK key was given; the events service will reject every payload`);
  const headers = defaultHeaders(sdkKey, config, randomUUID());
  return buildEventProcessor({ sdkKey, config, logger: log, headers, transport: undefined, diagnostics: diagnosticConfiguration(config, diagnosticsConfig) });
}
