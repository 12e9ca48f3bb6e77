// What the suite reports for harnesses that lack optional hooks. The suite registers vitest tests, so the
// only faithful way to see what an author sees is to run it: this file runs test/fixtures/harnesses.fixture.ts
// (four harnesses, see there) in a nested vitest with the JSON reporter and checks the report.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { InMemoryPersistentStore } from '@switchyard/core/testing';
import { beforeAll, describe, expect, it, type UserConsoleLog } from 'vitest';
import type { JsonAssertionResult, JsonTestResults, Reporter } from 'vitest/node';
import { startVitest } from 'vitest/node';

import type { CompleteConformanceHarness } from './index.js';

const packageDir = join(import.meta.dirname, '..');
const FIXTURE = 'test/fixtures/harnesses.fixture.ts';
const STRICT_TITLE = 'optional hooks, required by requireAllHooks';

let results: JsonAssertionResult[] = [];
let warnings: string[] = [];

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'store-conformance-'));
  const outputFile = join(dir, 'report.json');
  const logs: UserConsoleLog[] = [];
  const captureLogs: Reporter = { onUserConsoleLog: (log) => void logs.push(log) };
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  // The fixture fails on purpose (strict mode without a hook), and vitest records that in process.exitCode.
  const exitCode = process.exitCode;
  try {
    await startVitest(
      'test',
      [],
      { root: packageDir, config: false, include: [FIXTURE], watch: false, reporters: [['json', { outputFile }], captureLogs] },
      {},
      { stdout: discard, stderr: discard },
    );
    const report = JSON.parse(await readFile(outputFile, 'utf8')) as JsonTestResults;
    results = report.testResults.flatMap((file) => file.assertionResults);
    warnings = logs.filter((log) => log.type === 'stderr').map((log) => log.content.trim());
  } finally {
    process.exitCode = exitCode;
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);

/** The tests the suite registered for the fixture harness named `name`. */
const of = (name: string) => results.filter((r) => r.ancestorTitles[0] === `${name}: persistent store conformance`);
const titles = (rs: JsonAssertionResult[]) => rs.map((r) => `${r.ancestorTitles.slice(1).join(' > ')} > ${r.title}`).sort();
const withStatus = (rs: JsonAssertionResult[], status: JsonAssertionResult['status']) => rs.filter((r) => r.status === status);

describe('runPersistentStoreConformance with a harness that lacks optional hooks', () => {
  it('registers the error and race tests as skipped, each named with the hook it lacks', () => {
    const skipped = withStatus(of('no hooks'), 'skipped');
    const byErrors = skipped.filter((r) => r.title.startsWith('[skipped: harness has no createFailingStore hook] '));
    const byRaces = skipped.filter((r) => r.title.startsWith('[skipped: harness has no setConcurrentModificationHook hook] '));
    expect(byErrors.map((r) => r.title)).toContain('[skipped: harness has no createFailingStore hook] rejects init with a StoreError (#16)');
    expect(byRaces.map((r) => r.title)).toContain(
      '[skipped: harness has no setConcurrentModificationHook hook] retries after losing a race to lower versions and writes its own (#23)',
    );
    expect(byErrors).toHaveLength(6);
    expect(byRaces).toHaveLength(3);
    expect(skipped).toHaveLength(9);
    expect(withStatus(of('no hooks'), 'failed')).toEqual([]);
  });

  it('registers the same tests as for a complete harness, only skipped, so none goes unreported', () => {
    const unprefixed = of('no hooks').map((r) => ({ ...r, title: r.title.replace(/^\[skipped: harness has no \w+ hook\] /, '') }));
    const complete = of('complete').filter((r) => r.ancestorTitles[1] !== STRICT_TITLE);
    expect(complete.length).toBeGreaterThan(40);
    expect(titles(unprefixed)).toEqual(titles(complete));
  });

  it('warns once per missing hook, with the number of tests it disables and how to provide it', () => {
    const own = warnings.filter((w) => w.startsWith('[switchyard/store-conformance] no hooks: '));
    expect(own).toHaveLength(2);
    expect(own).toContainEqual(
      expect.stringMatching(/: 6 error tests skipped because the harness has no createFailingStore hook\. To run them, provide createFailingStore\(\)/),
    );
    expect(own).toContainEqual(
      expect.stringMatching(
        /: 3 concurrent-modification tests skipped because the harness has no setConcurrentModificationHook hook\. To run them, provide setConcurrentModificationHook\(store, hook\)/,
      ),
    );
  });

  it('lists the large data set case as skipped when the harness sets manyItems to 0', () => {
    const skipped = withStatus(of('complete without the large data set'), 'skipped');
    expect(skipped.map((r) => r.title)).toEqual([
      '[skipped: harness sets manyItems to 0] stores and lists a large data set, some of its items large, and replaces it (+)',
    ]);
  });
});

describe('runPersistentStoreConformance with requireAllHooks', () => {
  it('fails a test naming each missing hook, and passes the one for a hook that is there', () => {
    const strict = of('strict without the race hook');
    const failed = withStatus(strict, 'failed');
    expect(failed.map((r) => r.title)).toEqual(['provides the setConcurrentModificationHook hook']);
    expect(failed[0]?.ancestorTitles[1]).toBe(STRICT_TITLE);
    expect(failed[0]?.failureMessages?.[0]).toContain(
      '[switchyard/store-conformance] strict without the race hook: requireAllHooks is set, but the harness has no setConcurrentModificationHook hook, so its 3 concurrent-modification tests did not run.',
    );
    expect(strict.find((r) => r.title === 'provides the createFailingStore hook')?.status).toBe('passed');
  });

  it('still runs the rest of the suite when it fails for a missing hook', () => {
    const strict = of('strict without the race hook');
    expect(strict.find((r) => r.title === 'rejects init with a StoreError (#16)')?.status).toBe('passed');
    expect(withStatus(strict, 'passed').length).toBeGreaterThan(40);
    expect(withStatus(strict, 'skipped')).toHaveLength(3);
  });

  it('runs every group of a complete harness, with nothing skipped or failed', () => {
    const complete = of('complete');
    expect(withStatus(complete, 'passed')).toHaveLength(complete.length);
    for (const title of [
      'provides the createFailingStore hook',
      'provides the setConcurrentModificationHook hook',
      'rejects init with a StoreError (#16)',
      'retries after losing a race to lower versions and writes its own (#23)',
      'stores and lists a data set of 20 items, some of them large, and replaces it (+)',
    ]) {
      expect(complete.map((r) => r.title)).toContain(title);
    }
    expect(warnings.filter((w) => w.includes(' complete: '))).toEqual([]);
  });

  it('has TypeScript require every hook and requireAllHooks in a CompleteConformanceHarness', () => {
    const base = {
      name: 'typed',
      createStore: () => new InMemoryPersistentStore(),
      clearData: async () => {},
      createFailingStore: () => new InMemoryPersistentStore(),
    };
    // @ts-expect-error setConcurrentModificationHook is missing
    const withoutHook: CompleteConformanceHarness<InMemoryPersistentStore> = { ...base, requireAllHooks: true };
    const notStrict: CompleteConformanceHarness<InMemoryPersistentStore> = {
      ...base,
      // @ts-expect-error a complete harness must ask the suite to check its hooks
      requireAllHooks: false,
      setConcurrentModificationHook: (store, hook) => store.setConcurrentModificationHook(hook),
    };
    // The checks above are the compiler's (pnpm typecheck); at run time the objects only need to exist.
    expect([withoutHook.name, notStrict.name]).toEqual(['typed', 'typed']);
  });
});
