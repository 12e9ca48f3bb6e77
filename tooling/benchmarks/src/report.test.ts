import { describe, expect, it } from 'vitest';

import type { Scenario, ScenarioOutput, SdkName } from './protocol.js';
import { formatMarkdown, formatNumber, formatTable, median, replaceReadmeSection, summarize, type Run } from './report.js';

const scenario: Scenario = {
  name: 'evaluate',
  title: 'test',
  workload: 'standard',
  metrics: [
    { name: 'evals/s', unit: 'evals/s', better: 'higher', target: 5 },
    { name: 'p50 ns', unit: 'ns', better: 'lower', target: 0.5 },
    { name: 'sync evals/s', unit: 'evals/s', better: 'higher', switchyardOnly: true, comparedWith: 'evals/s' },
  ],
  run: () => Promise.reject(new Error('not run in tests')),
};

function run(sdk: SdkName, metrics: Record<string, number>, digest = 'd1'): Run {
  const output: ScenarioOutput = { metrics, digest, digestCount: 10 };
  return { sdk, output };
}

describe('summarize', () => {
  it('takes medians per SDK and judges each ratio against its target', () => {
    const summary = summarize(scenario, [
      run('switchyard', { 'evals/s': 600, 'p50 ns': 100, 'sync evals/s': 900 }),
      run('launchdarkly', { 'evals/s': 100, 'p50 ns': 400 }),
      run('switchyard', { 'evals/s': 400, 'p50 ns': 300, 'sync evals/s': 700 }),
      run('launchdarkly', { 'evals/s': 120, 'p50 ns': 500 }),
      run('switchyard', { 'evals/s': 500, 'p50 ns': 200, 'sync evals/s': 800 }),
      run('launchdarkly', { 'evals/s': 80, 'p50 ns': 600 }),
    ]);
    expect(summary.digestsEqual).toBe(true);
    const [evals, p50, sync] = summary.rows;
    expect(evals).toMatchObject({ switchyard: 500, launchdarkly: 100, ratio: 5, met: true });
    expect(p50).toMatchObject({ switchyard: 200, launchdarkly: 500, ratio: 0.4, met: true });
    // The sync path has no LaunchDarkly counterpart: its ratio is to LaunchDarkly's awaited evals/s.
    expect(sync).toMatchObject({ switchyard: 800, launchdarkly: undefined, ratio: 8, met: undefined });
  });

  it('misses a target by a hair', () => {
    const summary = summarize(scenario, [run('switchyard', { 'evals/s': 499, 'p50 ns': 51 }), run('launchdarkly', { 'evals/s': 100, 'p50 ns': 100 })]);
    expect(summary.rows[0]!.met).toBe(false);
    expect(summary.rows[1]!.met).toBe(false);
  });

  it('prints no ratio when any digest differs, between SDKs or between rounds', () => {
    const between = summarize(scenario, [run('switchyard', { 'evals/s': 500 }, 'a'), run('launchdarkly', { 'evals/s': 100 }, 'b')]);
    expect(between.digestsEqual).toBe(false);
    expect(between.rows[0]!.ratio).toBeUndefined();
    expect(between.rows[0]!.met).toBeUndefined();
    const rounds = summarize(scenario, [
      run('switchyard', { 'evals/s': 500 }, 'a'),
      run('launchdarkly', { 'evals/s': 100 }, 'a'),
      run('switchyard', { 'evals/s': 500 }, 'c'),
    ]);
    expect(rounds.digestsEqual).toBe(false);
    expect(formatTable([rounds])).toContain('digest differs');
  });

  it('prints no ratio when one SDK has no run', () => {
    const summary = summarize(scenario, [run('switchyard', { 'evals/s': 500 })]);
    expect(summary.digestsEqual).toBe(false);
    expect(summary.rows[0]!.ratio).toBeUndefined();
  });
});

describe('formatting', () => {
  it('gives medians of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  it('shortens numbers to three significant digits', () => {
    expect(formatNumber(1_234_567)).toBe('1.23M');
    expect(formatNumber(45_678)).toBe('45.7k');
    expect(formatNumber(2_345)).toBe('2345');
    expect(formatNumber(12.345)).toBe('12.3');
    expect(formatNumber(undefined)).toBe('—');
  });

  it('writes a markdown table with targets and verdicts', () => {
    const summary = summarize(scenario, [run('switchyard', { 'evals/s': 500, 'p50 ns': 100 }), run('launchdarkly', { 'evals/s': 200, 'p50 ns': 400 })]);
    const md = formatMarkdown([summary]);
    expect(md.split('\n')[0]).toBe('| scenario | metric | Switchyard | LaunchDarkly | Switchyard / LD | target |');
    expect(md).toContain('| evaluate | evals/s ↑ | 500 | 200 | 2.50x | ≥ 5x MISSED |');
    expect(md).toContain('|  | p50 ns ↓ | 100 | 400 | 0.25x | ≤ 0.5x met |');
  });

  it('replaces only the marked README section, and refuses a README without markers', () => {
    const readme = 'intro\n<!-- bench:start -->\nold\n<!-- bench:end -->\noutro\n';
    expect(replaceReadmeSection(readme, 'new')).toBe('intro\n<!-- bench:start -->\nnew\n<!-- bench:end -->\noutro\n');
    expect(() => replaceReadmeSection('no markers', 'new')).toThrow(/bench:start/);
  });
});
