/** The one timer global used here (core has no Node.js or DOM types). */
declare const globalThis: { setTimeout(fn: () => void, ms: number): unknown };

/**
 * The `version` inside an item's JSON, for stores that keep only the JSON (Redis, Consul) and must
 * compare versions before a write. An unreadable item counts as version -1, so any valid write replaces it.
 */
export function versionInJson(json: string): number {
  try {
    const version = (JSON.parse(json) as { version?: unknown } | null)?.version;
    return typeof version === 'number' && Number.isFinite(version) ? version : -1;
  } catch {
    return -1;
  }
}

/**
 * A retry delay in milliseconds: exponential from `baseMs` (attempt 1) up to `maxMs`, with the upper half
 * jittered so that processes that lost the same race do not retry in step.
 */
export function jitteredBackoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return step / 2 + (Math.random() * step) / 2;
}

/**
 * Resolves after `ms` milliseconds: a store's retry delay. Unlike the SDK's background timers it keeps
 * the process alive, so a script that awaits a write is never cut off in the middle of a retry.
 */
export function storeDelay(ms: number): Promise<void> {
  return new Promise((resolve) => {
    globalThis.setTimeout(resolve, ms);
  });
}
