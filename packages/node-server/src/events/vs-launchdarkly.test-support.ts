/**
 * Shared by the side-by-side tests that run Switchyard's client and LaunchDarkly's Node SDK on the same
 * flags and calls and compare the event payloads each posts (`events-vs-launchdarkly`,
 * `migrations-vs-launchdarkly`): one fake events service per SDK, and the normalisation of payloads.
 */
import { FakeEvents, FakeServer } from '@switchyard/fake-launchdarkly';

/** A logger that drops everything (both SDKs log warnings the comparisons provoke on purpose). */
export const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

/** One SDK's fake service and what it received. */
export interface Side {
  server: FakeServer;
  events: FakeEvents;
}

/** Starts a fake service for one SDK. */
export async function side(): Promise<Side> {
  const server = new FakeServer();
  const events = new FakeEvents(server);
  await server.listen();
  return { server, events };
}

/** All three base URIs pointed at one fake service. */
export const endpoints = (url: string) => ({ baseUri: url, streamUri: url, eventsUri: url });

/**
 * An event with sorted keys and without what differs between two runs: dates and, with
 * `latencyPresenceOnly`, measured latencies (kept: which origins have one, and their type).
 */
export function normalize(value: unknown, latencyPresenceOnly = false): unknown {
  if (Array.isArray(value)) return value.map((v: unknown) => normalize(v, latencyPresenceOnly));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) {
    if (key === 'creationDate' || key === 'startDate' || key === 'endDate') continue;
    if (latencyPresenceOnly && record.key === 'latency_ms' && key === 'values') {
      const values = record.values as Record<string, unknown>;
      out.values = Object.fromEntries(Object.keys(values).sort().map((k) => [k, typeof values[k]]));
      continue;
    }
    out[key] = normalize(record[key], latencyPresenceOnly);
  }
  return out;
}

/** The summary events, normalised, with their counters and context kinds in a fixed order. */
export function sortedSummaries(events: Record<string, unknown>[]) {
  return events
    .filter((e) => e.kind === 'summary')
    .map((e) => {
      const s = normalize(e) as { features: Record<string, { counters: unknown[]; contextKinds: string[] }> };
      for (const feature of Object.values(s.features)) {
        feature.counters.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
        feature.contextKinds.sort();
      }
      return s;
    });
}
