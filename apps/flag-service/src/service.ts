import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';

import { EventsEndpoint, FlagData, PollingEndpoint, StreamEndpoint, WireServer, type RecordedRequest } from '@switchyard/ld-wire';

import { resolveOptions, type FlagServiceOptions } from './config.js';
import { FlagFile, type FlagFileData, type FlagFileHooks, type Item } from './flag-file.js';
import { LiveFeed } from './live.js';
import { validateFlag, validateSegment, ValidationError } from './validate.js';

/** A running flag service. */
export interface FlagService {
  /** `http://<host>:<port>`: the page, and the `baseUri`/`streamUri`/`eventsUri` for SDKs. */
  readonly url: string;
  readonly port: number;
  /** The data file in use. */
  readonly dataFile: string;
  /** True when the data file was created from the sample by this start. */
  readonly created: boolean;
  /** The streaming endpoint (open connections, for tests and the status line). */
  readonly stream: StreamEndpoint;
  /**
   * The events endpoints. Posts are not kept (a long-running service); a test that wants them sets
   * `events.recordPosts = true` (`onPost` feeds the page).
   */
  readonly events: EventsEndpoint;
  /** A copy of the current flags and segments. */
  data(): FlagFileData;
  /** Closes SDK streams and the page's feed, and stops listening. */
  close(): Promise<void>;
}

/** The SDK endpoints: each needs the SDK key in `Authorization`, as LaunchDarkly's service does. */
const SDK_PATHS = new Set(['/all', '/sdk/latest-all', '/bulk', '/diagnostic']);

const PAGE_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};
const PAGE_DIR = new URL('../public/', import.meta.url);

function json(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
  return true;
}

/**
 * Starts the local flag service: LaunchDarkly's streaming (`/all`), polling (`/sdk/latest-all`) and event
 * (`/bulk`, `/diagnostic`) endpoints from `@switchyard/ld-wire` (the implementation the test fake
 * serves too), plus the page and its JSON API under `/api`. Flags live in a JSON file
 * written atomically; every change is validated first and reaches connected SDKs as a stream patch.
 * Rejects with `ConfigError` for unsafe options and `FlagFileError` for an unreadable data file.
 */
