/**
 * Timers without Node.js types. Core is platform-neutral, so it cannot name Node's `Timeout`; every
 * JavaScript runtime we target (Node, Deno, Bun, workers, browsers) has these globals.
 *
 * Timers created here never keep a Node.js process alive on their own (`unref` where available):
 * an SDK's background work (flushing, polling a store) must not stop an application from exiting.
 */
declare const globalThis: {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
};

/** An opaque timer handle. */
export interface TimerHandle {
  readonly __timer: unique symbol;
}

function unref(handle: unknown): void {
  (handle as { unref?: () => void } | undefined)?.unref?.();
}

/** Runs `fn` once after `ms` milliseconds; does not keep the process alive. */
export function startTimeout(fn: () => void, ms: number): TimerHandle {
  const handle = globalThis.setTimeout(fn, ms);
  unref(handle);
  return handle as TimerHandle;
}

/** Runs `fn` every `ms` milliseconds; does not keep the process alive. */
export function startInterval(fn: () => void, ms: number): TimerHandle {
  const handle = globalThis.setInterval(fn, ms);
  unref(handle);
  return handle as TimerHandle;
}

/** Cancels a timer from {@link startTimeout} or {@link startInterval}; `undefined` is ignored. */
export function cancelTimer(handle: TimerHandle | undefined): void {
  if (handle === undefined) return;
  globalThis.clearTimeout(handle);
  globalThis.clearInterval(handle);
}

/** Resolves after `ms` milliseconds (without keeping the process alive). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    startTimeout(resolve, ms);
  });
}

/** The clock's shape where it exists (Node, browsers, Deno, workers); core declares no platform globals. */
const hrClock = (globalThis as { performance?: { now(): number } }).performance;

/**
 * A monotonic clock in milliseconds with sub-millisecond resolution, for measuring durations
 * (`performance.now()` where the platform has it, else `Date.now()`).
 */
export function monotonicMs(): number {
  return hrClock ? hrClock.now() : Date.now();
}
