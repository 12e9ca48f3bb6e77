import type { ServerResponse } from 'node:http';

import type { WireServer, RecordedRequest } from './server.js';

/** Which events endpoint a post went to. */
export type EventEndpoint = 'bulk' | 'diagnostic';

/**
 * What an events endpoint does with one request. Queued per endpoint with {@link EventsEndpoint.nextRequests}
 * and used one per request; with an empty queue a post is accepted (202).
 */
export type EventPlan =
  /** 202 (after `delayMs`), with `date` as the `Date` header when given. */
  | { readonly kind: 'accept'; readonly delayMs?: number; readonly date?: Date }
  /** Answers with this HTTP status (e.g. 401, 413, 503), after `delayMs`. */
  | { readonly kind: 'status'; readonly status: number; readonly delayMs?: number }
  /** Destroys the connection without answering (the client sees a reset), after `delayMs`. */
  | { readonly kind: 'close'; readonly delayMs?: number }
  /** Never answers (the client's request timeout applies). */
  | { readonly kind: 'silent' };

/** One post to an events endpoint, as received, and how it was answered. */
export interface EventPost {
  readonly endpoint: EventEndpoint;
  readonly request: RecordedRequest;
  /** `X-LaunchDarkly-Payload-ID` (analytics posts only). */
  readonly payloadId: string | undefined;
  /** `X-LaunchDarkly-Event-Schema`. */
  readonly schema: string | undefined;
  /**
   * The parsed JSON body (inflated first when gzipped): an array of events for `bulk`, one object for
   * `diagnostic`. Undefined when the body is not JSON.
   */
  readonly body: unknown;
  /** The status answered; undefined while unanswered, or when the connection was closed or left hanging. */
  status: number | undefined;
}

function header(request: RecordedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The event endpoints, `POST /bulk` (analytics) and `POST /diagnostic`: records every post (headers,
 * parsed payload, the answer) and can script answers per request with plans: statuses, delays, a closed
 * connection, no answer, a chosen `Date` header. Register it on a {@link WireServer} and point the SDK's
 * `eventsUri` at the server's `url`.
 */
export class EventsEndpoint {
  /** Every post, oldest first. */
  readonly posts: EventPost[] = [];
  /** Keep each post in {@link EventsEndpoint.posts}. Default true; a long-running service sets false and uses `onPost`. */
  recordPosts = true;
  /** Called with each post as it arrives. */
  onPost: ((post: EventPost) => void) | undefined;
  /** When set, the `Date` header of every answer (unless a plan sets its own). */
  serverDate: Date | undefined;
  private readonly plans: Record<EventEndpoint, EventPlan[]> = { bulk: [], diagnostic: [] };
  private readonly waiters = new Set<() => void>();

  constructor(server: WireServer) {
    server.use((_req, res, request) => {
      if (request.method !== 'POST') return false;
      const endpoint = request.path === '/bulk' ? 'bulk' : request.path === '/diagnostic' ? 'diagnostic' : undefined;
      if (!endpoint) return false;
      void this.handle(endpoint, res, request);
      return true;
    });
  }

  /** Plans for the next requests to `endpoint` (default `bulk`), used one each, in order. */
  nextRequests(...plans: EventPlan[]): void;
  nextRequests(endpoint: EventEndpoint, ...plans: EventPlan[]): void;
  nextRequests(first: EventEndpoint | EventPlan, ...rest: EventPlan[]): void {
    if (typeof first === 'string') this.plans[first].push(...rest);
    else this.plans.bulk.push(first, ...rest);
  }

  /** Answers the next `count` analytics posts with `status`. */
  failNext(count: number, status: number): void {
    for (let i = 0; i < count; i++) this.plans.bulk.push({ kind: 'status', status });
  }

  /** Posts to `/bulk`. */
  analyticsPosts(): EventPost[] {
    return this.posts.filter((p) => p.endpoint === 'bulk');
  }

  /** Every event of every accepted (2xx) analytics payload, in order. */
  analyticsEvents(): Record<string, unknown>[] {
    return this.analyticsPosts()
      .filter((p) => p.status !== undefined && p.status < 300 && Array.isArray(p.body))
      .flatMap((p) => p.body as Record<string, unknown>[]);
  }

  /** The bodies of accepted diagnostic posts (`diagnostic-init` and `diagnostic`), in order. */
  diagnosticEvents(): Record<string, unknown>[] {
    return this.posts
      .filter((p) => p.endpoint === 'diagnostic' && p.status !== undefined && p.status < 300)
      .map((p) => p.body as Record<string, unknown>);
  }

  /** Resolves once `predicate` holds (checked after every answered or received post); rejects after `timeoutMs`. */
  async waitFor(predicate: (events: this) => boolean, timeoutMs = 5000): Promise<void> {
    if (predicate(this)) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!predicate(this)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`ld-wire: events condition not met within ${timeoutMs} ms (${this.posts.length} posts)`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Forgets recorded posts and queued plans. */
  clear(): void {
    this.posts.length = 0;
    this.plans.bulk.length = 0;
    this.plans.diagnostic.length = 0;
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private async handle(endpoint: EventEndpoint, res: ServerResponse, request: RecordedRequest): Promise<void> {
    const plan = this.plans[endpoint].shift() ?? { kind: 'accept' };
    const post: EventPost = {
      endpoint,
      request,
      payloadId: header(request, 'x-launchdarkly-payload-id'),
      schema: header(request, 'x-launchdarkly-event-schema'),
      body: parse(request.body),
      status: undefined,
    };
    if (this.recordPosts) this.posts.push(post);
    this.onPost?.(post);
    this.notify();
    if (plan.kind === 'silent') return;
    if (plan.delayMs) await new Promise((resolve) => setTimeout(resolve, plan.delayMs));
    if (res.destroyed) return;
    if (plan.kind === 'close') {
      res.socket?.destroy();
      this.notify();
      return;
    }
    const status = plan.kind === 'status' ? plan.status : 202;
    const date = (plan.kind === 'accept' ? plan.date : undefined) ?? this.serverDate;
    if (date) res.setHeader('Date', date.toUTCString());
    post.status = status;
    res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status < 300 ? '' : `ld-wire: status ${status}`);
    this.notify();
  }
}
