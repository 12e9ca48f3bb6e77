import { describe, expect, it } from 'vitest';

import {
  CLUSTER_END,
  CLUSTER_START,
  countProblems,
  expectedEvents,
  formatClusterMarkdown,
  formatClusterTable,
  hasClusterSection,
  replaceClusterSection,
  tallyEvents,
  type ClusterMode,
  type ClusterRow,
  type FlagShape,
  type Outcome,
  type PostLike,
} from './cluster-report.js';

// ---- expected counts -------------------------------------------------------------------------------

/**
 * b and d are plain flags; d serves variation 1 only for context 1. c needs b=0 and d=1; e needs b=1
 * (fails at once); f needs c=0 (c's own prerequisites are evaluated too); a is off (its prerequisite is
 * never evaluated).
 */
const flags: Record<string, FlagShape> = {
  a: { on: false, prerequisites: [{ key: 'b', variation: 0 }] },
  b: { on: true },
  c: {
    on: true,
    prerequisites: [
      { key: 'b', variation: 0 },
      { key: 'd', variation: 1 },
    ],
  },
  d: { on: true },
  e: {
    on: true,
    prerequisites: [
      { key: 'b', variation: 1 },
      { key: 'd', variation: 1 },
    ],
  },
  f: { on: true, prerequisites: [{ key: 'c', variation: 0 }] },
};

function outcome(key: string, context: number): Outcome {
  const variationIndex = key === 'd' ? (context === 1 ? 1 : 0) : 0;
  return { variationIndex, inExperiment: key === 'd' && context === 1 };
}

describe('expectedEvents', () => {
  it('counts every evaluation and each prerequisite it visits, stopping at the first that fails', () => {
    const one = expectedEvents(flags, ['a'], 1, outcome);
    expect([...one.counts]).toEqual([['a', 1]]); // off: no prerequisite evaluated
    const e = expectedEvents(flags, ['e'], 1, outcome);
    expect(Object.fromEntries(e.counts)).toEqual({ e: 1, b: 1 }); // b fails: d is not evaluated
    const c = expectedEvents(flags, ['c'], 1, outcome);
    expect(Object.fromEntries(c.counts)).toEqual({ c: 1, b: 1, d: 1 }); // d is evaluated (and fails)
    const f = expectedEvents(flags, ['f'], 1, outcome);
    expect(Object.fromEntries(f.counts)).toEqual({ f: 1, c: 1, b: 1, d: 1 }); // nested prerequisites
  });

  it('sums over contexts, with feature events for evaluations in experiments (prerequisites too)', () => {
    const all = expectedEvents(flags, ['a', 'b', 'c', 'd', 'e', 'f'], 2, outcome);
    expect(all.evaluations).toBe(12);
    // Per context: a 1, b 1+1(c)+1(e)+1(f→c), c 1+1(f), d 1+1(c)+1(f→c), e 1, f 1 = 12.
    expect(Object.fromEntries(all.counts)).toEqual({ a: 2, b: 8, c: 4, d: 6, e: 2, f: 2 });
    expect(all.countTotal).toBe(24);
    // d is in an experiment for context 1 only: evaluated directly, via c and via f → c.
    expect(all.featureEvents).toBe(3);
  });
});

// ---- tally and check -------------------------------------------------------------------------------

function summary(counts: Record<string, number[]>): Record<string, unknown> {
  return {
    kind: 'summary',
    startDate: 1,
    endDate: 2,
    features: Object.fromEntries(Object.entries(counts).map(([key, ns]) => [key, { default: null, counters: ns.map((count, variation) => ({ variation, version: 1, value: variation, count })) }])),
  };
}

function bulk(sender: string, events: unknown[], status = 202): PostLike {
  const text = JSON.stringify(events);
  return { endpoint: 'bulk', headers: { 'x-launchdarkly-instance-id': sender }, body: events, bytes: Buffer.byteLength(text), status };
}

const diagnosticInit: PostLike = { endpoint: 'diagnostic', headers: {}, body: { kind: 'diagnostic-init' }, bytes: 10, status: 202 };
const diagnostic: PostLike = { endpoint: 'diagnostic', headers: {}, body: { kind: 'diagnostic' }, bytes: 10, status: 202 };

