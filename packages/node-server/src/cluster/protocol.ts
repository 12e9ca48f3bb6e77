import { createHash } from 'node:crypto';

import type { DataSourceErrorInfo, DataSourceState } from '../data-sources/status.js';

/**
 * The messages of cluster mode on the node:cluster IPC channel (JSON-serialized by Node). Every message
 * carries `switchyard: 1` so an application's own IPC messages are never mistaken for ours, and `env`, a
 * fingerprint of the SDK key, so one primary can serve clients of several environments.
 *
 * Primary → worker messages carry `hub` (a random id of the primary's client) and `seq` (increasing per
 * hub): a worker applies a message only when its `seq` is higher than the last one it applied from that
 * hub, so a late or duplicated message never rolls data back. Items also carry their versions, and the
 * worker's store keeps the higher version of an item whatever the message order.
 */
export type ClusterMessage =
  // worker → primary
  | { readonly switchyard: 1; readonly env: string; readonly type: 'hello' }
  /** An analytics payload the worker's event processor built (JSON text of an array of events). */
  | { readonly switchyard: 1; readonly env: string; readonly type: 'events'; readonly body: string }
  | { readonly switchyard: 1; readonly env: string; readonly type: 'flush'; readonly id: number }
  // primary → worker
  | (PrimaryEnvelope & { readonly type: 'full'; readonly data: WireData })
  | (PrimaryEnvelope & { readonly type: 'upsert'; readonly namespace: 'features' | 'segments'; readonly item: unknown })
  | (PrimaryEnvelope & { readonly type: 'status'; readonly state: DataSourceState; readonly error?: Omit<DataSourceErrorInfo, 'time'> })
  | (PrimaryEnvelope & { readonly type: 'failed'; readonly message: string })
  | (PrimaryEnvelope & { readonly type: 'flushed'; readonly id: number })
  /** The primary's client closed: the worker keeps its data and asks again until a new client answers. */
  | (PrimaryEnvelope & { readonly type: 'closed' })
  | { readonly switchyard: 1; readonly env: string; readonly type: 'refused'; readonly message: string };

/** What every primary → worker message carries. */
export interface PrimaryEnvelope {
  readonly switchyard: 1;
  readonly env: string;
  readonly hub: string;
  readonly seq: number;
}

/** A full data set as sent to workers: LaunchDarkly's JSON of each item, by namespace and key. */
export interface WireData {
  readonly features: Readonly<Record<string, unknown>>;
  readonly segments: Readonly<Record<string, unknown>>;
}

/** A message of ours (any type), as received from the IPC channel. */
export function isClusterMessage(value: unknown): value is ClusterMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { switchyard?: unknown }).switchyard === 1 &&
    typeof (value as { env?: unknown }).env === 'string' &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}

/**
 * Identifies the environment without revealing the SDK key: the first 16 hex digits of its SHA-256
 * (messages may be logged by process managers).
 */
export function envFingerprint(sdkKey: string): string {
  return createHash('sha256').update(`switchyard-cluster:${sdkKey}`).digest('hex').slice(0, 16);
}
