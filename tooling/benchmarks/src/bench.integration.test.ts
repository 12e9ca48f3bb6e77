import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import type { ClusterResult } from './cluster.js';
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

  it('runs the cluster benchmark: one stream and one event sender in cluster mode, one per worker otherwise, every count exact', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-')), 'result.json');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', '--only', 'cluster', '--cluster-workers', '2', '--cluster-contexts', '20', '--out', out], {
      cwd: packageDir,
      encoding: 'utf8',
      timeout: 180_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('summary counts');
    expect(run.stdout).not.toContain('Switchyard / LD'); // no A/B scenario ran
    const result = JSON.parse(readFileSync(out, 'utf8')) as { scenarios: ScenarioSummary[]; cluster: ClusterResult };
    expect(result.scenarios).toEqual([]);
    const { cluster } = result;
    expect(cluster.problems).toEqual([]);
    expect(cluster.evaluationsPerWorker).toBe(20 * 1000);
    // Prerequisite evaluations are counted too, so the summaries hold more than the calls made.
    expect(cluster.summaryCountPerWorker).toBeGreaterThan(cluster.evaluationsPerWorker);
    expect(cluster.rows.map((r) => `${r.workers} ${r.mode}`)).toEqual(['2 switchyard-cluster', '2 switchyard-independent', '2 launchdarkly-independent']);
    const [clustered, ...independent] = cluster.rows;
    expect(clustered).toMatchObject({ streams: 1, openStreams: 1, senders: 1, diagnosticInits: 1 });
    for (const row of independent) expect(row, row.mode).toMatchObject({ streams: 2, openStreams: 2, senders: 2, diagnosticInits: 2 });
    // Usually one post (the workers' shutdown flushes are coalesced), never more than independent clients make.
    expect(clustered!.bulkPosts).toBeGreaterThanOrEqual(1);
    expect(clustered!.bulkPosts).toBeLessThanOrEqual(independent[0]!.bulkPosts);
    for (const row of cluster.rows) {
      expect(row, row.mode).toMatchObject({ digestsOk: true, problems: [], evaluations: 2 * 20 * 1000 });
      expect(row.summaryCount, row.mode).toBe(2 * cluster.summaryCountPerWorker);
      expect(row.featureEvents, row.mode).toBe(2 * cluster.featureEventsPerWorker);
      expect(row.hostRssMb, row.mode).toBeGreaterThan(row.workerRssMb * 2);
    }
    // Index events: deduplicated across workers by the primary in cluster mode, per worker otherwise.
    expect(independent[0]!.indexEvents).toBe(2 * clustered!.indexEvents);
  }, 240_000);
});
