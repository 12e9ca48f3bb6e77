// One Redis command on a short-lived connection, with no client library: enough for the launcher to read
// `CLIENT LIST`. Handles redis:// and rediss:// URLs with an optional user and password.
import { connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** @typedef {string | number | null | Error | unknown[]} RespValue a reply; an array holds replies */

/**
 * Parses one RESP2 reply from `buf` at `offset`.
 * @param {Buffer} buf
 * @param {number} offset
 * @returns {{ value: RespValue, next: number } | undefined} undefined while the reply is incomplete
 */
function parseReply(buf, offset) {
  const eol = buf.indexOf('\r\n', offset);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[offset] ?? 0);
  const line = buf.toString('utf8', offset + 1, eol);
  const next = eol + 2;
  switch (type) {
    case '+':
      return { value: line, next };
    case '-':
      return { value: new Error(line), next };
    case ':':
      return { value: Number(line), next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next };
      if (buf.length < next + length + 2) return undefined;
      return { value: buf.toString('utf8', next, next + length), next: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next };
      /** @type {RespValue[]} */
      const items = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, at);
        if (!item) return undefined;
        items.push(item.value);
        at = item.next;
      }
      return { value: items, next: at };
    }
    default:
      throw new Error(`unexpected Redis reply type ${JSON.stringify(type)}`);
  }
}

/** @param {readonly (string | number)[]} args */
function encode(args) {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join('')}`;
}

/**
 * Sends one command (after `AUTH` when the URL has a password) and resolves with its reply; a Redis
 * error reply rejects.
 * @param {string} url `redis://[[user]:password@]host[:port]` or `rediss://…`
 * @param {readonly (string | number)[]} args e.g. `['CLIENT', 'LIST']`
 * @param {number} [timeoutMs]
 * @returns {Promise<RespValue>}
 */
export function redisCommand(url, args, timeoutMs = 2000) {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(target.port || 6379);
  const password = decodeURIComponent(target.password);
  const username = decodeURIComponent(target.username);
  /** @type {(readonly (string | number)[])[]} */
  const commands = [];
  if (password) commands.push(username ? ['AUTH', username, password] : ['AUTH', password]);
  commands.push(args);

  return new Promise((resolve, reject) => {
    const socket = target.protocol === 'rediss:' ? connectTls({ host, port, servername: host }) : connectTcp({ host, port });
    /** @type {RespValue[]} */
    const replies = [];
    let buf = Buffer.alloc(0);
    /** @param {() => void} settle */
    const finish = (settle) => {
      clearTimeout(timer);
      socket.destroy();
      settle();
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`Redis at ${host}:${port} did not answer within ${timeoutMs} ms`))), timeoutMs);
    socket.once(target.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => socket.write(commands.map(encode).join('')));
    socket.on('error', (err) => finish(() => reject(err)));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      try {
        for (let parsed = parseReply(buf, 0); parsed; parsed = parseReply(buf, 0)) {
          replies.push(parsed.value);
          buf = buf.subarray(parsed.next);
        }
      } catch (err) {
        finish(() => reject(err));
        return;
      }
      if (replies.length < commands.length) return;
      const failed = replies.find((r) => r instanceof Error);
      const last = /** @type {RespValue} */ (replies[replies.length - 1]);
      finish(() => (failed ? reject(failed) : resolve(last)));
    });
  });
}

/**
 * How many connections each client name holds, from `CLIENT LIST`.
 * @param {string} url
 * @returns {Promise<Map<string, number>>}
 */
export async function connectionsByName(url) {
  const list = await redisCommand(url, ['CLIENT', 'LIST']);
  /** @type {Map<string, number>} */
  const counts = new Map();
  for (const line of String(list).split('\n')) {
    const name = /(?:^| )name=(\S*)/.exec(line)?.[1];
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}
