import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

import type { EventDeliveryResult, EventPayloadKind, EventSender } from '@switchyard/core';
import { NetworkError } from '../errors.js';

const gzip = promisify(gzipCallback);

/**
 * How the sender makes one HTTP request. The client passes its shared `HttpClient` (keep-alive agents,
 * `tlsParams`, `proxyOptions`/`proxyAgent`), which has this shape; standalone senders use their own
 * keep-alive agent.
 */
export interface EventTransport {
  request(
    url: string,
    options: { method: string; headers: Readonly<Record<string, string>>; body: string | Buffer; timeoutMs: number },
  ): Promise<{ status: number; headers: IncomingHttpHeaders }>;
}

/** Options of {@link HttpEventSender}. */
export interface HttpEventSenderOptions {
  /** LaunchDarkly's `eventsUri` (no trailing slash needed): posts go to `/bulk` and `/diagnostic` under it. */
  eventsUri: string;
  /**
   * Headers of every post, `Authorization` (the SDK key) and `User-Agent` included. The key is only ever
   * sent, never logged.
   */
  headers: Readonly<Record<string, string>>;
  /** Request timeout (socket inactivity, connect included), in milliseconds. Default 10000. */
  timeoutMs?: number;
  /** Gzip bodies (`Content-Encoding: gzip`; LaunchDarkly's `enableEventCompression`). Default false. */
  compress?: boolean;
  /** Sends through this transport (the client's `HttpClient`), which the sender never closes. Default: its own agent. */
  transport?: EventTransport;
  /** Sends through this agent (LaunchDarkly's `proxyAgent`), which the sender never destroys. Ignored with `transport`. */
  agent?: HttpAgent;
  /**
   * Sockets of the sender's own keep-alive agent (ignored with `transport` or `agent`). The processor has at most 5
   * analytics deliveries plus an occasional diagnostic post in flight. Default 5.
   */
  maxSockets?: number;
}

/**
 * Posts event payloads over `node:http`/`node:https`: `{eventsUri}/bulk` for analytics (with
 * `X-LaunchDarkly-Event-Schema: 4` and `X-LaunchDarkly-Payload-ID`) and `{eventsUri}/diagnostic`, JSON,
 * optionally gzipped. It makes exactly one attempt per call and reports the status and the server's `Date`;
 * core's event processor decides about retries, dropping and disabling.
 */
export class HttpEventSender implements EventSender {
  private readonly bulkUrl: string;
  private readonly diagnosticUrl: string;
  private readonly timeoutMs: number;
  private readonly transport: EventTransport;
  private readonly ownAgents: HttpAgent[] = [];

  constructor(private readonly options: HttpEventSenderOptions) {
    const base = options.eventsUri.replace(/\/+$/, '');
    this.bulkUrl = `${base}/bulk`;
    this.diagnosticUrl = `${base}/diagnostic`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    if (options.transport) {
      this.transport = options.transport;
    } else if (options.agent) {
      const agent = options.agent;
      this.transport = { request: (url, o) => nodeRequest(url, o, agent) };
    } else {
      const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 5, maxFreeSockets: 2 };
      const http = new HttpAgent(agentOptions);
      const https = new HttpsAgent(agentOptions);
      this.ownAgents.push(http, https);
      this.transport = { request: (url, o) => nodeRequest(url, o, url.startsWith('https:') ? https : http) };
    }
  }

  async send(kind: EventPayloadKind, body: string, payloadId: string | undefined): Promise<EventDeliveryResult> {
    const headers: Record<string, string> = { ...this.options.headers, 'content-type': 'application/json' };
    if (payloadId !== undefined) {
      headers['x-launchdarkly-event-schema'] = '4';
      headers['x-launchdarkly-payload-id'] = payloadId;
    }
    let data: string | Buffer = body;
    if (this.options.compress) {
      data = await gzip(Buffer.from(body, 'utf8'));
      headers['content-encoding'] = 'gzip';
    }
    const url = kind === 'analytics' ? this.bulkUrl : this.diagnosticUrl;
    const res = await this.transport.request(url, { method: 'POST', headers, body: data, timeoutMs: this.timeoutMs });
    const date = res.headers.date;
    const serverTime = date ? Date.parse(date) : Number.NaN;
    return Number.isFinite(serverTime) ? { status: res.status, serverTime } : { status: res.status };
  }

  /** Destroys the sender's own agent (idle keep-alive sockets); a borrowed transport is left alone. */
  close(): void {
    for (const agent of this.ownAgents) agent.destroy();
  }
}

function nodeRequest(
  url: string,
  options: { method: string; headers: Readonly<Record<string, string>>; body: string | Buffer; timeoutMs: number },
  agent: HttpAgent,
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { method: options.method, headers: { ...options.headers }, agent });
    req.setTimeout(options.timeoutMs, () => req.destroy(new NetworkError(`no response within ${options.timeoutMs} ms`)));
    // The request's own timeout starts only once the agent hands it a socket, and a proxy agent (a
    // `proxyAgent` such as https-proxy-agent) may never do so when the proxy does not answer. A request
    // destroyed before it has a socket emits no error, so this deadline rejects by itself.
    const deadline = setTimeout(() => {
      const err = new NetworkError(`the agent gave the request no connection within ${options.timeoutMs} ms`);
      reject(err);
      req.destroy(err);
    }, options.timeoutMs);
    req.once('socket', () => clearTimeout(deadline));
    req.once('close', () => clearTimeout(deadline));
    // `on`, not `once`: a second error with no listener would be thrown.
    req.on('error', reject);
    req.once('response', (res) => {
      // The body is not needed, but it must be read for the socket to go back to the pool.
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      res.once('error', reject);
    });
    req.end(options.body);
  });
}
