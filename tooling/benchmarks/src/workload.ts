/**
 * The benchmark workload: production-like flag data and contexts, generated from a seed (the same seed
 * gives the same data in every run and on every machine).
 *
 * The mix is meant to look like a large real project, not like a best case: most flags are plain
 * booleans, but a good share have individual targets, rules with several clauses over varied operators
 * (`in`, `endsWith`, `startsWith`, `contains`, `matches`, the `semVer*` operators, number comparisons,
 * `before`/`after` on both millisecond and RFC 3339 dates), `segmentMatch` on one of ~100 segments (a few
 * with thousands of included keys, many with rules of their own, some weighted), prerequisites on other
 * flags (chains included), and percentage rollouts bucketed by the `org` context kind, some of them
 * experiments. Variations are booleans, strings, numbers and JSON objects. Evaluation contexts are mostly
 * multi-kind (`user` + `org`, 40%) or single-kind users (45%), with some anonymous users and single-kind orgs.
 *
 * Rule ids encode what the rule tests (`…-seg-…` for a rule with a `segmentMatch` clause, `…-roll-…`
 * for a rule with a rollout), so the benchmark can show which paths the evaluations actually took.
 */
import { rng } from '@switchyard/bench-kit';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Item = { key: string; version: number } & Record<string, Json>;

/** The generated data set. */
export interface BenchData {
  /** Flags by key (`features` namespace). */
  readonly flags: Record<string, Item>;
  /** Segments by key (`segments` namespace). */
  readonly segments: Record<string, Item>;
  /** Evaluation contexts, as applications pass them (plain objects). */
  readonly contexts: Record<string, Json>[];
  /** Flag keys in generation order. */
  readonly flagKeys: string[];
  /** How many flags of each shape were generated. */
  readonly shapes: Record<string, number>;
}

/** Sizes of {@link generateData}; {@link STANDARD} and {@link LARGE} are the benchmark's two workloads. */
export interface DataSizes {
  readonly flags: number;
  readonly segments: number;
  readonly contexts: number;
}

/** The standard workload: 1,000 flags, 100 segments, 1,000 contexts. */
export const STANDARD: DataSizes = { flags: 1_000, segments: 100, contexts: 1_000 };
/** The large workload (init and store scenarios): 10,000 flags, 1,000 segments, 1,000 contexts. */
export const LARGE: DataSizes = { flags: 10_000, segments: 1_000, contexts: 1_000 };
/** The seed every scenario generates its workload from. */
export const SEED = 20_251_205;

const USER_SPACE = 100_000; // user keys: user-0 … user-99999
const ORG_SPACE = 3_000; // org keys: org-0 … org-2999
const STAFF = 300; // user-0 … user-299 are employees and testers: individual targets mostly name them

const DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'acme.com', 'globex.io', 'initech.co', 'umbrella.org', 'switchyard.dev'];
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'NO', 'SE', 'DK', 'NL', 'BR', 'IN', 'JP', 'CA', 'AU', 'ES', 'IT', 'PL', 'MX', 'ZA'];
const PLANS = ['free', 'free', 'free', 'pro', 'pro', 'team', 'enterprise'];
const PLATFORMS = ['ios', 'android', 'web', 'web', 'desktop'];
const GROUPS = ['beta', 'staff', 'qa', 'partners', 'vip', 'early-access', 'support'];
const TIERS = ['startup', 'smb', 'smb', 'midmarket', 'enterprise'];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-central-1', 'eu-west-1', 'ap-south-1', 'ap-northeast-1'];
const INDUSTRIES = ['fintech', 'retail', 'health', 'media', 'gaming', 'logistics', 'education'];
const FIRST = ['ada', 'alan', 'grace', 'linus', 'margaret', 'ken', 'barbara', 'dennis', 'frances', 'edsger', 'donald', 'radia', 'john', 'lisa', 'tim'];
const WORDS = ['checkout', 'search', 'billing', 'onboarding', 'dashboard', 'export', 'sso', 'audit', 'payments', 'inbox', 'reports', 'mobile', 'api', 'editor', 'sharing', 'alerts'];

