import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal events service for LaunchDarkly's SDK in agreement tests: keeps the events of every
 * analytics payload (`POST /bulk`) and answers 202 once the body has been read, so that after an
 * awaited `flush()` the payload is here in full.
 */
export class EventsReceiver {
  private constructor(
    private readonly _server: Server,
    /** `http://127.0.0.1:<port>`, for `eventsUri`. */
    readonly url: string,
    /** Each analytics payload received, in order. */
    readonly payloads: Record<string, unknown>[][],
  ) {}

  static async start(): Promise<EventsReceiver> {
    const payloads: Record<string, unknown>[][] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url?.endsWith('/bulk')) payloads.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>[]);
        response.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new EventsReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, payloads);
  }

  /** Forgets the payloads received so far. */
  clear(): void {
    this.payloads.length = 0;
  }

  close(): Promise<void> {
    this._server.closeAllConnections();
    return new Promise((resolve) => this._server.close(() => resolve()));
  }
}
