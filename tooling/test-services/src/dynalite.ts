import type { Server } from 'node:http';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { ServiceStartError } from './errors.js';
import { freePort, LOOPBACK, waitUntil } from './ports.js';
import { spawnManaged, type ManagedProcess } from './process.js';

const SERVICE = 'dynalite';

/** Options for {@link startDynalite}. */
export interface DynaliteOptions {
  /**
   * `'in-process'` (default): fastest, shares the test's event loop.
   * `'child-process'`: a separate Node process, so `kill()` is a real abrupt outage.
   */
  mode?: 'in-process' | 'child-process';
  /** Port to listen on. Default: a free loopback port. */
  port?: number;
  /** Largest item dynalite accepts, in KB. Default 400 (DynamoDB's limit). Note: dynalite counts UTF-16 code units, not UTF-8 bytes. */
  maxItemSizeKb?: number;
  /**
   * How long a new table stays CREATING, in milliseconds. Default 0: ACTIVE within milliseconds, but not
   * synchronously (dynalite flips it on a timer), so wait for ACTIVE as with real DynamoDB.
   */
  createTableMs?: number;
  /** How long to wait for the first healthy answer, in milliseconds. Default 10000. */
  startTimeoutMs?: number;
}

/** A running DynamoDB emulator on loopback. */
export interface DynaliteServer {
  readonly host: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>`: pass as the AWS SDK's `endpoint`. */
  readonly endpoint: string;
  /** A region and dummy credentials that the AWS SDK accepts. */
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly running: boolean;
  /** Stops answering at once, dropping open connections. Data is lost. */
  kill(): Promise<void>;
  /** Starts again on the same port, empty. */
  restart(): Promise<void>;
  /** Stops the server. Safe to call twice. */
  stop(): Promise<void>;
}

interface Instance {
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

type DynaliteFactory = (options: Record<string, unknown>) => Server;

function loadDynalite(): DynaliteFactory {
  try {
    return require('dynalite') as DynaliteFactory;
  } catch (err) {
    throw new ServiceStartError(SERVICE, 'the `dynalite` npm package is not installed; run `pnpm install`.', { cause: err });
  }
}

/** Sends a `ListTables` call the way the AWS SDK does (dynalite checks the header shape, not the signature). */
function listTables(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const body = '{}';
    const req = request(
      {
        host: LOOPBACK,
        port,
        method: 'POST',
        path: '/',
        timeout: 1000,
        headers: {
          'Content-Type': 'application/x-amz-json-1.0',
          'X-Amz-Target': 'DynamoDB_20120810.ListTables',
          'X-Amz-Date': '20260101T000000Z',
          Authorization:
            'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, ' +
            'SignedHeaders=host;x-amz-date;x-amz-target, Signature=00',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve(res.statusCode === 200 && text.includes('TableNames')));
      },
    );
    req.on('timeout', () => req.destroy(new Error('ListTables timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

async function startInProcess(port: number, settings: Record<string, unknown>): Promise<Instance> {
  const server = loadDynalite()(settings);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        // dynalite's close() waits for idle keep-alive sockets; the AWS SDK keeps them open.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function startChild(port: number, settings: Record<string, unknown>): Instance {
  const cli = join(dirname(require.resolve('dynalite/package.json')), 'cli.js');
  const args = [cli, '--host', LOOPBACK, '--port', String(port)];
  for (const [k, v] of Object.entries(settings)) args.push(`--${k}`, String(v));
  const proc: ManagedProcess = spawnManaged(process.execPath, args);
  return { close: () => proc.kill('SIGKILL') };
}

/**
 * Starts dynalite (a DynamoDB implementation on npm) on a free loopback port with tables that turn ACTIVE
 * within milliseconds of being created, waits until it answers `ListTables`, and returns a handle.
 */
export async function startDynalite(options: DynaliteOptions = {}): Promise<DynaliteServer> {
  const mode = options.mode ?? 'in-process';
  const settings = {
    createTableMs: options.createTableMs ?? 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    maxItemSizeKb: options.maxItemSizeKb ?? 400,
  };
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const port = options.port ?? (await freePort());

  const launch = async (): Promise<Instance> => {
    const instance = mode === 'in-process' ? await startInProcess(port, settings) : startChild(port, settings);
    try {
      await waitUntil(() => listTables(port), { timeoutMs: startTimeoutMs, what: `dynalite on port ${port} to answer ListTables` });
    } catch (err) {
      await instance.close();
      throw new ServiceStartError(SERVICE, (err as Error).message, { cause: err });
    }
    return instance;
  };

  let current: Instance | undefined = await launch();
  let stopped = false;
  const handle: DynaliteServer = {
    host: LOOPBACK,
    port,
    endpoint: `http://${LOOPBACK}:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    get running() {
      return current !== undefined;
    },
    async kill() {
      const c = current;
      current = undefined;
      await c?.close();
    },
    async restart() {
      if (stopped) throw new ServiceStartError(SERVICE, 'restart() after stop()');
      await handle.kill();
      current = await launch();
    },
    async stop() {
      stopped = true;
      await handle.kill();
    },
  };
  return handle;
}