export async function startFlagService(options: FlagServiceOptions = {}, hooks: FlagFileHooks = {}): Promise<FlagService> {
  const config = resolveOptions(options);
  const { file, data: initial, created } = await FlagFile.open(config.dataFile, config.samplePath, hooks);
  let state: FlagFileData = initial;
  /** Versions of deleted items, so a re-created one never goes backwards for SDKs that saw the delete. */
  const deletedAt: Record<'flags' | 'segments', Map<string, number>> = { flags: new Map(), segments: new Map() };

  // A long-running service keeps no request history: only open streams are tracked.
  const server = new WireServer({ maxBodyBytes: config.maxBodyBytes, recordRequests: false });
  const flagData = new FlagData(state);
  const stream = new StreamEndpoint(server, flagData);
  stream.recordConnections = false;
  const polling = new PollingEndpoint(server, flagData);
  polling.recordRequests = false;
  const events = new EventsEndpoint(server);
  events.recordPosts = false;
  const live = new LiveFeed();
  events.onPost = (post) => {
    if (post.endpoint === 'bulk') live.events(post.body);
  };

  server.useFirst((_req, res, request) => {
    if (!SDK_PATHS.has(request.path)) return false;
    if (request.headers.authorization === config.sdkKey) return false;
    return json(res, 401, { error: 'unknown SDK key: send the service’s SDK key in the Authorization header' });
  });

  // One change at a time, each written to the file before SDKs or pages hear of it.
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(op: () => Promise<T>): Promise<T> => {
    const next = queue.then(op, op);
    queue = next.catch(() => undefined);
    return next;
  };

  async function commit(kind: 'flags' | 'segments', key: string, item: Item | undefined, version: number): Promise<void> {
    const items = { ...state[kind] };
    if (item) items[key] = item;
    else delete items[key];
    const next = { ...state, [kind]: items };
    await file.write(next);
    state = next;
    if (item) {
      deletedAt[kind].delete(key);
      stream.patch(kind, item);
    } else {
      deletedAt[kind].set(key, version);
      stream.delete(kind, key, version);
    }
    live.change(kind, key, version, !item);
    config.log(`[flag-service] ${item ? 'saved' : 'deleted'} ${kind === 'flags' ? 'flag' : 'segment'} "${key}" (version ${version})`);
  }

  async function change(method: string, kind: 'flags' | 'segments', key: string | undefined, body: string, res: ServerResponse): Promise<true> {
    try {
      return await applyChange(method, kind, key, body, res);
    } catch (err) {
      config.log(`[flag-service] could not save a change to ${kind} "${key ?? ''}": ${(err as Error).message}`);
      return json(res, 500, { error: `could not save the change (nothing was changed): ${(err as Error).message}` });
    }
  }

  function applyChange(method: string, kind: 'flags' | 'segments', key: string | undefined, body: string, res: ServerResponse): Promise<true> {
    const validate = kind === 'flags' ? validateFlag : validateSegment;
    return serialized(async () => {
      if (method === 'DELETE') {
        const existing = key === undefined ? undefined : state[kind][key];
        if (!existing || key === undefined) return json(res, 404, { error: `no ${kind === 'flags' ? 'flag' : 'segment'} "${key ?? ''}"` });
        await commit(kind, key, undefined, existing.version + 1);
        return json(res, 200, { key, version: existing.version + 1 });
      }
      let input: unknown;
      try {
        input = JSON.parse(body);
      } catch (err) {
        return json(res, 400, { error: `the body is not valid JSON: ${(err as Error).message}` });
      }
      let valid: Record<string, unknown>;
      try {
        valid = validate(input, key);
      } catch (err) {
        if (err instanceof ValidationError) return json(res, 400, { error: err.message });
        throw err;
      }
      const itemKey = valid.key as string;
      const existing = state[kind][itemKey];
      if (method === 'POST' && existing) return json(res, 409, { error: `"${itemKey}" already exists; edit it instead` });
      if (method === 'PUT' && !existing) return json(res, 404, { error: `no ${kind === 'flags' ? 'flag' : 'segment'} "${itemKey}"` });
      const version = (existing?.version ?? deletedAt[kind].get(itemKey) ?? 0) + 1;
      const item: Item = { ...valid, key: itemKey, version };
      await commit(kind, itemKey, item, version);
      return json(res, method === 'POST' ? 201 : 200, { [kind === 'flags' ? 'flag' : 'segment']: item });
    });
  }

  function authorizeChange(request: RecordedRequest, res: ServerResponse): boolean {
    // A page on another site can send simple cross-origin POSTs to a local port: changes must be JSON
    // (which needs a CORS preflight this service never grants) and, when the browser says, same-origin.
    const origin = request.headers.origin;
    if (typeof origin === 'string' && origin !== `http://${request.headers.host ?? ''}`) {
      json(res, 403, { error: `changes are accepted from this service's own page only (origin ${origin})` });
      return false;
    }
    if (request.method !== 'DELETE' && !String(request.headers['content-type'] ?? '').startsWith('application/json')) {
      json(res, 415, { error: 'send changes as Content-Type: application/json' });
      return false;
    }
    if (config.adminToken !== undefined && request.headers.authorization !== `Bearer ${config.adminToken}`) {
      json(res, 401, { error: 'this service needs its admin token for changes: Authorization: Bearer <token>' });
      return false;
    }
    return true;
  }

  server.use(async (_req, res, request) => {
    if (request.path === '/api/state' && request.method === 'GET') {
      return json(res, 200, { ...state, tokenRequired: config.adminToken !== undefined });
    }
    if (request.path === '/api/live' && request.method === 'GET') {
      live.attach(res);
      return true;
    }
    const match = /^\/api\/(flags|segments)(?:\/([^/]+))?$/.exec(request.path);
    if (match) {
      const kind = match[1] as 'flags' | 'segments';
      const key = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
      const allowed = key === undefined ? ['POST'] : ['PUT', 'DELETE'];
      if (!allowed.includes(request.method)) {
        res.setHeader('Allow', allowed.join(', '));
        return json(res, 405, { error: `${request.method} is not supported here; use ${allowed.join(' or ')}` });
      }
      if (!authorizeChange(request, res)) return true;
      return change(request.method, kind, key, request.body, res);
    }
    const page = request.method === 'GET' ? PAGE_FILES[request.path] : undefined;
    if (page) {
      const body = await readFile(new URL(page.file, PAGE_DIR));
      res.writeHead(200, {
        'Content-Type': page.type,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'self'; img-src 'self' data:",
      });
      res.end(body);
      return true;
    }
    return false;
  });

  try {
    await server.listen(config.port, config.host);
  } catch (err) {
    live.close();
    throw err;
  }
  config.log(`[flag-service] ${created ? 'created' : 'loaded'} ${config.dataFile}: ${Object.keys(state.flags).length} flags, ${Object.keys(state.segments).length} segments`);
  return {
    url: server.url,
    port: server.port,
    dataFile: config.dataFile,
    created,
    stream,
    events,
    data: () => structuredClone(state),
    async close() {
      live.close();
      await server.close();
    },
  };
}
