/**
 * A tiny typed listener set. Core is platform-neutral, so it has no Node.js `EventEmitter`; status
 * providers use this instead.
 */
export class ListenerSet<T> {
  private readonly listeners = new Set<(value: T) => void>();

  /**
   * @param onListenerError called when a listener throws; a listener's exception never reaches the code
   *   that emitted the value, nor stops other listeners.
   */
  constructor(private readonly onListenerError?: (error: unknown) => void) {}

  /** Adds `listener` (adding the same function twice keeps one registration); returns its remover. */
  add(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Removes `listener`; unknown listeners are ignored. */
  delete(listener: (value: T) => void): void {
    this.listeners.delete(listener);
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners.clear();
  }

  /** How many listeners are registered. */
  get size(): number {
    return this.listeners.size;
  }

  /** Calls every listener with `value`, in registration order. */
  emit(value: T): void {
    // A listener may remove itself (or others) while we iterate: iterate over a snapshot.
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (err) {
        try {
          this.onListenerError?.(err);
        } catch {
          // Reporting must never break the emitter either.
        }
      }
    }
  }
}
