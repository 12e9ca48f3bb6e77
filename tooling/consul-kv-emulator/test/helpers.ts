import type { ConsulEmulator } from '../src/index.js';

/** One entry of a `GET /v1/kv/<key>` answer. */
export interface WireKv {
  LockIndex: number;
  Key: string;
  Flags: number;
  Value: string | null;
  CreateIndex: number;
  ModifyIndex: number;
}

/** A small client for the emulator over real HTTP (fetch). */
export function client(emulator: ConsulEmulator, headers: Record<string, string> = {}) {
  const call = (method: string, path: string, body?: string | Uint8Array): Promise<Response> =>
    fetch(`${emulator.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  return {
    get: (path: string) => call('GET', path),
    put: (path: string, body: string | Uint8Array = '') => call('PUT', path, body),
    del: (path: string) => call('DELETE', path),
    txn: (ops: unknown) => call('PUT', '/v1/txn', typeof ops === 'string' ? ops : JSON.stringify(ops)),
    call,
  };
}

/** The `X-Consul-Index` of an answer, as a number. */
export function indexOf(res: Response): number {
  return Number(res.headers.get('x-consul-index'));
}

/** Waits until `check` is true (polling every 10 ms), failing after `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
