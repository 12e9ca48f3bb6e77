/**
 * `validateOptions`: LaunchDarkly's option names checked (type, minimum, misspellings), defaults filled
 * in and durations converted to milliseconds. The option types it reads and returns are in
 * `options.ts`, which imports nothing from here.
 */
import type { Agent } from 'node:http';

import type { LDLogger } from '@switchyard/core';

import type { Hook } from './hooks.js';
import type {
  Configuration,
  LDApplicationInfo,
  LDBigSegmentsOptions,
  LDClusterOptions,
  LDOptions,
  LDProxyOptions,
  LDTLSOptions,
  ResolvedClusterOptions,
} from './options.js';
import type { Plugin } from './plugins.js';

type Check =
  | { readonly type: 'string' }
  | { readonly type: 'boolean' }
  | { readonly type: 'number'; readonly min?: number }
  | { readonly type: 'object' }
  | { readonly type: 'objectOrFactory' }
  | { readonly type: 'stringArray' }
  | { readonly type: 'array' }
  | { readonly type: 'booleanOrObject' }
  | { readonly type: 'pattern'; readonly pattern: RegExp };

const CHECKS: Readonly<Record<string, Check>> = {
  baseUri: { type: 'string' },
  streamUri: { type: 'string' },
  eventsUri: { type: 'string' },
  stream: { type: 'boolean' },
  streamInitialReconnectDelay: { type: 'number', min: 0 },
  timeout: { type: 'number', min: 1 },
  capacity: { type: 'number', min: 1 },
  flushInterval: { type: 'number', min: 0.1 },
  pollInterval: { type: 'number', min: 30 },
  offline: { type: 'boolean' },
  useLdd: { type: 'boolean' },
  sendEvents: { type: 'boolean' },
  allAttributesPrivate: { type: 'boolean' },
  privateAttributes: { type: 'stringArray' },
  contextKeysCapacity: { type: 'number', min: 0 },
  contextKeysFlushInterval: { type: 'number', min: 1 },
  diagnosticOptOut: { type: 'boolean' },
  diagnosticRecordingInterval: { type: 'number', min: 60 },
  featureStore: { type: 'objectOrFactory' },
  bigSegments: { type: 'object' },
  hooks: { type: 'array' },
  plugins: { type: 'array' },
  application: { type: 'object' },
  wrapperName: { type: 'string' },
  wrapperVersion: { type: 'string' },
  tlsParams: { type: 'object' },
  proxyOptions: { type: 'object' },
  proxyAgent: { type: 'object' },
  logger: { type: 'object' },
  updateProcessor: { type: 'objectOrFactory' },
  payloadFilterKey: { type: 'pattern', pattern: /^[a-zA-Z0-9][\w.-]*$/ },
  enableEventCompression: { type: 'boolean' },
  cluster: { type: 'booleanOrObject' },
};

/** LaunchDarkly option names that exist but that this SDK does not implement (accepted, with a warning). */
const UNSUPPORTED = new Set(['dataSystem']);

/** LaunchDarkly's defaults, in LaunchDarkly's units (seconds). */
export const defaultOptions = Object.freeze({
  baseUri: 'https://sdk.launchdarkly.com',
  streamUri: 'https://stream.launchdarkly.com',
  eventsUri: 'https://events.launchdarkly.com',
  stream: true,
  streamInitialReconnectDelay: 1,
  timeout: 10,
  capacity: 10000,
  flushInterval: 5,
  pollInterval: 30,
  offline: false,
  useLdd: false,
  sendEvents: true,
  allAttributesPrivate: false,
  privateAttributes: [] as readonly string[],
  contextKeysCapacity: 1000,
  contextKeysFlushInterval: 300,
  diagnosticOptOut: false,
  diagnosticRecordingInterval: 900,
  enableEventCompression: false,
});

const PREFIX = '[switchyard/node-server]';
const TAG_PATTERN = /^[\w.-]+$/;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return '[]';
  return String(value);
}

/** Edit distance, for suggesting the option a misspelt name meant. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const temp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = temp;
    }
  }
  return row[b.length]!;
}

/** The known option closest to `name` (case-insensitively, at most 2 edits away), if any. */
function closestOption(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of Object.keys(CHECKS)) {
    const d = distance(name.toLowerCase(), known.toLowerCase());
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Validates options the way LaunchDarkly's SDK does (unknown names and wrong types warn and fall back to
 * the default; numbers below a minimum are raised to it, with a warning) and converts durations to
 * milliseconds. Never throws: a configuration problem must not stop an application from starting.
 */
