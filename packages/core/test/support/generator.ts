/**
 * Seeded generator of random but valid LaunchDarkly data: flags, segments and contexts that exercise
 * every operator, targeting by kind, rollouts, experiments, prerequisites (acyclic) and nested segments
 * (acyclic). Values are drawn from small shared pools so that clauses actually match often.
 */

/** mulberry32: a small, fast, seedable PRNG (the same seed always gives the same data). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export class Generator {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = rng(seed);
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  some<T>(items: readonly T[], max: number): T[] {
    const n = 1 + this.int(max);
    return Array.from({ length: n }, () => this.pick(items));
  }

  // ---- pools -----------------------------------------------------------------------------
  readonly kinds = ['user', 'org', 'device'] as const;
  readonly keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k:8', 'k%9', 'alice', 'bob', ''] as const;
  readonly strings = ['pro', 'free', 'enterprise', 'a@example.com', 'b@test.org', 'Oslo', 'Lima', 'beta-x', 'xbetax', ''];
  readonly numbers = [0, 1, 2, 2.5, -3, 10, 100, 1e6, 42];
  readonly dates = [
    '2020-01-01T00:00:00Z',
    '2021-06-15T12:30:00.5+02:00',
    '2019-12-31T23:59:59.999Z',
    '2022-02-02T02:02:02-05:00',
    1577836800000,
    1623760200000,
    '2020-01-01',
  ];
  readonly versions = ['1.0.0', '1.2.3', '2.0.0-beta.1', '2.0.0', '2', '2.1', '1.2.3+build', '10.0.0-rc.10', 'v1.0.0', 'x.y'];
  readonly regexes = ['^pro', 'example\\.com$', 'beta', '[invalid', '^$', '\\d+'];
  readonly attributes = ['plan', 'email', 'age', 'score', 'version', 'created', 'tags', 'country', 'beta', 'name'];
  readonly ops = [
    'in', 'in', 'in', 'startsWith', 'endsWith', 'contains', 'matches', 'lessThan', 'lessThanOrEqual', 'greaterThan',
    'greaterThanOrEqual', 'before', 'after', 'semVerEqual', 'semVerLessThan', 'semVerGreaterThan', 'segmentMatch',
  ] as const;

  scalar(): Json {
    switch (this.int(6)) {
      case 0:
        return this.pick(this.strings);
      case 1:
        return this.pick(this.numbers);
      case 2:
        return this.chance(0.5);
      case 3:
        return this.pick(this.dates);
      case 4:
        return this.pick(this.versions);
      default:
        return this.pick(this.keys);
    }
  }

  attributeValue(): Json {
    const r = this.int(10);
    if (r === 0) return null;
    if (r === 1) return this.some([...this.strings, ...this.numbers], 3);
    if (r === 2) return { city: this.pick(['Oslo', 'Lima', 'Rome']), zip: this.pick(this.numbers) };
    return this.scalar();
  }

  clauseValues(op: string, segmentKeys: readonly string[]): Json[] {
    switch (op) {
      case 'segmentMatch':
        return this.some(segmentKeys.length ? segmentKeys : ['no-such-segment'], 2);
      case 'matches':
        return this.some(this.regexes, 2);
      case 'lessThan':
      case 'lessThanOrEqual':
      case 'greaterThan':
      case 'greaterThanOrEqual':
        return this.some([...this.numbers, '5'], 2);
      case 'before':
      case 'after':
        return this.some(this.dates, 2);
      case 'semVerEqual':
      case 'semVerLessThan':
      case 'semVerGreaterThan':
        return this.some(this.versions, 2);
      case 'startsWith':
      case 'endsWith':
      case 'contains':
        return this.some(['pro', 'a', 'example', 'beta', '.org', 'x'], 2);
      default:
        return this.some([...this.strings, ...this.numbers, true, false, ...this.keys], 3);
    }
  }

  clause(segmentKeys: readonly string[]): Record<string, Json> {
    const op = this.pick(this.ops);
    const clause: Record<string, Json> = { op, values: this.clauseValues(op, segmentKeys), negate: this.chance(0.2) };
    const style = this.int(4);
    if (style === 0) {
      clause.attribute = this.pick(this.attributes); // legacy: literal name, user kind
    } else if (style === 1) {
      clause.contextKind = this.pick(this.kinds);
      clause.attribute = this.pick(['/address/city', '/address/zip', 'key', 'kind', 'anonymous', 'name']);
    } else {
      clause.contextKind = this.pick(this.kinds);
      clause.attribute = this.pick(this.attributes);
    }
    return clause;
  }

  rollout(variationCount: number): Record<string, Json> {
    const n = 1 + this.int(Math.min(3, variationCount));
    let remaining = 100000;
    const variations: Json[] = [];
    for (let i = 0; i < n; i++) {
      const weight = i === n - 1 ? (this.chance(0.15) ? this.int(remaining + 1) : remaining) : this.int(remaining + 1);
      remaining -= weight;
      const wv: Record<string, Json> = { variation: this.int(variationCount), weight };
      if (this.chance(0.2)) wv.untracked = true;
      variations.push(wv);
    }
    const rollout: Record<string, Json> = { variations };
    if (this.chance(0.3)) rollout.kind = 'experiment';
    if (this.chance(0.3)) rollout.seed = this.pick([1, 7, 123456, 0]);
    if (this.chance(0.5)) rollout.contextKind = this.pick(this.kinds);
    if (this.chance(0.3)) rollout.bucketBy = this.pick(['score', 'plan', 'age', 'name']);
    return rollout;
  }

  variationOrRollout(variationCount: number): Record<string, Json> {
    return this.chance(0.6) ? { variation: this.int(variationCount) } : { rollout: this.rollout(variationCount) };
  }

  segment(key: string, earlierSegments: readonly string[]): Record<string, Json> {
    const rules: Json[] = [];
    for (let i = 0, n = this.int(3); i < n; i++) {
      const rule: Record<string, Json> = {
        id: `${key}-r${i}`,
        clauses: Array.from({ length: 1 + this.int(2) }, () => this.clause(earlierSegments)),
      };
      if (this.chance(0.4)) rule.weight = this.int(100001);
      if (this.chance(0.3)) rule.rolloutContextKind = this.pick(this.kinds);
      if (this.chance(0.3)) rule.bucketBy = this.pick(['score', 'plan', 'name']);
      rules.push(rule);
    }
    return {
      key,
      version: 1 + this.int(5),
      salt: `salt-${key}`,
      included: this.chance(0.5) ? this.some(this.keys, 3) : [],
      excluded: this.chance(0.4) ? this.some(this.keys, 3) : [],
      includedContexts: this.chance(0.4) ? [{ contextKind: this.pick(this.kinds), values: this.some(this.keys, 3) }] : [],
      excludedContexts: this.chance(0.3) ? [{ contextKind: this.pick(this.kinds), values: this.some(this.keys, 3) }] : [],
      rules,
    };
  }

  flag(key: string, earlierFlags: readonly { key: string; variations: number }[], segmentKeys: readonly string[]): Record<string, Json> {
    const variationCount = 2 + this.int(3);
    const variations = Array.from({ length: variationCount }, (_, i) =>
      this.pick<Json>([`${key}-v${i}`, i, i % 2 === 0, { n: i, tag: key }, [i, `${i}`], null]),
    );
    const prerequisites: Json[] = [];
    if (earlierFlags.length && this.chance(0.35)) {
      for (const p of this.some(earlierFlags, 2)) {
        if (!prerequisites.some((q) => (q as { key: string }).key === p.key)) prerequisites.push({ key: p.key, variation: this.int(p.variations) });
      }
    }
    const targets: Json[] = [];
    const contextTargets: Json[] = [];
    if (this.chance(0.4)) {
      const variation = this.int(variationCount);
      targets.push({ values: this.some(this.keys, 3), variation });
      if (this.chance(0.6)) {
        contextTargets.push({ contextKind: 'org', values: this.some(this.keys, 2), variation: this.int(variationCount) });
        contextTargets.push({ contextKind: 'user', values: [], variation });
      }
    }
    const rules: Json[] = [];
    for (let i = 0, n = this.int(4); i < n; i++) {
      rules.push({
        id: `${key}-rule${i}`,
        clauses: Array.from({ length: 1 + this.int(2) }, () => this.clause(segmentKeys)),
        trackEvents: this.chance(0.3),
        ...this.variationOrRollout(variationCount),
      });
    }
    const flag: Record<string, Json> = {
      key,
      version: 1 + this.int(100),
      on: this.chance(0.85),
      salt: `salt-${key}`,
      variations,
      prerequisites,
      targets,
      contextTargets,
      rules,
      fallthrough: this.variationOrRollout(variationCount),
      trackEvents: this.chance(0.2),
      trackEventsFallthrough: this.chance(0.2),
      clientSideAvailability: { usingMobileKey: this.chance(0.5), usingEnvironmentId: this.chance(0.5) },
    };
    if (this.chance(0.8)) flag.offVariation = this.int(variationCount);
    if (this.chance(0.1)) flag.debugEventsUntilDate = 1_900_000_000_000;
    return flag;
  }

  data(flagCount: number, segmentCount: number): { flags: Record<string, Record<string, Json>>; segments: Record<string, Record<string, Json>> } {
    const segments: Record<string, Record<string, Json>> = {};
    const segmentKeys: string[] = [];
    for (let i = 0; i < segmentCount; i++) {
      const key = `seg${i}`;
      segments[key] = this.segment(key, [...segmentKeys]);
      segmentKeys.push(key);
    }
    const flags: Record<string, Record<string, Json>> = {};
    const earlier: { key: string; variations: number }[] = [];
    for (let i = 0; i < flagCount; i++) {
      const key = `flag${i}`;
      flags[key] = this.flag(key, earlier, segmentKeys);
      earlier.push({ key, variations: (flags[key]!.variations as Json[]).length });
    }
    return { flags, segments };
  }

  private contextPart(kind: string): Record<string, Json> {
    const part: Record<string, Json> = { key: this.pick(this.keys.filter((k) => k !== '')) };
    for (const name of this.attributes) if (this.chance(0.5)) part[name] = this.attributeValue();
    if (this.chance(0.3)) part.address = { city: this.pick(['Oslo', 'Lima']), zip: this.pick(this.numbers) };
    if (this.chance(0.2)) part.anonymous = this.chance(0.5);
    void kind;
    return part;
  }

  context(): Json {
    // Now and then an invalid context, to compare the error path too.
    if (this.chance(0.03)) return this.pick<Json>([{ kind: 'user', key: '' }, { kind: 'multi' }, { kind: 'org' }]);
    const style = this.int(5);
    if (style === 0) {
      // A legacy user: built-ins at the top, the rest under custom.
      const { key, name, email, country, ...custom } = this.contextPart('user');
      const user: Record<string, Json> = { key: this.chance(0.1) ? '' : key!, custom };
      if (name !== undefined && name !== null) user.name = String(name);
      if (email !== undefined && email !== null) user.email = String(email);
      if (country !== undefined && country !== null) user.country = String(country);
      return user;
    }
    if (style === 1) {
      const kinds = this.kinds.filter(() => this.chance(0.6));
      if (kinds.length === 0) kinds.push('org');
      const multi: Record<string, Json> = { kind: 'multi' };
      for (const kind of kinds) multi[kind] = this.contextPart(kind);
      return multi;
    }
    const kind = this.pick(this.kinds);
    return { kind, ...this.contextPart(kind) };
  }
}
