import { Agent, request as httpRequest, type ClientRequestArgs } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

import type { LDProxyOptions, LDTLSOptions } from '../options.js';

type Callback = (err: Error | null, socket?: Duplex) => void;

/**
 * An agent that reaches every target through an HTTP proxy with `CONNECT` (what LaunchDarkly's SDK does
 * with `https-proxy-agent`), so streaming, polling and events all go through the proxy. For an `https:`
 * target the tunnel is wrapped in TLS with the client's `tlsParams`. No dependency: Node's `Agent`
 * accepts a `createConnection` that answers through its callback.
 */
export class TunnelAgent extends Agent {
  /** Node checks the agent's protocol against the request's. */
  readonly protocol: 'http:' | 'https:';

  constructor(
    targetProtocol: 'http:' | 'https:',
    private readonly proxy: LDProxyOptions,
    private readonly tls: LDTLSOptions | undefined,
  ) {
    super({ keepAlive: true });
    this.protocol = targetProtocol;
  }

  override createConnection(options: ClientRequestArgs, callback: Callback): Duplex | undefined {
    const host = options.hostname ?? options.host ?? 'localhost';
    const port = Number(options.port ?? (this.protocol === 'https:' ? 443 : 80));
    const secureProxy = (this.proxy.scheme ?? 'http').startsWith('https');
    const headers: Record<string, string> = { Host: `${host}:${port}` };
    if (this.proxy.auth) headers['Proxy-Authorization'] = `Basic ${Buffer.from(this.proxy.auth).toString('base64')}`;
    const connectRequest = (secureProxy ? httpsRequest : httpRequest)({
      host: this.proxy.host ?? 'localhost',
      port: this.proxy.port ?? (secureProxy ? 443 : 80),
      method: 'CONNECT',
      path: `${host}:${port}`,
      headers,
      agent: false,
      ...(secureProxy ? (this.tls as object) : {}),
    });
    let done = false;
    const finish = (err: Error | null, socket?: Duplex) => {
      if (done) return;
      done = true;
      callback(err, socket);
    };
    connectRequest.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        finish(new Error(`the proxy answered CONNECT with HTTP ${res.statusCode}`));
        return;
      }
      if (this.protocol === 'http:') {
        finish(null, socket);
        return;
      }
      const tlsOptions: ConnectionOptions = { ...(this.tls as ConnectionOptions), socket, servername: this.tls?.servername ?? host };
      const secure = tlsConnect(tlsOptions);
      secure.once('secureConnect', () => finish(null, secure));
      secure.once('error', (err) => finish(err));
    });
    connectRequest.once('error', (err) => finish(new Error(`cannot reach the proxy: ${err.message}`, { cause: err })));
    connectRequest.end();
    return undefined;
  }
}