export function validateOptions(options: LDOptions | undefined, logger: LDLogger): Configuration {
  const given = (options ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { ...defaultOptions };
  for (const name of Object.keys(given)) {
    const value = given[name];
    const check = CHECKS[name];
    if (UNSUPPORTED.has(name)) {
      logger.warn(`${PREFIX} option "${name}" is not supported by Switchyard and is ignored`);
      continue;
    }
    if (!check) {
      const near = closestOption(name);
      logger.warn(`${PREFIX} unknown option "${name}" is ignored${near ? ` (did you mean "${near}"?)` : ''}`);
      continue;
    }
    if (value === undefined || value === null) continue;
    const fallback = (defaultOptions as Record<string, unknown>)[name];
    const usingDefault = fallback === undefined ? 'it is ignored' : `using the default ${show(fallback)}`;
    switch (check.type) {
      case 'boolean':
        if (typeof value !== 'boolean') {
          logger.warn(`${PREFIX} option "${name}" should be a boolean, got ${typeName(value)}; using ${String(!!value)}`);
          out[name] = !!value;
          continue;
        }
        break;
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          logger.warn(`${PREFIX} option "${name}" should be a number, got ${typeName(value)}; ${usingDefault}`);
          continue;
        }
        if (check.min !== undefined && value < check.min) {
          logger.warn(`${PREFIX} option "${name}" is ${value}, below its minimum ${check.min}; using ${check.min}`);
          out[name] = check.min;
          continue;
        }
        break;
      case 'string':
        if (typeof value !== 'string') {
          logger.warn(`${PREFIX} option "${name}" should be a string, got ${typeName(value)}; ${usingDefault}`);
          continue;
        }
        break;
      case 'pattern':
        if (typeof value !== 'string' || !check.pattern.test(value)) {
          logger.warn(`${PREFIX} option "${name}" should be a string matching ${String(check.pattern)}; ${usingDefault}`);
          continue;
        }
        break;
      case 'stringArray':
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
          logger.warn(`${PREFIX} option "${name}" should be an array of strings, got ${typeName(value)}; ${usingDefault}`);
          continue;
        }
        break;
      case 'array':
        if (!Array.isArray(value)) {
          logger.warn(`${PREFIX} option "${name}" should be an array, got ${typeName(value)}; ${usingDefault}`);
          continue;
        }
        break;
      case 'object':
        if (typeof value !== 'object' || Array.isArray(value)) {
          logger.warn(`${PREFIX} option "${name}" should be an object, got ${typeName(value)}; ${usingDefault}`);
          continue;
        }
        break;
      case 'booleanOrObject':
        if (typeof value !== 'boolean' && (typeof value !== 'object' || Array.isArray(value))) {
          logger.warn(`${PREFIX} option "${name}" should be a boolean or an object, got ${typeName(value)}; ${usingDefault}`);
          continue;
        }
        break;
      case 'objectOrFactory':
        // An unusable store is not replaced by a default: the client fails initialization with a
        // ConfigError instead (running without the persistence asked for would lose data on restart).
        if (name === 'featureStore') break;
        if ((typeof value !== 'object' && typeof value !== 'function') || Array.isArray(value)) {
          logger.warn(`${PREFIX} option "${name}" should be an object or a factory function, got ${typeName(value)}; ${usingDefault}`);
          continue;
        }
        break;
    }
    out[name] = value;
  }
  warnPartialEndpoints(given, out, logger);

  const trim = (uri: unknown) => String(uri).replace(/\/+$/, '');
  const updateProcessor = out.updateProcessor as LDOptions['updateProcessor'];
  return Object.freeze({
    baseUri: trim(out.baseUri),
    streamUri: trim(out.streamUri),
    eventsUri: trim(out.eventsUri),
    stream: out.stream as boolean,
    streamInitialReconnectDelayMs: Math.max(0, (out.streamInitialReconnectDelay as number) * 1000),
    timeoutMs: (out.timeout as number) * 1000,
    capacity: out.capacity as number,
    flushIntervalMs: (out.flushInterval as number) * 1000,
    pollIntervalMs: (out.pollInterval as number) * 1000,
    offline: out.offline as boolean,
    useLdd: out.useLdd as boolean,
    sendEvents: out.sendEvents as boolean,
    allAttributesPrivate: out.allAttributesPrivate as boolean,
    privateAttributes: Object.freeze([...(out.privateAttributes as string[])]),
    contextKeysCapacity: out.contextKeysCapacity as number,
    contextKeysFlushIntervalMs: (out.contextKeysFlushInterval as number) * 1000,
    diagnosticOptOut: out.diagnosticOptOut as boolean,
    diagnosticRecordingIntervalMs: (out.diagnosticRecordingInterval as number) * 1000,
    featureStore: out.featureStore as LDOptions['featureStore'],
    bigSegments: out.bigSegments as LDBigSegmentsOptions | undefined,
    hooks: Object.freeze([...((out.hooks as Hook[] | undefined) ?? [])]),
    plugins: Object.freeze([...((out.plugins as Plugin[] | undefined) ?? [])]),
    application: out.application as LDApplicationInfo | undefined,
    tags: applicationTags(out.application as LDApplicationInfo | undefined, logger),
    wrapperName: out.wrapperName as string | undefined,
    wrapperVersion: out.wrapperVersion as string | undefined,
    tlsParams: out.tlsParams as LDTLSOptions | undefined,
    proxyOptions: out.proxyOptions as LDProxyOptions | undefined,
    proxyAgent: out.proxyAgent as Agent | undefined,
    updateProcessor:
      updateProcessor === undefined
        ? undefined
        : typeof updateProcessor === 'function'
          ? updateProcessor
          : typeof updateProcessor.getFactory === 'function'
            ? updateProcessor.getFactory()
            : undefined,
    payloadFilterKey: out.payloadFilterKey as string | undefined,
    enableEventCompression: out.enableEventCompression as boolean,
    cluster: clusterOptions(out.cluster as LDOptions['cluster'], logger),
    logger,
  });
}

