import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { CapturingLogger } from '@switchyard/core/testing';

import { SwitchyardClient } from '../client/client.js';
import { FileDataSourceFactory } from './file-data-source.js';

const user = { kind: 'user', key: 'alice' };

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'switchyard-files-'));
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('FileDataSourceFactory', () => {
  it('reads JSON and YAML files with flags, flagValues and segments', async () => {
    const d = dir();
    writeFileSync(join(d, 'a.json'), JSON.stringify({ flags: { seg: { version: 2, on: true, variations: [false, true], fallthrough: { variation: 0 }, rules: [{ id: 'r', variation: 1, clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['vip'] }] }] } } }));
    writeFileSync(join(d, 'b.yaml'), 'flagValues:\n  colour: green\nsegments:\n  vip:\n    version: 1\n    included: [alice]\n');
    const client = new SwitchyardClient('k', {
      updateProcessor: new FileDataSourceFactory({ paths: [join(d, 'a.json'), join(d, 'b.yaml')] }),
      sendEvents: false,
      logger: new CapturingLogger(),
    });
    await client.waitForInitialization({ timeout: 5 });
    expect(client.variationSync('colour', user, 'x')).toBe('green');
    expect(client.variationSync('seg', user, 'x')).toBe(true);
    expect(client.variationSync('seg', { kind: 'user', key: 'bob' }, 'x')).toBe(false);
    await client.close();
  });

  it('fails the client when a file cannot be loaded at start, naming the file', async () => {
    const client = new SwitchyardClient('k', {
      updateProcessor: new FileDataSourceFactory({ paths: ['/nonexistent/flags.json'] }),
      sendEvents: false,
      logger: new CapturingLogger(),
    });
    await expect(client.waitForInitialization({ timeout: 5 })).rejects.toThrow(/cannot read flag file \/nonexistent\/flags.json/);
    expect(client.dataSourceStatusProvider.getStatus().state).toBe('OFF');
    await client.close();
  });

  it('rejects a key defined in two files', async () => {
    const d = dir();
    writeFileSync(join(d, 'a.json'), JSON.stringify({ flagValues: { x: 1 } }));
    writeFileSync(join(d, 'b.json'), JSON.stringify({ flagValues: { x: 2 } }));
    const client = new SwitchyardClient('k', { updateProcessor: new FileDataSourceFactory({ paths: [join(d, 'a.json'), join(d, 'b.json')] }), sendEvents: false, logger: new CapturingLogger() });
    await expect(client.waitForInitialization({ timeout: 5 })).rejects.toThrow(/"x" is defined more than once/);
    await client.close();
  });

  it('with autoUpdate, reloads a changed file (also when replaced by rename), fires update events, and keeps data on a bad edit', async () => {
    const d = dir();
    const path = join(d, 'flags.json');
    writeFileSync(path, JSON.stringify({ flagValues: { colour: 'green', size: 1 } }));
    const logger = new CapturingLogger();
    const client = new SwitchyardClient('k', { updateProcessor: new FileDataSourceFactory({ paths: [path], autoUpdate: true }), sendEvents: false, logger });
    await client.waitForInitialization({ timeout: 5 });
    const updates: string[] = [];
    client.on('update', ({ key }: { key: string }) => updates.push(key));
    writeFileSync(path, JSON.stringify({ flagValues: { colour: 'blue', size: 1 } }));
    await until(() => client.variationSync('colour', user, 'x') === 'blue');
    await until(() => updates.length > 0);
    expect(updates).toEqual(['colour']);
    writeFileSync(path, '{ not json');
    await until(() => client.dataSourceStatusProvider.getStatus().state === 'INTERRUPTED');
    expect(client.variationSync('colour', user, 'x')).toBe('blue');
    writeFileSync(join(d, 'next.json'), JSON.stringify({ flagValues: { colour: 'red' } }));
    renameSync(join(d, 'next.json'), path);
    await until(() => client.variationSync('colour', user, 'x') === 'red');
    expect(client.dataSourceStatusProvider.getStatus().state).toBe('VALID');
    await client.close();
  });
});
