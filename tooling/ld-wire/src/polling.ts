import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';

import type { FlagData } from './flag-data.js';
import type { WireServer, RecordedRequest } from './server.js';

/**
 * What the polling endpoint does with one request. Queued with {@link PollingEndpoint.nextRequests} and used
 * one per request; with an empty queue a request is served normally.
 */
export type PollPlan =
  /** 200 with the current data and an ETag (304 when `If-None-Match` matches). */
  | { readonly kind: 'serve'; readonly delayMs?: number }
  /** Answers with this HTTP status. */
  | { readonly kind: 'status'; readonly status: number; readonly delayMs?: number }
  /** 200 with this raw body (e.g. malformed JSON) and no ETag. */
  | { readonly kind: 'raw'; readonly body: string; readonly delayMs?: number }
  /** Never answers. */
  | { readonly kind: 'silent' };

/** The polling endpoint, `GET /sdk/latest-all`, with ETag/304 support, statuses and delays. */
export class PollingEndpoint {
  /** Every poll request, oldest first, with how it was answered (none when `recordRequests` is false). */
  readonly requests: { readonly request: RecordedRequest; readonly status: number | undefined }[] = [];
  /** Keep each request in `requests`. Default true (tests); a long-running service sets false. */
  recordRequests = true;
  private readonly plans: PollPlan[] = [];
  /** Response headers added to every 200 (e.g. `{ 'X-LD-EnvId': 'env-1' }`). */
  readonly extraHeaders: Record<string, string> = {};

  constructor(
    server: WireServer,
    private readonly data: FlagData,
  ) {
    server.use((_req, res, request) => {
      if (request.method !== 'GET' || request.path !== '/sdk/latest-all') return false;
      void this.handle(res, request);
      return true;
    });
  }

  /** Plans for the next requests, used one each, in order. */
  nextRequests(...plans: PollPlan[]): void {
    this.plans.push(...plans);
  }

  private async handle(res: ServerResponse, request: RecordedRequest): Promise<void> {
    const plan = this.plans.shift() ?? { kind: 'serve' };
    const record = { request, status: undefined as number | undefined };
    if (this.recordRequests) this.requests.push(record);
    if (plan.kind === 'silent') return;
    if (plan.delayMs) await new Promise((resolve) => setTimeout(resolve, plan.delayMs));
    if (res.destroyed) return;
    if (plan.kind === 'status') {
      record.status = plan.status;
      res.writeHead(plan.status, { 'Content-Type': 'text/plain' }).end(`ld-wire: status ${plan.status}`);
      return;
    }
    if (plan.kind === 'raw') {
      record.status = 200;
      res.writeHead(200, { 'Content-Type': 'application/json', ...this.extraHeaders }).end(plan.body);
      return;
    }
    const body = JSON.stringify(this.data.payload());
    const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
    if (request.headers['if-none-match'] === etag) {
      record.status = 304;
      res.writeHead(304, { ETag: etag }).end();
      return;
    }
    record.status = 200;
    res.writeHead(200, { 'Content-Type': 'application/json', ETag: etag, ...this.extraHeaders }).end(body);
  }
}