function clusterOptions(value: LDOptions['cluster'], logger: LDLogger): ResolvedClusterOptions | undefined {
  if (!value) return undefined;
  const given = typeof value === 'object' ? value : {};
  const ms = (name: keyof LDClusterOptions, fallback: number): number => {
    const v = given[name];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      logger.warn(`${PREFIX} option "cluster.${name}" should be a number of milliseconds, got ${typeName(v)}; using the default ${fallback}`);
      return fallback;
    }
    if (v < 100) {
      logger.warn(`${PREFIX} option "cluster.${name}" is ${v}, below its minimum 100; using 100`);
      return 100;
    }
    return v;
  };
  for (const name of Object.keys(given)) {
    if (name !== 'eventForwardIntervalMs' && name !== 'primaryTimeoutMs') logger.warn(`${PREFIX} unknown option "cluster.${name}" is ignored`);
  }
  return Object.freeze({ eventForwardIntervalMs: ms('eventForwardIntervalMs', 1000), primaryTimeoutMs: ms('primaryTimeoutMs', 5000) });
}

/** As LaunchDarkly's SDK: setting only some of the three URIs is usually a mistake (traffic split between services). */
function warnPartialEndpoints(given: Record<string, unknown>, out: Record<string, unknown>, logger: LDLogger): void {
  const set = (name: string) => given[name] !== undefined && given[name] !== null;
  const stream = set('streamUri');
  const base = set('baseUri');
  const events = set('eventsUri');
  if (stream === base && base === events) return;
  const warn = (name: string) =>
    logger.warn(`${PREFIX} you have set custom URIs without specifying "${name}"; it will use the default LaunchDarkly URI, which may not be what you want`);
  if (!stream && out.stream) warn('streamUri');
  if (!base) warn('baseUri');
  if (!events && out.sendEvents) warn('eventsUri');
}

/** `application-id/<id> application-name/<n> …`, keys sorted; invalid values are dropped with a warning. */
export function applicationTags(application: LDApplicationInfo | undefined, logger: LDLogger): string | undefined {
  if (!application) return undefined;
  const tags: [string, unknown][] = [
    ['application-id', application.id],
    ['application-name', application.name],
    ['application-version', application.version],
    ['application-version-name', application.versionName],
  ];
  const parts: string[] = [];
  for (const [tag, value] of tags) {
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || !TAG_PATTERN.test(value) || value.length > 64) {
      logger.warn(`${PREFIX} application tag "${tag}" (${show(value)}) is not valid (letters, digits, ".", "_", "-", at most 64 characters); it is not sent`);
      continue;
    }
    parts.push(`${tag}/${value}`);
  }
  parts.sort();
  return parts.length ? parts.join(' ') : undefined;
}