const YEAR_MS = 365.25 * 24 * 3600 * 1000;
const EPOCH_2019 = Date.UTC(2019, 0, 1);

class Random {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = rng(seed);
  }

  float(): number {
    return this.next();
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** 1…max distinct items. */
  some<T>(items: readonly T[], max: number): T[] {
    const n = Math.min(items.length, 1 + this.int(max));
    const set = new Set<T>();
    while (set.size < n) set.add(this.pick(items));
    return [...set];
  }

  /** `n` distinct keys `<prefix><i>` with i in [0, space). */
  keys(prefix: string, n: number, space: number): string[] {
    const set = new Set<string>();
    while (set.size < n) set.add(`${prefix}${this.int(space)}`);
    return [...set];
  }

  semver(): string {
    return `${this.between(1, 4)}.${this.int(12)}.${this.int(20)}`;
  }

  /** A moment between 2019 and 2025: milliseconds (LaunchDarkly's usual) or RFC 3339. */
  date(asString: boolean): number | string {
    const ms = EPOCH_2019 + Math.floor(this.float() * 6 * YEAR_MS);
    return asString ? new Date(ms).toISOString() : ms;
  }
}

// ---- contexts ----------------------------------------------------------------------------------

function user(r: Random): Record<string, Json> {
  const name = r.pick(FIRST);
  // A few percent of traffic comes from staff (whom individual targets mostly name); the rest from anyone.
  const staff = r.chance(0.04);
  const key = staff ? `user-${r.int(STAFF)}` : `user-${r.int(USER_SPACE)}`;
  const u: Record<string, Json> = {
    kind: 'user',
    key,
    name: `${name} ${key.slice(5)}`,
    email: `${name}.${key.slice(5)}@${staff ? 'switchyard.dev' : r.pick(DOMAINS)}`,
    country: r.pick(COUNTRIES),
    plan: r.pick(PLANS),
    platform: r.pick(PLATFORMS),
    appVersion: r.semver(),
    createdAt: r.date(false),
    loginCount: r.int(2000),
  };
  if (r.chance(0.4)) u.groups = staff ? ['staff', ...r.some(GROUPS, 2)] : r.some(GROUPS, 2);
  return u;
}

function org(r: Random): Record<string, Json> {
  return {
    kind: 'org',
    key: `org-${r.int(ORG_SPACE)}`,
    name: `${r.pick(WORDS)} ${r.pick(INDUSTRIES)} inc`,
    tier: r.pick(TIERS),
    region: r.pick(REGIONS),
    industry: r.pick(INDUSTRIES),
    seats: r.between(1, 5000),
    signupDate: r.date(true),
  };
}

function context(r: Random): Record<string, Json> {
  const x = r.float();
  if (x < 0.4) {
    const { kind: _u, ...u } = user(r);
    const { kind: _o, ...o } = org(r);
    return { kind: 'multi', user: u, org: o };
  }
  if (x < 0.85) return user(r);
  if (x < 0.93) return { kind: 'user', key: `anon-${r.int(1e9).toString(36)}`, anonymous: true, country: r.pick(COUNTRIES), platform: r.pick(PLATFORMS) };
  return org(r);
}

// ---- clauses -----------------------------------------------------------------------------------