describe('tallyEvents and countProblems', () => {
  // Per worker: c 2, b 2, d 4; 2 feature events (d for context 1, directly and via c). Two workers: twice that.
  const expected = expectedEvents(flags, ['c', 'd'], 2, outcome);
  const feature = { kind: 'feature', key: 'd', context: { kind: 'user', key: 'u' } };
  const features = [feature, feature, feature, feature];
  const index = { kind: 'index', context: { kind: 'user', key: 'u' } };

  it('tallies posts, distinct senders, diagnostic-init events and summary counts over every payload', () => {
    const posts = [
      bulk('w1', [index, feature, feature, summary({ c: [2], b: [1, 1], d: [3, 1] })]),
      bulk('w2', [summary({ c: [1, 1], b: [2], d: [4] }), feature, feature, index]),
      diagnosticInit,
      diagnosticInit,
      diagnostic,
    ];
    const tally = tallyEvents(posts);
    expect(tally).toMatchObject({ bulkPosts: 2, senders: 2, diagnosticInits: 2, summaries: 2, indexEvents: 2, featureEvents: 4, countTotal: 16, rejectedPosts: 0 });
    expect(Object.fromEntries(tally.counts)).toEqual({ c: 4, b: 4, d: 8 });
    expect(tally.bulkBytes).toBe(posts[0]!.bytes + posts[1]!.bytes);
    expect(countProblems(expected, 2, tally)).toEqual([]);
  });

  it('counts one sender for posts with the same instance id', () => {
    const tally = tallyEvents([bulk('primary', [summary({ c: [4] })]), bulk('primary', [summary({ b: [4] })])]);
    expect(tally.senders).toBe(1);
    expect(tally.bulkPosts).toBe(2);
  });

  it('fails when one evaluation is missing, one is counted twice, or a flag was counted that was not evaluated', () => {
    const right = { c: [4], b: [4], d: [8] };
    const missing = countProblems(expected, 2, tallyEvents([bulk('p', [summary({ ...right, d: [7] }), ...features])]));
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatch(/15 counted, 16 expected.*1 flags differ, e\.g\. d: 7 counted, 8 expected/);
    // The same total, spread wrongly: still a mismatch.
    const moved = countProblems(expected, 2, tallyEvents([bulk('p', [summary({ ...right, c: [5], d: [7] }), ...features])]));
    expect(moved[0]).toMatch(/2 flags differ/);
    const extra = countProblems(expected, 2, tallyEvents([bulk('p', [summary({ ...right, zzz: [1] }), ...features])]));
    expect(extra[0]).toMatch(/zzz: 1 counted, 0 expected/);
  });

  it('fails when feature events are lost, and does not count the events of a refused post', () => {
    const lost = countProblems(expected, 2, tallyEvents([bulk('p', [summary({ c: [4], b: [4], d: [8] }), feature, feature, feature])]));
    expect(lost).toEqual([expect.stringMatching(/3 feature events received, 4 expected .*1 lost/)]);
    const refused = tallyEvents([bulk('p', [summary({ c: [4], b: [4], d: [8] }), ...features], 503)]);
    expect(refused.countTotal).toBe(0);
    expect(countProblems(expected, 2, refused)).toEqual([
      expect.stringMatching(/0 counted, 16 expected/),
      expect.stringMatching(/0 feature events received/),
      '1 event posts were not accepted by the flag service',
    ]);
  });
});

// ---- table and README ------------------------------------------------------------------------------

function row(workers: number, mode: ClusterMode, over: Partial<ClusterRow> = {}): ClusterRow {
  const independent = mode !== 'switchyard-cluster';
  return {
    workers,
    mode,
    streams: independent ? workers : 1,
    openStreams: independent ? workers : 1,
    bulkPosts: independent ? workers : 1,
    senders: independent ? workers : 1,
    diagnosticInits: independent ? workers : 1,
    bulkBytes: 2048 * workers,
    hostRssMb: 45 + 80 * workers,
    primaryRssMb: 45,
    workerRssMb: 80.25,
    primaryHeapMb: 4,
    workerHeapMb: 12,
    initMs: 1234.5,
    workerInitMs: [],
    evalMs: 1000,
    evaluations: 1000 * workers,
    expectedCount: 1100 * workers,
    summaryCount: 1100 * workers,
    indexEvents: 10,
    featureEvents: 5 * workers,
    expectedFeatureEvents: 5 * workers,
    digestsOk: true,
    problems: [],
    ...over,
  };
}

