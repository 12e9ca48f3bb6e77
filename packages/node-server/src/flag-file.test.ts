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
    expect(data.features?.a).toMatchObject({ key: 'a', version: 3, on: false });
    expect(data.features?.b).toEqual({ key: 'b', version: 1, on: true, variations: ['green'], fallthrough: { variation: 0 } });
    expect(data.segments?.s).toMatchObject({ key: 's', version: 2 });
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