function clause(r: Random): Record<string, Json> {
  const c = ((): Record<string, Json> => {
    switch (r.int(17)) {
      case 0:
        return { contextKind: 'user', attribute: 'email', op: 'endsWith', values: r.some(DOMAINS.map((d) => `@${d}`), 3) };
      case 1:
        return { contextKind: 'user', attribute: 'country', op: 'in', values: r.some(COUNTRIES, 6) };
      case 2:
        return { contextKind: 'user', attribute: 'plan', op: 'in', values: r.some(['free', 'pro', 'team', 'enterprise'], 2) };
      case 3:
        return { contextKind: 'user', attribute: 'appVersion', op: r.pick(['semVerGreaterThan', 'semVerLessThan', 'semVerEqual']), values: [r.semver()] };
      case 4:
        return { contextKind: 'user', attribute: 'createdAt', op: r.pick(['before', 'after']), values: [r.date(r.chance(0.3))] };
      case 5:
        return { contextKind: 'user', attribute: 'loginCount', op: r.pick(['greaterThan', 'lessThan', 'greaterThanOrEqual', 'lessThanOrEqual']), values: [r.int(1500)] };
      case 6:
        return { contextKind: 'user', attribute: 'groups', op: 'in', values: r.some(GROUPS, 2) };
      case 7:
        return { contextKind: 'user', attribute: 'email', op: 'matches', values: [r.pick(['^[a-g].*@', '\\.(io|dev)$', '^(ada|grace|radia)\\.', '@(acme|globex)\\.', '\\d{4,}@'])] };
      case 8:
        return { contextKind: 'user', attribute: 'key', op: 'startsWith', values: [`user-${r.between(1, 9)}`] };
      case 9:
        return { contextKind: 'user', attribute: 'name', op: 'contains', values: r.some(FIRST, 3) };
      case 10:
        // Legacy clause without contextKind: means the user kind.
        return { attribute: 'platform', op: 'in', values: r.some(PLATFORMS, 2) };
      case 11:
        return { contextKind: 'org', attribute: 'tier', op: 'in', values: r.some(TIERS, 2) };
      case 12:
        return { contextKind: 'org', attribute: 'region', op: r.pick(['in', 'startsWith']), values: r.chance(0.5) ? r.some(REGIONS, 2) : [r.pick(['eu-', 'us-', 'ap-'])] };
      case 13:
        return { contextKind: 'org', attribute: 'seats', op: r.pick(['greaterThan', 'lessThan']), values: [r.between(10, 2000)] };
      case 14:
        return { contextKind: 'org', attribute: 'signupDate', op: r.pick(['before', 'after']), values: [r.date(r.chance(0.5))] };
      case 15:
        return { contextKind: 'org', attribute: 'key', op: 'in', values: r.keys('org-', r.between(1, 30), ORG_SPACE) };
      default:
        return { contextKind: 'org', attribute: 'industry', op: 'in', values: r.some(INDUSTRIES, 3) };
    }
  })();
  if (r.chance(0.12)) c.negate = true;
  return c;
}

// ---- segments ----------------------------------------------------------------------------------

function segment(r: Random, i: number): Item {
  const key = `segment-${i}-${r.pick(WORDS)}`;
  const s: Item = { key, version: r.between(1, 300), salt: `salt-${key}`, included: [], excluded: [], includedContexts: [], excludedContexts: [], rules: [], deleted: false };
  if (i < 5) {
    // Big list segments (uploaded customer lists): thousands of user keys.
    s.included = r.keys('user-', r.between(4_000, 12_000), USER_SPACE);
    s.excluded = r.keys('user-', r.between(0, 50), USER_SPACE);
  } else if (i < 20) {
    // Medium lists, by user and by org.
    s.included = [...r.keys('user-', r.between(20, 800), USER_SPACE), ...r.keys('user-', r.between(5, 40), STAFF)];
    s.includedContexts = [{ contextKind: 'org', values: r.keys('org-', r.between(10, 300), ORG_SPACE) }];
    if (r.chance(0.3)) s.excludedContexts = [{ contextKind: 'org', values: r.keys('org-', r.between(1, 20), ORG_SPACE) }];
  } else {
    // Rule-based segments, some with a short list too; some rules weighted (by user or by org).
    if (r.chance(0.3)) s.included = r.keys('user-', r.between(1, 20), STAFF);
    const rules: Json[] = [];
    for (let n = r.between(1, 3), j = 0; j < n; j++) {
      const rule: Record<string, Json> = { id: `${key}-r${j}`, clauses: Array.from({ length: r.between(1, 3) }, () => clause(r)) };
      if (r.chance(0.25)) {
        rule.weight = r.int(100_001);
        if (r.chance(0.6)) rule.rolloutContextKind = 'org';
      }
      rules.push(rule);
    }
    // A few segments nest an earlier (rule-based) segment.
    if (i > 25 && r.chance(0.08)) {
      rules.push({ id: `${key}-nested`, clauses: [{ attribute: 'key', op: 'segmentMatch', values: [`__segment-${r.between(20, i - 1)}`] }] });
    }
    s.rules = rules;
  }
  return s;
}

