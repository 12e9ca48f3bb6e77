import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { FlagFileError, loadFlagFile } from './index.js';

function file(contents: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'switchyard-flags-')), 'flags.json');
  writeFileSync(path, contents);
  return path;
}

describe('loadFlagFile', () => {
  it('reads complete flags and turns flagValues into always-on flags', async () => {
    const path = file(
      JSON.stringify({
        flags: { a: { version: 3, on: false, variations: [1, 2], offVariation: 1 } },
        flagValues: { b: 'green' },
        segments: { s: { version: 2, included: ['u'] } },
      }),
    );
    const data = await loadFlagFile(path);
    expect(data.features?.a).toMatchObject({ key: 'a', version: 3, on: false, malformed: undefined });
    // Parsed into core's model, ready for a DataStore, with the JSON kept.
    expect((data.features?.b as unknown as { json: unknown }).json).toEqual({ key: 'b', version: 1, on: true, variations: ['green'], fallthrough: { variation: 0 } });
    expect((data.segments?.s as unknown as { included: Set<string> }).included.has('u')).toBe(true);
  });

  it('gives a data set an in-memory store and the evaluator can use directly', async () => {
    const { Context, DataKinds, InMemoryDataStore } = await import('@switchyard/core');
    const { Evaluator } = await import('@switchyard/core/internal');
    const path = file(JSON.stringify({ flags: { t: { version: 1, on: true, variations: ['x', 'y'], targets: [{ values: ['u'], variation: 1 }], fallthrough: { variation: 0 } } } }));
    const store = new InMemoryDataStore();
    await store.init(await loadFlagFile(path));
    const evaluator = new Evaluator({ flag: (k) => store.getSync(DataKinds.features, k) ?? undefined, segment: () => undefined });
    expect(evaluator.evaluateDetail(store.getSync(DataKinds.features, 't') ?? undefined, Context.from({ kind: 'user', key: 'u' }), 'd')).toEqual({
      value: 'y',
      variationIndex: 1,
      reason: { kind: 'TARGET_MATCH' },
    });
  });

  it('rejects a key that is both a flag and a flag value', async () => {
    const path = file(JSON.stringify({ flags: { a: { version: 1, on: true, variations: [] } }, flagValues: { a: 1 } }));
    await expect(loadFlagFile(path)).rejects.toThrow(/"a" is in both flags and flagValues/);
  });

  it('names the file when it is missing or not JSON', async () => {
    await expect(loadFlagFile('/nonexistent/flags.json')).rejects.toThrow(/cannot read flag file \/nonexistent\/flags.json/);
    const bad = file('{ nope');
    await expect(loadFlagFile(bad)).rejects.toBeInstanceOf(FlagFileError);
    await expect(loadFlagFile(bad)).rejects.toThrow(/is not valid JSON/);
  });
});