describe('cluster table', () => {
  const rows = [row(2, 'switchyard-cluster'), row(2, 'switchyard-independent'), row(2, 'launchdarkly-independent'), row(4, 'switchyard-cluster')];

  it('renders markdown: one row per W × mode, W once per group, counts and checks', () => {
    const lines = formatClusterMarkdown(rows).split('\n');
    expect(lines[0]).toBe(
      '| W | mode | streams | bulk posts | senders | diag-init | bulk KB | host RSS MB | RSS/worker MB | init ms | feature events | summary counts |',
    );
    expect(lines[1]).toBe('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    expect(lines[2]).toBe('| 2 | switchyard-cluster | 1 | 1 | 1 | 1 | 4.00 | 205 | 80.3 | 1235 | 10 / 10 | exact |');
    expect(lines[3]).toBe('|  | switchyard-independent | 2 | 2 | 2 | 2 | 4.00 | 205 | 80.3 | 1235 | 10 / 10 | exact |');
    expect(lines[5]).toMatch(/^\| 4 \| switchyard-cluster \| 1 \|/);
    expect(lines).toHaveLength(6);
  });

  it('shows a mismatch, lost events, and a run that did not finish', () => {
    const bad = formatClusterMarkdown([
      row(8, 'switchyard-cluster', { summaryCount: 8799, featureEvents: 30, problems: ['x'] }),
      row(8, 'switchyard-independent', {
        streams: NaN,
        bulkPosts: NaN,
        senders: NaN,
        diagnosticInits: NaN,
        bulkBytes: NaN,
        hostRssMb: NaN,
        workerRssMb: NaN,
        initMs: NaN,
        featureEvents: NaN,
        summaryCount: NaN,
        problems: ['did not finish'],
      }),
    ]).split('\n');
    expect(bad[2]).toMatch(/\| 30 \/ 40 \| MISMATCH \|$/);
    expect(bad[3]).toBe('|  | switchyard-independent | — | — | — | — | — | — | — | — | — | — |');
  });

  it('aligns the terminal table', () => {
    const lines = formatClusterTable(rows).split('\n');
    expect(lines[0]).toMatch(/^W {2}mode {22}streams {2}bulk posts/);
    // Numbers end under the end of their header: streams 1 (cluster) and 2 (independent).
    const end = lines[0]!.indexOf('streams') + 'streams'.length - 1;
    expect(lines[1]![end]).toBe('1');
    expect(lines[2]![end]).toBe('2');
    expect(lines[1]![end + 1]).toBe(' ');
    expect(lines[2]!.startsWith('   switchyard-independent')).toBe(true);
  });

  it('rewrites only the text between the cluster markers', () => {
    const readme = `# T\n<!-- bench:start -->\nA/B\n<!-- bench:end -->\ntext\n${CLUSTER_START}\nold\nlines\n${CLUSTER_END}\nafter\n`;
    expect(hasClusterSection(readme)).toBe(true);
    expect(replaceClusterSection(readme, 'new table')).toBe(`# T\n<!-- bench:start -->\nA/B\n<!-- bench:end -->\ntext\n${CLUSTER_START}\nnew table\n${CLUSTER_END}\nafter\n`);
    // Idempotent: a second run replaces the first run's section.
    expect(replaceClusterSection(replaceClusterSection(readme, 'one'), 'two')).toBe(replaceClusterSection(readme, 'two'));
  });

  it('refuses a README without both markers, or with them out of order, naming them', () => {
    for (const readme of ['no markers', `${CLUSTER_START}\nonly the start`, `${CLUSTER_END}\nend first\n${CLUSTER_START}\n`]) {
      expect(hasClusterSection(readme)).toBe(false);
      expect(() => replaceClusterSection(readme, 'x')).toThrow(`${CLUSTER_START} … ${CLUSTER_END}`);
    }
  });
});