// ---- flags -------------------------------------------------------------------------------------

type Shape = 'boolean' | 'targets' | 'rules' | 'segment' | 'prerequisite' | 'rollout';
const SHAPES: readonly [Shape, number][] = [
  ['boolean', 0.32],
  ['targets', 0.12],
  ['rules', 0.2],
  ['segment', 0.12],
  ['prerequisite', 0.1],
  ['rollout', 0.14],
];

function shape(r: Random): Shape {
  let x = r.float();
  for (const [s, p] of SHAPES) {
    if (x < p) return s;
    x -= p;
  }
  return 'boolean';
}

function variations(r: Random, s: Shape): Json[] {
  if (s === 'boolean' || r.chance(0.55)) return [true, false];
  switch (r.int(4)) {
    case 0:
      return ['control', 'treatment-a', 'treatment-b'];
    case 1:
      return [r.between(10, 50), r.between(100, 500), r.between(1000, 5000)];
    case 2:
      return [
        { layout: 'list', pageSize: 20, features: ['basic'] },
        { layout: 'grid', pageSize: 50, features: ['basic', 'export'], theme: { accent: '#3366ff', dense: true } },
      ];
    default:
      return ['v1', 'v2'];
  }
}

function rollout(r: Random, n: number, byOrg: boolean): Record<string, Json> {
  const count = Math.max(2, Math.min(n, 3));
  let remaining = 100_000;
  const vs: Json[] = [];
  for (let v = 0; v < count; v++) {
    const weight = v === count - 1 ? remaining : r.int(remaining + 1);
    remaining -= weight;
    vs.push({ variation: v, weight });
  }
  const out: Record<string, Json> = { variations: vs };
  if (byOrg) out.contextKind = 'org';
  if (r.chance(0.15)) out.bucketBy = byOrg ? 'region' : 'country';
  if (r.chance(0.15)) {
    out.kind = 'experiment';
    out.seed = r.int(1_000_000);
  }
  return out;
}

