/**
 * `pnpm bench`: every scenario, Switchyard next to LaunchDarkly's Node SDK, in one run.
 *
 * The runner generates the two workloads (workload.ts), serves each from a fake flag service in this
 * process, starts the services scenarios ask for (redis-server), then runs each scenario in a fresh
 * process per SDK, alternating which SDK goes first (A B, B A, …) for `--rounds` rounds. It prints a
 * table of medians and ratios (Switchyard / LaunchDarkly), writes it as JSON (`results/latest.json`),
 * and with `--readme` rewrites the root README's Performance section. A scenario whose correctness
 * digests differ between the SDKs gets no ratio, and the run exits non-zero.
 *
 * Then the cluster benchmark (cluster.ts, `--only cluster` runs it alone): a node:cluster app with W
 * workers in Switchyard's cluster mode, with W independent Switchyard clients and with W independent
 * LaunchDarkly clients; streams, event posts and memory per host, in a table, in the results file
 * (`cluster`) and with `--readme` between the README's `<!-- cluster-table:start -->` and
 * `<!-- cluster-table:end -->` markers. Summary counts that do not add up to the evaluations made fail the run.
 *
 * Options: `--only a,b` (scenario names, and `cluster`), `--rounds N` (default 3), `--phase-ms N` (each measured loop,
 * default 2000), `--out file` (default `results/latest.json`), `--readme`, `--cpu-prof` (scenario processes write V8 CPU profiles to
 * `results/profiles/<scenario>-<sdk>/`, one file per thread: the largest is the main thread), to open in Chrome DevTools or speedscope),
 * `--cluster-workers 2,4,8` (worker counts of the cluster benchmark), `--cluster-contexts N` (contexts each
 * cluster worker evaluates every flag for, default 200).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startFakeLaunchDarkly, type FakeKind, type FakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { startRedis, type RedisServer } from '@switchyard/test-services';

import { runClusterBenchmark, DEFAULT_CLUSTER_OPTIONS, type ClusterResult } from './cluster.js';
import { formatClusterMarkdown, formatClusterTable, hasClusterSection, replaceClusterSection, CLUSTER_END, CLUSTER_START } from './cluster-report.js';
import { RESULT_PREFIX, SDKS, type Scenario, type ScenarioInput, type ScenarioOutput, type SdkName, type WorkloadName } from './protocol.js';
import { formatMarkdown, formatTable, replaceReadmeSection, summarize, type Run, type ScenarioSummary } from './report.js';
import { scenarios } from './scenarios/index.js';
import { generateData, LARGE, SEED, STANDARD } from './workload.js';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const repoRoot = join(packageDir, '..', '..');

interface Args {
  only: string[] | undefined;
  rounds: number;
  phaseMs: number;
  readme: boolean;
  cpuProf: boolean;
  out: string;
  clusterWorkers: number[];
  clusterContexts: number;
}

/** The name `--only` takes for the cluster benchmark. */
const CLUSTER = 'cluster';

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    only: undefined,
    rounds: 3,
    phaseMs: 2000,
    readme: false,
    cpuProf: false,
    out: join(packageDir, 'results', 'latest.json'),
    clusterWorkers: [...DEFAULT_CLUSTER_OPTIONS.workers],
    clusterContexts: DEFAULT_CLUSTER_OPTIONS.contexts,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`benchmarks: ${a} needs a value`);
      return v;
    };
    if (a === '--only') args.only = value().split(',');
    else if (a === '--rounds') args.rounds = Number(value());
    else if (a === '--phase-ms') args.phaseMs = Number(value());
    else if (a === '--readme') args.readme = true;
    else if (a === '--cpu-prof') args.cpuProf = true;
    else if (a === '--out') args.out = value();
    else if (a === '--cluster-workers') args.clusterWorkers = value().split(',').map(Number);
    else if (a === '--cluster-contexts') args.clusterContexts = Number(value());
    else if (a !== '--') throw new Error(`benchmarks: unknown option ${a}`);
  }
  if (!Number.isInteger(args.rounds) || args.rounds < 1) throw new Error('benchmarks: --rounds must be a positive integer');
  if (!Number.isFinite(args.phaseMs) || args.phaseMs < 100) throw new Error('benchmarks: --phase-ms must be at least 100');
  if (args.clusterWorkers.length === 0 || !args.clusterWorkers.every((w) => Number.isInteger(w) && w >= 1)) {
    throw new Error('benchmarks: --cluster-workers must be a comma-separated list of positive integers');
  }
  if (!Number.isInteger(args.clusterContexts) || args.clusterContexts < 1 || args.clusterContexts > STANDARD.contexts) {
    throw new Error(`benchmarks: --cluster-contexts must be an integer from 1 to ${STANDARD.contexts}`);
  }
  const names = [...scenarios.map((s) => s.name), CLUSTER];
  const unknown = args.only?.filter((n) => !names.includes(n)) ?? [];
  if (unknown.length) throw new Error(`benchmarks: no scenario ${unknown.join(', ')} (have: ${names.join(', ')})`);
  return args;
}

