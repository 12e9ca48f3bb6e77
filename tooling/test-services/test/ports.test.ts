import { createServer } from 'node:net';

import { describe, expect, it } from 'vitest';

import { findBinary, freePort, waitUntil } from '../src/index.js';

describe('freePort', () => {
  it('returns a loopback port that can be bound', async () => {
    const port = await freePort();
    await new Promise<void>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => s.close(() => resolve()));
    });
  });
});

describe('waitUntil', () => {
  it('resolves once the predicate holds', async () => {
    let n = 0;
    await waitUntil(async () => ++n >= 3, { timeoutMs: 1000, intervalMs: 1, what: 'n' });
    expect(n).toBe(3);
  });

  it('names what it waited for and the last error when it times out', async () => {
    await expect(
      waitUntil(
        async () => {
          throw new Error('boom');
        },
        { timeoutMs: 30, intervalMs: 5, what: 'the thing' },
      ),
    ).rejects.toThrow(/timed out after 30 ms waiting for the thing \(last error: boom\)/);
  });
});

describe('findBinary', () => {
  it('finds node on PATH and not a made-up name', () => {
    expect(findBinary('node')).toMatch(/node$/);
    expect(findBinary('no-such-binary-here')).toBeUndefined();
  });
});
