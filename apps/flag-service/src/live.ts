import type { ServerResponse } from 'node:http';

/** Running totals from summary events: flag key → variation label → value and count. */
export type Counts = Record<string, Record<string, { value: unknown; count: number }>>;

/**
 * The page's live feed (`GET /api/live`, server-sent events): `change` when a flag or segment changes,
 * `events` with each analytics payload an SDK posts, and `counts`, the running summary totals.
 */
export class LiveFeed {
  readonly counts: Counts = {};
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat = setInterval(() => this.write(': heartbeat\n\n'), 15_000).unref();

  /** Starts a feed on `res`: the current counts at once, then every broadcast until the page goes away. */
  attach(res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write(`event: counts\ndata: ${JSON.stringify(this.counts)}\n\n`);
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  change(kind: 'flags' | 'segments', key: string, version: number, deleted: boolean): void {
    this.send('change', { kind, key, version, deleted });
  }

  /** An analytics payload from an SDK: shown as it is, and its summary events added to the counts. */
  events(body: unknown): void {
    if (!Array.isArray(body)) return;
    this.send('events', { receivedAt: Date.now(), events: body });
    let counted = false;
    for (const event of body as Record<string, unknown>[]) {
      if (event?.kind !== 'summary' || typeof event.features !== 'object' || event.features === null) continue;
      for (const [flagKey, feature] of Object.entries(event.features as Record<string, { counters?: unknown }>)) {
        if (!Array.isArray(feature?.counters)) continue;
        const perFlag = (this.counts[flagKey] ??= {});
        for (const c of feature.counters as { variation?: unknown; value?: unknown; count?: unknown; unknown?: unknown }[]) {
          if (typeof c?.count !== 'number') continue;
          const label = c.unknown ? 'unknown flag' : typeof c.variation === 'number' ? String(c.variation) : 'default';
          const entry = (perFlag[label] ??= { value: c.value, count: 0 });
          entry.value = c.value;
          entry.count += c.count;
          counted = true;
        }
      }
    }
    if (counted) this.send('counts', this.counts);
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private send(event: string, data: unknown): void {
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private write(text: string): void {
    for (const res of this.clients) res.write(text);
  }
}
