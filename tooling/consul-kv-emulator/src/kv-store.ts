import { KvState } from './kv-state.js';

/**
 * The emulated server's data: the current {@link KvState} and the raft index. Every write (a KV PUT or
 * DELETE, a transaction with a write verb) takes the next raft index, whether or not it changes
 * anything, like a Consul write that goes through raft; only writes that change data move the table
 * index that reads report. Readers waiting in a blocking query are woken after each change.
 */
export class KvStore {
  private current = KvState.empty();
  private raft: number;
  private readonly waiters = new Set<() => void>();

  /**
   * @param initialIndex the raft index before the first write. A real cluster starts with internal
   *   writes (raft configuration, catalog), so Consul never reports index 0; default 1.
   */
  constructor(private readonly initialIndex = 1) {
    this.raft = initialIndex;
  }

  /** The committed state, for reads. */
  get state(): KvState {
    return this.current;
  }

  /** The last raft index used. */
  get raftIndex(): number {
    return this.raft;
  }

  /**
   * Runs one raft write: `apply` gets a draft state and the write's index, and its draft replaces the
   * committed state only when it returns `commit: true` (a transaction with errors is rolled back).
   */
  write<T>(apply: (draft: KvState, idx: number) => { readonly commit: boolean; readonly value: T }): T {
    const idx = ++this.raft;
    const draft = this.current.clone();
    const { commit, value } = apply(draft, idx);
    if (commit) {
      const changed = draft.tableIndex !== this.current.tableIndex;
      this.current = draft;
      if (changed) this.wakeAll();
    }
    return value;
  }

  /** Resolves on the next committed change, or after `timeoutMs`, or when `signal` aborts. */
  waitForChange(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Wakes every waiting reader (used when the server stops, so blocking queries answer at once). */
  wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Drops all data and restarts the raft index, like a fresh cluster. */
  wipe(): void {
    this.current = KvState.empty();
    this.raft = this.initialIndex;
    this.wakeAll();
  }
}
