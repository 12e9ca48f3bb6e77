/**
 * Turns the runs of every scenario into medians, ratios and verdicts, and formats them as a terminal
 * table and as markdown for the README. Pure functions (unit-tested in report.test.ts).
 */
import type { MetricSpec, Scenario, ScenarioOutput, SdkName } from './protocol.js';

/** One run of one scenario for one SDK. */
export interface Run {
  readonly sdk: SdkName;
  readonly output: ScenarioOutput;
}

/** One metric of one scenario, summarized over its runs. */
export interface MetricRow {
  readonly scenario: string;
  readonly metric: string;
  readonly unit: string;
  readonly better: 'higher' | 'lower';
  readonly switchyard: number | undefined;
  readonly launchdarkly: number | undefined;
  /** Switchyard / LaunchDarkly, undefined when the digests differ (or a side is missing). */
  readonly ratio: number | undefined;
  readonly target: number | undefined;
  /** Whether the ratio meets the target; undefined when there is no target or no ratio. */
  readonly met: boolean | undefined;
}

/** A scenario's summary. */
export interface ScenarioSummary {
  readonly name: string;
  readonly title: string;
  readonly runs: number;
  /** Every run's digest was the same (both SDKs, every round). */
  readonly digestsEqual: boolean;
  readonly digests: Readonly<Record<SdkName, readonly string[]>>;
  readonly digestCount: number;
  readonly rows: readonly MetricRow[];
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function medianOf(runs: readonly Run[], sdk: SdkName, metric: string): number | undefined {
  return median(runs.filter((r) => r.sdk === sdk && r.output.metrics[metric] !== undefined).map((r) => r.output.metrics[metric]!));
}

function verdict(spec: MetricSpec, ratio: number | undefined): boolean | undefined {
  if (spec.target === undefined || ratio === undefined) return undefined;
  return spec.better === 'higher' ? ratio >= spec.target : ratio <= spec.target;
}

/** Medians per SDK, the ratio per metric (only when every digest agrees), and the verdict on its target. */
export function summarize(scenario: Scenario, runs: readonly Run[]): ScenarioSummary {
  const digests = {
    switchyard: runs.filter((r) => r.sdk === 'switchyard').map((r) => r.output.digest),
    launchdarkly: runs.filter((r) => r.sdk === 'launchdarkly').map((r) => r.output.digest),
  };
  const all = [...digests.switchyard, ...digests.launchdarkly];
  const digestsEqual = digests.switchyard.length > 0 && digests.launchdarkly.length > 0 && all.every((d) => d === all[0]);
  const rows = scenario.metrics.map((spec): MetricRow => {
    const switchyard = medianOf(runs, 'switchyard', spec.name);
    const launchdarkly = spec.switchyardOnly ? undefined : medianOf(runs, 'launchdarkly', spec.name);
    const baseline = medianOf(runs, 'launchdarkly', spec.comparedWith ?? spec.name);
    const ratio = digestsEqual && switchyard !== undefined && baseline !== undefined && baseline !== 0 ? switchyard / baseline : undefined;
    return {
      scenario: scenario.name,
      metric: spec.name,
      unit: spec.unit,
      better: spec.better,
      switchyard,
      launchdarkly,
      ratio,
      target: spec.target,
      met: verdict(spec, ratio),
    };
  });
  return {
    name: scenario.name,
    title: scenario.title,
    runs: runs.length,
    digestsEqual,
    digests,
    digestCount: runs[0]?.output.digestCount ?? 0,
    rows,
  };
}

/** A number for a table: 3 significant digits, with k/M for large ones. */
export function formatNumber(n: number | undefined): string {
  if (n === undefined) return '—';
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${(n / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${(n / 1e3).toPrecision(3)}k`;
  return abs >= 100 ? n.toFixed(0) : n.toPrecision(3);
}

function ratioCell(row: MetricRow, digestsEqual: boolean): string {
  if (!digestsEqual) return 'digest differs';
  if (row.ratio === undefined) return '—';
  return `${row.ratio.toFixed(2)}x`;
}

function targetCell(row: MetricRow): string {
  if (row.target === undefined) return '';
  const want = `${row.better === 'higher' ? '≥' : '≤'} ${row.target}x`;
  return row.met === undefined ? want : `${want} ${row.met ? 'met' : 'MISSED'}`;
}

/** Rows of cells: scenario, metric, Switchyard, LaunchDarkly, ratio, target. */
function cells(summaries: readonly ScenarioSummary[]): string[][] {
  return summaries.flatMap((s) =>
    s.rows.map((row, i) => [
      i === 0 ? s.name : '',
      `${row.metric}${row.better === 'higher' ? ' ↑' : ' ↓'}`,
      formatNumber(row.switchyard),
      formatNumber(row.launchdarkly),
      ratioCell(row, s.digestsEqual),
      targetCell(row),
    ]),
  );
}

const HEADER = ['scenario', 'metric', 'Switchyard', 'LaunchDarkly', 'Switchyard / LD', 'target'];

/** The terminal table. */
export function formatTable(summaries: readonly ScenarioSummary[]): string {
  const rows = [HEADER, ...cells(summaries)];
  const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c >= 2 && c <= 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n');
}

/** The same table in markdown (for the README's Performance section). */
export function formatMarkdown(summaries: readonly ScenarioSummary[]): string {
  const line = (r: readonly string[]) => `| ${r.join(' | ')} |`;
  return [line(HEADER), line(HEADER.map((_, c) => (c >= 2 && c <= 4 ? '---:' : '---'))), ...cells(summaries).map(line)].join('\n');
}

/**
 * Replaces the text between `<!-- bench:start -->` and `<!-- bench:end -->` in `readme` with `section`.
 * Throws when the markers are missing, so a README edit cannot silently stop the update.
 */
export function replaceReadmeSection(readme: string, section: string): string {
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error(`benchmarks: the README has no ${start} … ${end} section`);
  return `${readme.slice(0, a + start.length)}\n${section}\n${readme.slice(b)}`;
}
