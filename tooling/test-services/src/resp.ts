import { connect } from 'node:net';

/** A decoded RESP2 reply. Errors are returned as `RespError`, not thrown, so callers can inspect them. */
export type RespValue = string | number | null | RespError | RespValue[];

/** A Redis error reply (`-ERR ...`). */
export class RespError {
  constructor(readonly message: string) {}
}

function encode(args: readonly (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const b = Buffer.from(String(arg));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Parses one reply from `buf` at `pos`; returns undefined when more bytes are needed. */
function parse(buf: Buffer, pos: number): { value: RespValue; next: number } | undefined {
  const eol = buf.indexOf('\r\n', pos);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[pos] ?? 0);
  const line = buf.toString('utf8', pos + 1, eol);
  switch (type) {
    case '+':
      return { value: line, next: eol + 2 };
    case '-':
      return { value: new RespError(line), next: eol + 2 };
    case ':':
      return { value: Number(line), next: eol + 2 };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next: eol + 2 };
      const end = eol + 2 + len;
      if (buf.length < end + 2) return undefined;
      return { value: buf.toString('utf8', eol + 2, end), next: end + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: eol + 2 };
      const items: RespValue[] = [];
      let next = eol + 2;
      for (let i = 0; i < count; i++) {
        const item = parse(buf, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

/**
 * Sends one command on a fresh connection and returns the reply. Only for administering test servers
 * (health checks, cluster setup, fault injection); the product uses ioredis.
 */
export function redisCommand(
  port: number,
  args: readonly (string | number)[],
  { host = '127.0.0.1', timeoutMs = 2000 }: { host?: string; timeoutMs?: number } = {},
): Promise<RespValue> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis ${host}:${port} did not answer ${String(args[0])} within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    socket.once('error', (err) => finish(() => reject(err)));
    socket.once('connect', () => socket.write(encode(args)));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      let parsed;
      try {
        parsed = parse(buf, 0);
      } catch (err) {
        finish(() => reject(err));
        return;
      }
      if (parsed) finish(() => resolve(parsed.value));
    });
  });
}
