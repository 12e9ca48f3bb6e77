/**
 * Seeded generator of random LaunchDarkly data: flags, segments and contexts that exercise every
 * operator, targeting by kind, rollouts, experiments, prerequisites and nested segments (acyclic).
 * Values are drawn from small shared pools so that clauses actually match often. By default the data is
 * valid and prerequisites are acyclic; {@link Shapes} adds malformed flags, flags with fields of the
 * wrong type, prerequisite cycles and missing prerequisites.
 */

import { rng } from '@switchyard/bench-kit';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Extra shapes of flag data for {@link Generator.data}; each number is the chance per flag (default 0). */
export interface Shapes {
  /**
   * Malformed the way LaunchDarkly's evaluator also reports `MALFORMED_FLAG`: a variation index out of
   * range, an empty rollout, no fallthrough, an invalid attribute reference (as a rule's only clause, or
   * in `bucketBy`). Flags are prerequisites of later flags, so these are malformed prerequisites too.
   */
  malformed?: number;
  /**
   * A field of the wrong type (`offVariation: "1"`, `on: "yes"`, `rules: "junk"`, a prerequisite without
   * a variation…): Switchyard refuses such a flag as malformed, LaunchDarkly evaluates the junk as it
   * comes. Their keys are listed in `wrongTypes` of the result.
   */
  wrongTypes?: number;
  /** A prerequisite on the flag itself or on a later flag, so prerequisite cycles occur. */
  cycles?: number;
  /** A prerequisite on a flag that does not exist. */
  missingPrerequisites?: number;
}

/** What {@link Generator.data} returns. */
export interface GeneratedData {
  flags: Record<string, Record<string, Json>>;
  segments: Record<string, Record<string, Json>>;
  /** Keys of the flags given a field of the wrong type ({@link Shapes.wrongTypes}). */
  wrongTypes: string[];
}

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

  data(flagCount: number, segmentCount: number, shapes: Shapes = {}): GeneratedData {
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
    // The extra shapes draw random numbers only when asked for, so data without them is the same as ever.
    const wrongTypes: string[] = [];
    earlier.forEach(({ key, variations }, i) => {
      const flag = flags[key]!;
      const prerequisites = flag.prerequisites as Json[];
      if (shapes.cycles && this.chance(shapes.cycles)) {
        // The flag itself, or a later flag (a cycle whenever that one depends on this one, directly or not).
        const target = this.chance(0.3) ? earlier[i]! : earlier[i + this.int(flagCount - i)]!;
        prerequisites.splice(this.int(prerequisites.length + 1), 0, { key: target.key, variation: this.int(target.variations) });
      }
      if (shapes.missingPrerequisites && this.chance(shapes.missingPrerequisites)) {
        prerequisites.splice(this.int(prerequisites.length + 1), 0, { key: `missing${this.int(3)}`, variation: 0 });
      }
      if (shapes.malformed && this.chance(shapes.malformed)) this.malform(flag, variations);
      else if (shapes.wrongTypes && this.chance(shapes.wrongTypes)) {
        this.wrongType(flag, earlier);
        wrongTypes.push(key);
      }
    });
    return { flags, segments, wrongTypes };
  }

  /** Makes `flag` malformed in a way LaunchDarkly's evaluator also reports as MALFORMED_FLAG (when reached). */
  malform(flag: Record<string, Json>, variationCount: number): void {
    const badRef = { contextKind: 'user', attribute: this.pick(['/a//b', '/', '', 'a/']), op: 'in', values: ['k0'] };
    switch (this.int(9)) {
      case 0:
        flag.offVariation = variationCount + this.int(3);
        if (this.chance(0.5)) flag.on = false;
        break;
      case 1:
        flag.fallthrough = { variation: this.chance(0.5) ? -1 : variationCount + this.int(3) };
        break;
      case 2:
        flag.fallthrough = { rollout: { variations: [] } };
        break;
      case 3:
        flag.fallthrough = {};
        break;
      case 4:
        delete flag.fallthrough;
        break;
      case 5: {
        // An invalid reference as the rule's only clause: LaunchDarkly loses the error of an invalid clause
        // that is followed by another one (see the error cases), which is not what this compares.
        const rules = flag.rules as Json[];
        rules.splice(this.int(rules.length + 1), 0, { id: 'bad-ref', clauses: [badRef], variation: 0 });
        break;
      }
      case 6:
        flag.fallthrough = { rollout: { contextKind: 'user', bucketBy: '/a//b', variations: [{ variation: 0, weight: 100000 }] } };
        break;
      case 7:
        (flag.targets as Json[]).push({ values: [...this.keys], variation: variationCount + this.int(2) });
        flag.contextTargets = [];
        break;
      default:
        (flag.rules as Json[]).unshift({ id: 'bad-index', clauses: [], variation: variationCount });
    }
  }

  /** Gives `flag` a field of the wrong type (data Switchyard refuses and LaunchDarkly evaluates as it comes). */
  wrongType(flag: Record<string, Json>, flags: readonly { key: string }[]): void {
    switch (this.int(5)) {
      case 0:
        flag.offVariation = String(flag.offVariation ?? 0);
        break;
      case 1:
        flag.on = flag.on ? 'yes' : '';
        break;
      case 2:
        flag.rules = 'junk';
        break;
      case 3:
        flag.fallthrough = { variation: '0' };
        break;
      default:
        (flag.prerequisites as Json[]).push({ key: this.pick(flags).key });
    }
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
