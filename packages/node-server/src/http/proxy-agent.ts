import { Agent, request as httpRequest, type ClientRequest, type ClientRequestArgs } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';

import type { LDProxyOptions, LDTLSOptions } from '../options.js';
import { LDUnexpectedResponseError, NetworkError } from '../errors.js';

type Callback = (err: Error | null, socket?: Duplex) => void;

/**
 * An agent that reaches every target through an HTTP proxy with `CONNECT` (what LaunchDarkly's SDK does
 * with `https-proxy-agent`), so streaming, polling and events all go through the proxy. For an `https:`
 * target the tunnel is wrapped in TLS with the client's `tlsParams`. Node's `Agent` accepts a
 * `createConnection` that answers through its callback, so no dependency is needed.
 *
 * Every phase of setting up a tunnel is bounded by `connectTimeoutMs` (the `timeout` option): the TCP
 * (or TLS) connection to the proxy, the proxy's answer to `CONNECT`, and the TLS handshake with the
 * target through the tunnel. A failed phase fails the request with an error that names the proxy, the
 * target and the phase; {@link TunnelAgent.destroy} also ends tunnels still being set up, so nothing is
 * left holding the process after the client closed.
 *
 * Why not `https-proxy-agent` (the maintained agent LaunchDarkly's SDK uses): up to its latest version
 * (9.1.0) it puts no bound on the connection to the proxy or on the wait for the `CONNECT` answer (its
 * `timeout` option is not applied to them, and a request's own timeout only starts once the agent has
 * handed over a socket), so a proxy that accepts and never answers hangs the request forever; bounding it
 * from outside is not possible either, because the socket to the proxy is created inside its `connect()`
 * and neither destroying the request nor `agent.destroy()` closes it, so it would also keep the process
 * alive after `close()`.
 */
export class TunnelAgent extends Agent {
  /** Node checks the agent's protocol against the request's. */
  readonly protocol: 'http:' | 'https:';
  /** Aborts of tunnels still being set up, for {@link TunnelAgent.destroy}. */
  private readonly settingUp = new Set<(err: Error) => void>();

  /**
   * @param targetProtocol The protocol of the targets reached through this agent (`https:` adds TLS inside the tunnel).
   * @param proxy Where the proxy is and how to authenticate (`proxyOptions`).
   * @param tls TLS settings for the target, and for the proxy when its scheme is `https` (`tlsParams`).
   * @param connectTimeoutMs The bound of each phase of setting up a tunnel, in milliseconds (`timeout`).
   */
  constructor(
    targetProtocol: 'http:' | 'https:',
    private readonly proxy: LDProxyOptions,
    private readonly tls: LDTLSOptions | undefined,
    private readonly connectTimeoutMs: number,
  ) {
    super({ keepAlive: true });
    this.protocol = targetProtocol;
  }

  override createConnection(options: ClientRequestArgs, callback: Callback): Duplex | undefined {
    const host = options.hostname ?? options.host ?? 'localhost';
    const port = Number(options.port ?? (this.protocol === 'https:' ? 443 : 80));
    const target = `${host}:${port}`;
    const secureProxy = (this.proxy.scheme ?? 'http').startsWith('https');
    const proxyHost = this.proxy.host ?? 'localhost';
    const proxyPort = this.proxy.port ?? (secureProxy ? 443 : 80);
    const proxyName = `${proxyHost}:${proxyPort}`;
    const ms = this.connectTimeoutMs;

    const headers: Record<string, string> = { Host: target };
    if (this.proxy.auth) headers['Proxy-Authorization'] = `Basic ${Buffer.from(this.proxy.auth).toString('base64')}`;
    const connectRequest: ClientRequest = (secureProxy ? httpsRequest : httpRequest)({
      host: proxyHost,
      port: proxyPort,
      method: 'CONNECT',
      path: target,
      headers,
      agent: false,
      ...(secureProxy ? (this.tls as object) : {}),
    });

    let phase: 'proxy-connect' | 'connect-answer' | 'tls-handshake' = 'proxy-connect';
    let timer: ReturnType<typeof setTimeout> | undefined;
    let tunnel: Socket | undefined;
    let secure: TLSSocket | undefined;
    let done = false;
    const finish = (err: Error | null, socket?: Duplex) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.settingUp.delete(abort);
      if (err) {
        connectRequest.destroy();
        tunnel?.destroy();
        secure?.destroy();
        callback(err);
      } else {
        callback(null, socket);
      }
    };
    const abort = (err: Error) => finish(err);
    this.settingUp.add(abort);
    const enter = (next: typeof phase) => {
      if (done) return;
      phase = next;
      clearTimeout(timer);
      timer = setTimeout(() => finish(new NetworkError(`${describeTimeout(next, proxyName, target)} within ${ms} ms`)), ms);
    };
    enter('proxy-connect');

    connectRequest.once('socket', (socket: Socket) => {
      // An `https` proxy is reached once its own TLS handshake is done.
      if (secureProxy) socket.once('secureConnect', () => enter('connect-answer'));
      else if (socket.connecting) socket.once('connect', () => enter('connect-answer'));
      else enter('connect-answer');
    });
    connectRequest.once('connect', (res, socket: Socket, head: Buffer) => {
      if (done) {
        socket.destroy();
        return;
      }
      tunnel = socket;
      // Any 2xx answer to CONNECT opens the tunnel (RFC 9110, 9.3.6).
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) {
        const answer = `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`;
        const hint = status === 407 ? ' (proxy authentication required: check proxyOptions.auth)' : '';
        finish(new LDUnexpectedResponseError(`the proxy ${proxyName} refused to open a tunnel to ${target}: ${answer}${hint}`));
        return;
      }
      if (head.length > 0) socket.unshift(head);
      if (this.protocol === 'http:') {
        finish(null, socket);
        return;
      }
      enter('tls-handshake');
      const tlsOptions: ConnectionOptions = { ...(this.tls as ConnectionOptions), socket, servername: this.tls?.servername ?? host };
      secure = tlsConnect(tlsOptions);
      const handshake = secure;
      handshake.once('secureConnect', () => finish(null, handshake));
      handshake.on('error', (err) =>
        finish(new NetworkError(`the TLS handshake with ${target} through the proxy ${proxyName} failed: ${err.message}`, { cause: err })),
      );
    });
    // `on`, not `once`: a second error with no listener would be thrown.
    connectRequest.on('error', (err) => {
      const message =
        phase === 'proxy-connect'
          ? `cannot connect to the proxy ${proxyName}: ${err.message}`
          : `the proxy ${proxyName} closed the connection before answering CONNECT for ${target} (${err.message})`;
      finish(new NetworkError(message, { cause: err }));
    });
    connectRequest.end();
    return undefined;
  }

  /** Destroys pooled sockets and ends every tunnel still being set up (its request fails). */
  override destroy(): void {
    for (const abort of [...this.settingUp]) abort(new NetworkError('the proxy tunnel was closed before it was set up (the client is closing)'));
    super.destroy();
  }
}

function describeTimeout(phase: 'proxy-connect' | 'connect-answer' | 'tls-handshake', proxy: string, target: string): string {
  switch (phase) {
    case 'proxy-connect':
      return `could not connect to the proxy ${proxy}`;
    case 'connect-answer':
      return `the proxy ${proxy} did not answer CONNECT for ${target}`;
    case 'tls-handshake':
      return `the TLS handshake with ${target} through the proxy ${proxy} did not complete`;
  }
}
