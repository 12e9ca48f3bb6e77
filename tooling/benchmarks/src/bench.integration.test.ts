import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import type { ScenarioSummary } from './report.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The runner end to end, short: both SDKs against the fake service in their own processes, digests
 * compared, a table and a JSON file. Speed is not asserted (that is what `pnpm bench` reports); that the
 * harness runs, both SDKs give identical answers in every scenario, and every ratio is printed, is.
 */
describe('pnpm bench', () => {
  it('runs the client scenarios for both SDKs, with equal digests and a ratio for every compared metric', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-')), 'result.json');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', '--only', 'evaluate,evaluate-events,all-flags-state,update', '--rounds', '1', '--phase-ms', '150', '--out', out],
      { cwd: packageDir, encoding: 'utf8', timeout: 240_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('Switchyard / LD');
    const result = JSON.parse(readFileSync(out, 'utf8')) as { scenarios: ScenarioSummary[]; machine: { cores: number } };
    expect(result.scenarios.map((s) => s.name)).toEqual(['evaluate', 'evaluate-events', 'all-flags-state', 'update']);
    for (const s of result.scenarios) {
      expect(s.digestsEqual, s.name).toBe(true);
      expect(s.digestCount, s.name).toBeGreaterThan(0);
      for (const row of s.rows) {
        expect(row.switchyard, `${s.name} ${row.metric}`).toBeGreaterThan(0);
        if (row.metric !== 'sync evals/s') expect(row.launchdarkly, `${s.name} ${row.metric}`).toBeGreaterThan(0);
        expect(row.ratio, `${s.name} ${row.metric}`).toBeGreaterThan(0);
      }
    }
    expect(result.machine.cores).toBeGreaterThan(0);
  }, 300_000);
});
