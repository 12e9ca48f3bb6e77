// The launcher's view from Redis's side: `CLIENT LIST`, read with ioredis on a short-lived connection.
import { Redis } from 'ioredis';

/**
 * How many connections each client name holds, from `CLIENT LIST`.
 * @param {string} url `redis://` or `rediss://`, with an optional user and password
 * @returns {Promise<Map<string, number>>}
 */
export async function connectionsByName(url) {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 5000 });
  try {
    await redis.connect();
    const list = /** @type {string} */ (await redis.client('LIST'));
    /** @type {Map<string, number>} */
    const counts = new Map();
    for (const line of list.split('\n')) {
      const name = /(?:^| )name=(\S*)/.exec(line)?.[1];
      if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return counts;
  } finally {
    redis.disconnect();
  }
}
