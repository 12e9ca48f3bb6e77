import { describe, expect, it } from 'vitest';

import { ClosedError, ConfigError, StoreError, SwitchyardError, TimeoutError } from './index.js';

describe('the error hierarchy', () => {
  it('gives each error a stable code and a greppable store message', () => {
    const err = new StoreError('redis', 'get', 'connection refused');
    expect(err.code).toBe('STORE');
    expect(err.store).toBe('redis');
    expect(err.operation).toBe('get');
    expect(err.message).toBe('[switchyard/store-redis] get failed: connection refused');
    expect(err).toBeInstanceOf(SwitchyardError);
    expect(err).toBeInstanceOf(Error);
  });

  it('recognises errors by brand, also from another copy of the package', () => {
    // A plain object carrying the registered brand is what an error from a second copy looks like.
    const foreign = Object.defineProperty(new Error('x'), Symbol.for('switchyard.error.code'), { value: 'TIMEOUT' });
    expect(TimeoutError.isInstance(foreign)).toBe(true);
    expect(SwitchyardError.isInstance(foreign)).toBe(true);
    expect(StoreError.isInstance(foreign)).toBe(false);
  });

  it('tells the kinds apart', () => {
    const errors = [new ConfigError('c'), new TimeoutError('t', 5), new ClosedError('x'), new StoreError('s', 'init', 'm')];
    expect(errors.map((e) => [ConfigError.isInstance(e), TimeoutError.isInstance(e), ClosedError.isInstance(e), StoreError.isInstance(e)])).toEqual([
      [true, false, false, false],
      [false, true, false, false],
      [false, false, true, false],
      [false, false, false, true],
    ]);
    expect(SwitchyardError.isInstance(new Error('plain'))).toBe(false);
    expect(SwitchyardError.isInstance(null)).toBe(false);
    expect((errors[1] as TimeoutError).timeoutMs).toBe(5);
  });

  it('reads the code of an error from any copy, and nothing from other values', () => {
    const foreign = Object.defineProperty(new Error('x'), Symbol.for('switchyard.error.code'), { value: 'DATA_SOURCE' });
    expect(SwitchyardError.codeOf(foreign)).toBe('DATA_SOURCE');
    expect(SwitchyardError.codeOf(new ClosedError('c'))).toBe('CLOSED');
    expect(SwitchyardError.codeOf(new Error('plain'))).toBeUndefined();
    expect(SwitchyardError.codeOf('CLOSED')).toBeUndefined();
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    expect(new StoreError('consul', 'upsert', 'bad', { cause }).cause).toBe(cause);
  });
});