/**
 * The fake flag service for one workload, plus the route the update scenario uses:
 * `POST /bench/patch?kind=flags&key=K` bumps the item's version, sends it as a stream patch, and
 * answers with the `process.hrtime` (nanoseconds) at which the patch was written.
 */
async function serve(name: WorkloadName): Promise<FakeLaunchDarkly> {
  const data = generateData(SEED, name === 'large' ? LARGE : STANDARD);
  const fake: FakeLaunchDarkly = await startFakeLaunchDarkly({
    data: { flags: data.flags, segments: data.segments },
    setup: (server) =>
      server.use((_req, res, request) => {
        if (request.method !== 'POST' || request.path !== '/bench/patch') return false;
        const params = request.query;
        const kind = params.get('kind') as FakeKind;
        const item = kind === 'flags' || kind === 'segments' ? fake.data.get(kind, params.get('key') ?? '') : undefined;
        if (!item) {
          res.writeHead(404).end();
          return true;
        }
        const sentAt = process.hrtime.bigint();
        fake.stream.patch(kind, { ...item, version: item.version + 1 });
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end(String(sentAt));
        return true;
      }),
  });
  return fake;
}

function runChild(input: ScenarioInput, cpuProf: boolean): Promise<ScenarioOutput> {
  return new Promise((resolve, reject) => {
    const prof = cpuProf ? ['--cpu-prof', '--cpu-prof-dir', join(packageDir, 'results', 'profiles', `${input.scenario}-${input.sdk}`)] : [];
    const child = spawn(process.execPath, ['--expose-gc', ...prof, '--import', 'tsx', join(here, 'child.ts'), JSON.stringify(input)], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || !line) {
        reject(new Error(`scenario ${input.scenario} (${input.sdk}) exited with ${signal ?? code}${line ? '' : ' without a result'}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as ScenarioOutput);
    });
  });
}

function machine(): Record<string, string | number> {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${osType()} ${release()}`,
    node: process.version,
  };
}

function versionOf(pkg: string): string {
  const require = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as { version: string };
  return require(join(packageDir, 'node_modules', pkg, 'package.json')).version;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const selected = scenarios.filter((s) => !args.only || args.only.includes(s.name));
  const runCluster = !args.only || args.only.includes(CLUSTER);
  const readmePath = join(repoRoot, 'README.md');
  if (args.readme && runCluster && !hasClusterSection(readFileSync(readmePath, 'utf8'))) {
    // Before minutes of measuring: the README must have the cluster section's markers.
    console.error(`benchmarks: --readme: ${readmePath} has no ${CLUSTER_START} … ${CLUSTER_END} section; add both markers where the cluster table goes`);
    process.exitCode = 1;
    return;
  }
  const started = Date.now();
  const services: Record<string, string> = {};
  const workloads = new Map<WorkloadName, FakeLaunchDarkly>();
  let redis: RedisServer | undefined;
  const summaries: ScenarioSummary[] = [];
  let cluster: ClusterResult | undefined;
  let failed = false;
  try {
    for (const name of new Set(selected.map((s) => s.workload))) workloads.set(name, await serve(name));
    if (selected.some((s) => s.services?.includes('redis'))) {
      redis = await startRedis();
      services.redis = redis.url;
    }
    for (const scenario of selected) {
      const summary = await runScenario(scenario, args, workloads.get(scenario.workload)!, services);
      if (!summary) {
        failed = true;
        continue;
      }
      if (!summary.digestsEqual) failed = true;
      summaries.push(summary);
    }
  } finally {
    for (const fake of workloads.values()) await fake.close();
    await redis?.stop();
  }
  // After the A/B scenarios (and with their services stopped): the cluster benchmark loads every core.
  if (runCluster) {
    cluster = await runClusterBenchmark({ workers: args.clusterWorkers, contexts: args.clusterContexts });
    if (cluster.problems.length > 0) failed = true;
  }

  if (selected.length > 0) console.log(`\n${formatTable(summaries)}\n`);
  if (cluster) console.log(`\n${formatClusterTable(cluster.rows)}\n`);
  const seconds = Math.round((Date.now() - started) / 1000);
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    launchdarkly: `@launchdarkly/node-server-sdk ${versionOf('@launchdarkly/node-server-sdk')}`,
    rounds: args.rounds,
    phaseMs: args.phaseMs,
    seconds,
    scenarios: summaries,
    cluster,
  };
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`${args.out} written (${seconds} s)`);
  const m = result.machine;
  const measuredOn = `Measured ${result.date.slice(0, 10)} on ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, against ${result.launchdarkly}`;
  if (args.readme && selected.length > 0) {
    const section = [
      `${measuredOn};`,
      `medians of ${args.rounds} rounds per SDK, ${args.phaseMs} ms loops. ↑: higher is better, ↓: lower is better.`,
      '',
      formatMarkdown(summaries),
    ].join('\n');
    writeFileSync(readmePath, replaceReadmeSection(readFileSync(readmePath, 'utf8'), section));
    console.log('README.md Performance section updated');
  }
  if (args.readme && cluster) {
    const section = [
      `${measuredOn};`,
      `each worker evaluates ${cluster.flags.toLocaleString('en')} flags × ${cluster.contexts} contexts (${cluster.evaluationsPerWorker.toLocaleString('en')} \`variation()\` calls), then the app shuts down gracefully.`,
      'streams: upstream stream connections; senders: distinct `x-launchdarkly-instance-id` among the bulk posts; RSS after a full GC in every process, host = primary + workers;',
      'init: from the primary\'s start to every worker initialized; feature events: full events of evaluations in experiments, received / made;',
      'summary counts: the summaries received add up to exactly the evaluations made (prerequisites included).',
      '',
      formatClusterMarkdown(cluster.rows),
    ].join('\n');
    try {
      writeFileSync(readmePath, replaceClusterSection(readFileSync(readmePath, 'utf8'), section));
      console.log('README.md cluster table updated');
    } catch (err) {
      console.error((err as Error).message);
      failed = true;
    }
  }
  if (failed) {
    console.error('\nbenchmarks FAILED: a scenario did not finish, the SDKs disagreed on an answer, or the cluster benchmark\'s counts did not add up (see above)');
    for (const problem of cluster?.problems ?? []) console.error(`  cluster ${problem}`);
    process.exitCode = 1;
  }
}

async function runScenario(
  scenario: Scenario,
  args: Args,
  fake: FakeLaunchDarkly,
  services: Record<string, string>,
): Promise<ScenarioSummary | undefined> {
  console.log(`\n${scenario.name}: ${scenario.title}`);
  const runs: Run[] = [];
  for (let round = 0; round < args.rounds; round++) {
    const order: SdkName[] = round % 2 === 0 ? [...SDKS] : [...SDKS].reverse();
    for (const sdk of order) {
      const input: ScenarioInput = {
        scenario: scenario.name,
        sdk,
        serviceUrl: fake.url,
        controlUrl: `${fake.url}/bench/patch`,
        services,
        phaseMs: args.phaseMs,
      };
      try {
        const output = await runChild(input, args.cpuProf);
        runs.push({ sdk, output });
        const shown = Object.entries(output.metrics).map(([k, v]) => `${k} ${v.toPrecision(4)}`);
        console.log(`  round ${round + 1} ${sdk.padEnd(12)} ${shown.join(', ')}  digest ${output.digest}`);
      } catch (err) {
        console.error(`  round ${round + 1} ${sdk}: ${(err as Error).message}`);
        return undefined;
      } finally {
        fake.events.clear();
      }
    }
  }
  const summary = summarize(scenario, runs);
  if (!summary.digestsEqual) {
    console.error(`  ${scenario.name}: the SDKs' answers differ (digests ${JSON.stringify(summary.digests)}); no ratio is printed`);
  }
  return summary;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
