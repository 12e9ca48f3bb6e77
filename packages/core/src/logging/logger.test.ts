import { describe, expect, it } from 'vitest';

import { noopLogger, safeLogger } from './index.js';

describe('safeLogger', () => {
  it('forwards to the wrapped logger', () => {
    const lines: unknown[][] = [];
    const log = safeLogger({ warn: (...args) => lines.push(args) });
    log.warn('a', 1);
    expect(lines).toEqual([['a', 1]]);
  });

  it('ignores missing methods and swallows exceptions from the logger', () => {
    const log = safeLogger({
      error: () => {
        throw new Error('broken logger');
      },
    });
    expect(() => log.error('x')).not.toThrow();
    expect(() => log.debug('x')).not.toThrow();
  });

  it('falls back to the no-op logger', () => {
    expect(safeLogger(undefined)).toBe(noopLogger);
    expect(Object.isFrozen(noopLogger)).toBe(true);
  });
});