function flag(r: Random, index: number, s: Shape, segmentKeys: readonly string[], flagKeys: readonly string[], offFlags: ReadonlySet<string>): Item {
  const key = `${r.pick(WORDS)}-${r.pick(WORDS)}-${index}`;
  const vars = variations(r, s);
  const n = vars.length;
  const f: Item = {
    key,
    version: r.between(1, 2000),
    on: s === 'boolean' ? r.chance(0.85) : r.chance(0.95),
    variations: vars,
    offVariation: n - 1,
    fallthrough: { variation: r.int(n) },
    targets: [],
    contextTargets: [],
    rules: [],
    prerequisites: [],
    salt: `${key}-salt`,
    trackEvents: false,
    trackEventsFallthrough: false,
    debugEventsUntilDate: null,
    clientSide: r.chance(0.2),
    deleted: false,
  };
  const rules: Json[] = [];
  const ruleWith = (tag: string, clauses: Json[]): Record<string, Json> => {
    const rule: Record<string, Json> = { id: `${key}-${tag}-${rules.length}`, clauses, trackEvents: false };
    if (r.chance(0.15)) {
      rule.id = `${key}-${tag}-roll-${rules.length}`;
      rule.rollout = rollout(r, n, r.chance(0.7));
    } else {
      rule.variation = r.int(n);
    }
    return rule;
  };

  switch (s) {
    case 'boolean':
      break;
    case 'targets': {
      // Individual targets: mostly staff, some customers; often org targets too (the contextTargets form).
      const v = r.int(n);
      f.targets = [{ variation: v, values: [...r.keys('user-', r.between(1, 30), STAFF), ...r.keys('user-', r.between(0, 15), USER_SPACE)] }];
      if (r.chance(0.5)) {
        f.contextTargets = [
          { contextKind: 'user', variation: v, values: [] },
          { contextKind: 'org', variation: (v + 1) % n, values: r.keys('org-', r.between(1, 40), ORG_SPACE) },
        ];
      }
      if (r.chance(0.4)) rules.push(ruleWith('rule', [clause(r)]));
      break;
    }
    case 'rules':
      for (let k = r.between(1, 5), j = 0; j < k; j++) rules.push(ruleWith('rule', Array.from({ length: r.between(1, 4) }, () => clause(r))));
      break;
    case 'segment': {
      for (let k = r.between(1, 2), j = 0; j < k; j++) {
        const clauses: Json[] = [{ attribute: 'key', op: 'segmentMatch', values: r.some(segmentKeys, 2), ...(r.chance(0.1) ? { negate: true } : {}) }];
        if (r.chance(0.4)) clauses.push(clause(r));
        rules.push(ruleWith('seg', clauses));
      }
      if (r.chance(0.3)) rules.unshift(ruleWith('rule', [clause(r)]));
      break;
    }
    case 'prerequisite': {
      // Prerequisites on earlier flags (so never a cycle); earlier flags may have prerequisites of their own.
      const prereqs: Json[] = [];
      for (let k = r.between(1, 2), j = 0; j < k && flagKeys.length > 0; j++) {
        const pre = r.pick(flagKeys);
        if (prereqs.some((p) => (p as { key: string }).key === pre)) continue;
        // Mostly "prerequisite must be on and serve its first variation"; off prerequisites exist too.
        prereqs.push({ key: pre, variation: offFlags.has(pre) || r.chance(0.5) ? 0 : 1 });
      }
      f.prerequisites = prereqs;
      if (r.chance(0.5)) rules.push(ruleWith('rule', [clause(r), clause(r)]));
      break;
    }
    case 'rollout':
      f.fallthrough = { rollout: rollout(r, n, r.chance(0.75)) };
      if (r.chance(0.35)) rules.push(ruleWith('rule', [clause(r)]));
      break;
  }
  f.rules = rules;
  return f;
}

/** Generates the data set. Segment keys are fixed up after generation (nested references use the real keys). */
export function generateData(seed: number, sizes: DataSizes): BenchData {
  const r = new Random(seed);
  const segments: Record<string, Item> = {};
  const segmentKeys: string[] = [];
  for (let i = 0; i < sizes.segments; i++) {
    const s = segment(r, i);
    segments[s.key] = s;
    segmentKeys.push(s.key);
  }
  // Resolve nested references `__segment-<i>` to the generated key of segment i.
  for (const s of Object.values(segments)) {
    for (const rule of s.rules as { clauses: { op: string; values: string[] }[] }[]) {
      for (const c of rule.clauses) {
        if (c.op === 'segmentMatch') c.values = c.values.map((v) => (v.startsWith('__segment-') ? segmentKeys[Number(v.slice(10))]! : v));
      }
    }
  }

  const flags: Record<string, Item> = {};
  const flagKeys: string[] = [];
  const offFlags = new Set<string>();
  const shapes: Record<string, number> = {};
  for (let i = 0; i < sizes.flags; i++) {
    const s = shape(r);
    const f = flag(r, i, s, segmentKeys, flagKeys, offFlags);
    flags[f.key] = f;
    flagKeys.push(f.key);
    if (!f.on) offFlags.add(f.key);
    shapes[s] = (shapes[s] ?? 0) + 1;
  }

  const contexts = Array.from({ length: sizes.contexts }, () => context(r));
  return { flags, segments, contexts, flagKeys, shapes };
}
