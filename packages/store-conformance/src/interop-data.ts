/**
 * A hand-written environment for the interop tests of every store (ours against LaunchDarkly's own
 * integration on the same database): flags and segments in LaunchDarkly's JSON data model (as the flag
 * service delivers them), and the contexts they are evaluated for. It aims at breadth rather than
 * realism: every clause operator, negation, context kinds, targets, prerequisites (chains, failing,
 * missing), rollouts and experiments, segments with every membership path, unicode, and keys with the
 * characters a key layout could trip over (`:` `/` `.` `#`).
 *
 * @module
 */

export type Json = Record<string, unknown>;

interface ClauseOptions {
  readonly contextKind?: string | undefined;
  readonly negate?: boolean;
}

/** A clause on the `user` kind unless `contextKind` says otherwise (`undefined` leaves it out: legacy form). */
function clause(attribute: string, op: string, values: readonly unknown[], options: ClauseOptions = {}): Json {
  const out: Json = { attribute, op, values: [...values], negate: options.negate ?? false };
  const kind = 'contextKind' in options ? options.contextKind : 'user';
  if (kind !== undefined) out.contextKind = kind;
  return out;
}

let nextVersion = 3;

/** A flag with every field the service sends; `extra` overrides. Variations: match / no-match / off. */
function flag(key: string, extra: Json = {}): Json {
  nextVersion += 7;
  return {
    key,
    version: nextVersion,
    on: true,
    salt: `salt-${key}`,
    variations: ['match', 'no-match', 'off'],
    offVariation: 2,
    fallthrough: { variation: 1 },
    targets: [],
    contextTargets: [],
    rules: [],
    prerequisites: [],
    trackEvents: false,
    trackEventsFallthrough: false,
    clientSideAvailability: { usingEnvironmentId: false, usingMobileKey: false },
    deleted: false,
    ...extra,
  };
}

/** One rule whose clauses (ANDed) serve variation 0 ("match"). */
function ruleFlag(key: string, clauses: readonly Json[], extra: Json = {}): Json {
  return flag(key, { rules: [{ id: `${key}#rule`, clauses: [...clauses], variation: 0, trackEvents: false }], ...extra });
}

function segment(key: string, extra: Json = {}): Json {
  nextVersion += 5;
  return {
    key,
    version: nextVersion,
    salt: `seg-salt-${key}`,
    included: [],
    excluded: [],
    includedContexts: [],
    excludedContexts: [],
    rules: [],
    deleted: false,
    ...extra,
  };
}

// --- segments -----------------------------------------------------------------------------------

export const segments: readonly Json[] = [
  segment('beta-testers', {
    included: ['alice', 'ユーザー-1', 'bob'],
    // `bob` is both included and excluded: inclusion wins.
    excluded: ['bob', 'carol', 'legacy-2'],
    rules: [{ id: 'bt-org-mail', clauses: [clause('email', 'endsWith', ['.org', '.jp'])] }],
  }),
  segment('seg:beta/testers.v1', {
    includedContexts: [{ contextKind: 'org', values: ['acme', 'org:with/colon.dot'] }],
    excludedContexts: [{ contextKind: 'user', values: ['user-003'] }],
    rules: [
      // Half of the users, by key, on the segment's own salt.
      { id: 'half', clauses: [clause('key', 'startsWith', ['user-'])], weight: 50_000, bucketBy: 'key', rolloutContextKind: 'user' },
      // A weighted rule on another kind, bucketed by a non-key attribute.
      { id: 'orgs-by-region', clauses: [clause('seats', 'greaterThan', [10], { contextKind: 'org' })], weight: 60_000, bucketBy: 'region', rolloutContextKind: 'org' },
    ],
  }),
  segment('seg-nested', {
    rules: [
      { id: 'via-beta', clauses: [clause('', 'segmentMatch', ['beta-testers'])] },
      { id: 'japan', clauses: [clause('country', 'in', ['jp'])] },
    ],
  }),
  segment('seg-excluded-contexts', {
    excludedContexts: [{ contextKind: 'org', values: ['globex'] }],
    excluded: ['user-007'],
    rules: [
      { id: 'tiers', clauses: [clause('tier', 'in', ['gold', 'silver'], { contextKind: 'org' })] },
      { id: 'sevens', clauses: [clause('key', 'endsWith', ['7'])] },
    ],
  }),
  segment('seg-ü-日本', {
    included: ['🦄'],
    rules: [{ id: 'jp', clauses: [clause('country', 'in', ['jp', 'JP'])] }, { id: 'names', clauses: [clause('name', 'contains', ['ñ', '山'])] }],
  }),
  segment('seg-cycle-a', { rules: [{ id: 'to-b', clauses: [clause('', 'segmentMatch', ['seg-cycle-b'])] }] }),
  segment('seg-cycle-b', { rules: [{ id: 'to-a', clauses: [clause('', 'segmentMatch', ['seg-cycle-a'])] }] }),
  // Membership lives in a big-segment store, which neither reader has: it never matches.
  segment('seg-big', { unbounded: true, generation: 2, unboundedContextKind: 'user' }),
  segment('seg-legacy-rule', {
    // A legacy clause (no contextKind) and a weight with no bucketBy: the key of a user.
    rules: [{ id: 'legacy', clauses: [clause('country', 'in', ['de', 'fr'], { contextKind: undefined })], weight: 70_000 }],
  }),
];

// --- flags --------------------------------------------------------------------------------------

const operatorFlags: Json[] = [
  ruleFlag('op-in', [clause('country', 'in', ['de', 'fr', 'jp'])]),
  ruleFlag('op-in-number', [clause('age', 'in', [17, 50, 34.0])]),
  ruleFlag('op-in-bool', [clause('anonymous', 'in', [true])]),
  ruleFlag('op-ends-with', [clause('email', 'endsWith', ['@example.com', '.org'])]),
  ruleFlag('op-starts-with', [clause('name', 'startsWith', ['Al', '山田', 'Jos'])]),
  ruleFlag('op-matches', [clause('email', 'matches', ['^[a-z]+@corp\\.', 'é', '^user-0[0-4]'])]),
  ruleFlag('op-contains', [clause('name', 'contains', ['Unicorn', 'ar', 'ñ'])]),
  ruleFlag('op-less-than', [clause('age', 'lessThan', [18])]),
  ruleFlag('op-less-than-or-equal', [clause('age', 'lessThanOrEqual', [34])]),
  ruleFlag('op-greater-than', [clause('score', 'greaterThan', [50])]),
  ruleFlag('op-greater-than-or-equal', [clause('age', 'greaterThanOrEqual', [34])]),
  ruleFlag('op-before', [clause('signup', 'before', ['2022-01-01T00:00:00Z'])]),
  ruleFlag('op-after', [clause('signup', 'after', [1_640_995_200_000])]),
  ruleFlag('op-semver-equal', [clause('appVersion', 'semVerEqual', ['2.0.0', '2.4.1'])]),
  ruleFlag('op-semver-less-than', [clause('appVersion', 'semVerLessThan', ['2.0.0'])]),
  ruleFlag('op-semver-greater-than', [clause('appVersion', 'semVerGreaterThan', ['2.4.0'])]),
  ruleFlag('op-segment-match', [clause('', 'segmentMatch', ['beta-testers', 'seg-ü-日本'])]),
  ruleFlag('op-segment-nested', [clause('', 'segmentMatch', ['seg-nested'])]),
  ruleFlag('op-segment-excluded', [clause('', 'segmentMatch', ['seg-excluded-contexts'])]),
  ruleFlag('op-segment-negate', [clause('', 'segmentMatch', ['beta-testers'], { negate: true })]),
  ruleFlag('op-segment-legacy', [clause('', 'segmentMatch', ['seg-legacy-rule'])]),
  ruleFlag('op-negate', [clause('country', 'in', ['de'], { negate: true })]),
  ruleFlag('op-negate-missing-attribute', [clause('nickname', 'in', ['x'], { negate: true })]),
  ruleFlag('op-array-attribute', [clause('tags', 'in', ['beta', 'vip'])]),
  ruleFlag('op-nested-attribute', [clause('/address/city', 'in', ['Berlin', '東京'])]),
  ruleFlag('op-escaped-reference', [clause('/a~1b~0c', 'in', ['slash-tilde'])]),
  ruleFlag('op-legacy-attribute', [clause('address/city', 'in', ['legacy-literal'], { contextKind: undefined })]),
  ruleFlag('op-org-kind', [clause('tier', 'in', ['gold'], { contextKind: 'org' })]),
  ruleFlag('op-kind-attribute', [clause('kind', 'in', ['org', 'device'])]),
  ruleFlag('op-key-attribute', [clause('key', 'startsWith', ['user-00', 'org:'])]),
  ruleFlag('op-and-clauses', [clause('country', 'in', ['de', 'us']), clause('age', 'greaterThanOrEqual', [18])]),
  ruleFlag('op-multi-kind-and', [clause('country', 'in', ['de', 'us']), clause('seats', 'greaterThan', [100], { contextKind: 'org' })]),
  ruleFlag('op-unknown-operator', [clause('country', 'notAnOperator', ['de'])]),
  ruleFlag('op-no-negate-field', [{ contextKind: 'user', attribute: 'country', op: 'in', values: ['us'] }]),
];

const targetFlags: Json[] = [
  flag('targets-user', {
    targets: [
      { values: ['alice', '🦄', 'user:42'], variation: 0 },
      { values: ['bob', 'ユーザー-1'], variation: 2 },
    ],
    rules: [{ id: 'never-first', clauses: [clause('key', 'in', ['alice', 'bob'])], variation: 1 }],
  }),
  flag('targets-context', {
    variations: ['user-target', 'org-target', 'rule', 'fallthrough', 'off'],
    offVariation: 4,
    fallthrough: { variation: 3 },
    targets: [{ values: ['carol', 'team/alpha.lead'], variation: 0 }],
    contextTargets: [
      { contextKind: 'org', values: ['acme', '組織-7'], variation: 1 },
      // Marks where the user targets above are checked.
      { contextKind: 'user', values: [], variation: 0 },
      { contextKind: 'device', values: ['dev-1'], variation: 1 },
    ],
    rules: [{ id: 'orgs', clauses: [clause('kind', 'in', ['org'])], variation: 2 }],
  }),
];

const prerequisiteFlags: Json[] = [
  flag('prereq-base', { variations: ['base-on', 'base-other', 'base-off'], fallthrough: { variation: 0 } }),
  flag('prereq-mid', {
    variations: ['mid-on', 'mid-us', 'mid-off'],
    fallthrough: { variation: 0 },
    prerequisites: [{ key: 'prereq-base', variation: 0 }],
    rules: [{ id: 'us', clauses: [clause('country', 'in', ['us'])], variation: 1 }],
  }),
  flag('prereq-top', { fallthrough: { variation: 0 }, prerequisites: [{ key: 'prereq-mid', variation: 0 }, { key: 'op-in', variation: 1 }] }),
  flag('prereq-on-off-flag', { fallthrough: { variation: 0 }, prerequisites: [{ key: 'flag-off', variation: 1 }] }),
  flag('prereq-missing', { fallthrough: { variation: 0 }, prerequisites: [{ key: 'no-such-flag', variation: 0 }] }),
  flag('prereq-unicode', { fallthrough: { variation: 0 }, prerequisites: [{ key: '旗', variation: 0 }, { key: 'billing:checkout/v2.beta', variation: 0 }] }),
];

const rolloutFlags: Json[] = [
  flag('rollout-fallthrough', {
    fallthrough: { rollout: { variations: [{ variation: 0, weight: 33_333 }, { variation: 1, weight: 33_333 }, { variation: 2, weight: 33_334 }] } },
  }),
  flag('rollout-bucket-by', {
    fallthrough: { rollout: { bucketBy: 'country', variations: [{ variation: 0, weight: 50_000 }, { variation: 1, weight: 50_000 }] } },
  }),
  flag('rollout-bucket-by-number', {
    fallthrough: { rollout: { bucketBy: 'age', variations: [{ variation: 0, weight: 40_000 }, { variation: 1, weight: 60_000 }] } },
  }),
  flag('rollout-org', {
    fallthrough: { rollout: { contextKind: 'org', variations: [{ variation: 0, weight: 50_000 }, { variation: 1, weight: 50_000 }] } },
  }),
  flag('rollout-rule', {
    rules: [
      {
        id: 'adults',
        clauses: [clause('age', 'greaterThanOrEqual', [18])],
        rollout: { bucketBy: 'email', variations: [{ variation: 0, weight: 25_000 }, { variation: 2, weight: 75_000 }] },
      },
    ],
  }),
  flag('rollout-short-weights', {
    // Weights that sum to less than 100%: the remainder goes to the last variation.
    fallthrough: { rollout: { variations: [{ variation: 0, weight: 10_000 }, { variation: 1, weight: 10_000 }] } },
  }),
  flag('experiment-seeded', {
    variations: ['control', 'treatment-a', 'treatment-b'],
    fallthrough: {
      rollout: {
        kind: 'experiment',
        seed: 61,
        variations: [
          { variation: 0, weight: 30_000 },
          { variation: 1, weight: 30_000 },
          { variation: 2, weight: 40_000, untracked: true },
        ],
      },
    },
  }),
  flag('experiment-rule-org', {
    variations: ['control', 'treatment'],
    offVariation: 0,
    fallthrough: { variation: 0 },
    rules: [
      {
        id: 'orgs-in-experiment',
        clauses: [clause('kind', 'in', ['org'])],
        rollout: { kind: 'experiment', contextKind: 'org', seed: 7, variations: [{ variation: 0, weight: 50_000 }, { variation: 1, weight: 50_000 }] },
      },
    ],
  }),
];

const otherFlags: Json[] = [
  flag('flag-off', { on: false, offVariation: 1, rules: [{ id: 'unused', clauses: [clause('key', 'in', ['alice'])], variation: 0 }] }),
  flag('flag-off-no-off-variation', { on: false, offVariation: undefined }),
  flag('json-values', {
    variations: [{ theme: 'dark', limits: [1, 2, 3] }, [null, true, 'x'], { nested: { deep: { ü: '✓' } } }],
    rules: [{ id: 'alice', clauses: [clause('key', 'in', ['alice'])], variation: 0 }],
  }),
  flag('number-values', { variations: [0, -1.5, 1e21], fallthrough: { variation: 2 }, rules: [{ id: 'minors', clauses: [clause('age', 'lessThan', [18])], variation: 1 }] }),
  flag('bool-flag', { variations: [true, false], offVariation: 1, fallthrough: { variation: 0 } }),
  // Unicode keys and values, and keys with the separators of a Redis key layout.
  ruleFlag('fläg-ü', [clause('name', 'contains', ['ü', 'é', 'Ñ'])], { variations: ['ja ✓', 'nein ✗', 'aus'] }),
  ruleFlag('旗', [clause('country', 'in', ['jp'])], { variations: ['赤', '白', '黒'] }),
  flag('🚀-launch', { variations: ['🚀', '🛑', '💤'], targets: [{ values: ['🦄', 'José'], variation: 0 }] }),
  ruleFlag('billing:checkout/v2.beta', [clause('', 'segmentMatch', ['seg:beta/testers.v1'])]),
  ruleFlag('a.b.c', [clause('key', 'matches', ['\\.'])]),
  ruleFlag('path/to/flag:with.all', [clause('/address/zip', 'startsWith', ['10'])]),
];

/** Data the evaluator has to refuse or survive: both SDKs must fail the same way. */
const brokenFlags: Json[] = [
  flag('malformed-fallthrough', { fallthrough: { variation: 7 } }),
  flag('malformed-rule', { rules: [{ id: 'neither', clauses: [clause('country', 'in', ['de'])] }] }),
  flag('prereq-cycle-a', { prerequisites: [{ key: 'prereq-cycle-b', variation: 0 }] }),
  flag('prereq-cycle-b', { prerequisites: [{ key: 'prereq-cycle-a', variation: 0 }] }),
  ruleFlag('invalid-regex', [clause('name', 'matches', ['(unclosed', '^Bob'])]),
  ruleFlag('segment-cycle', [clause('', 'segmentMatch', ['seg-cycle-a'])]),
  ruleFlag('big-segment', [clause('', 'segmentMatch', ['seg-big'])]),
];

/** A deleted flag: it is stored as a tombstone and evaluates as not found. */
export const deletedFlag: Json = { key: 'deleted:flag', version: 99, deleted: true };

export const flags: readonly Json[] = [...operatorFlags, ...targetFlags, ...prerequisiteFlags, ...rolloutFlags, ...otherFlags, ...brokenFlags];

/** Evaluated too, though no live flag has these keys (one is absent, one a tombstone): FLAG_NOT_FOUND. */
export const missingFlagKeys: readonly string[] = ['no-such-flag', deletedFlag.key as string];

// --- contexts -----------------------------------------------------------------------------------

const alice: Json = {
  kind: 'user',
  key: 'alice',
  name: 'Alice Archer',
  email: 'alice@example.com',
  country: 'de',
  age: 34,
  score: 88.5,
  appVersion: '2.4.1',
  signup: '2021-03-04T10:00:00Z',
  tags: ['beta', 'staff'],
  address: { city: 'Berlin', zip: '10115' },
};
const bob: Json = { kind: 'user', key: 'bob', nickname: 'bobby', name: 'Bob Stone', email: 'bob@corp.example.org', country: 'us', age: 17, score: 12, appVersion: '1.9.0', signup: 1_577_836_800_000, tags: ['free'] };
const acme: Json = { kind: 'org', key: 'acme', name: 'Acme Corp', tier: 'gold', seats: 250, region: 'eu-west-1' };
const globex: Json = { kind: 'org', key: 'globex', name: 'Globex', tier: 'silver', seats: 12, region: 'us-east-2' };
function withoutKind(context: Json): Json {
  const { kind: _kind, ...rest } = context;
  return rest;
}
const tokyoOrg: Json = { kind: 'org', key: '組織-7', name: '日本支社', tier: 'bronze', seats: 101, region: 'ap-northeast-1' };

const generatedUsers: Json[] = Array.from({ length: 22 }, (_, i) => {
  const id = String(i).padStart(3, '0');
  const countries = ['de', 'us', 'fr', 'jp', 'br'];
  const user: Json = { kind: 'user', key: `user-${id}`, name: `User ${id}`, email: `user-${id}@${i % 3 === 0 ? 'example.com' : 'mail.example.org'}`, country: countries[i % 5] };
  if (i % 4 !== 3) user.age = 12 + i * 3;
  if (i % 2 === 0) user.appVersion = `${1 + (i % 3)}.${i}.0`;
  if (i % 5 === 1) user.signup = 1_600_000_000_000 + i * 3_000_000_000;
  if (i % 6 === 2) user.tags = ['vip'];
  return user;
});

/** Contexts to evaluate every flag for, each with a label for failure messages. */
export const contexts: readonly { readonly label: string; readonly context: Json }[] = [
  { label: 'user alice', context: alice },
  { label: 'user bob', context: bob },
  {
    label: 'user carol (string age, prerelease, offset date)',
    context: { kind: 'user', key: 'carol', nickname: 'x', name: 'Carol Ng', email: 'carol@Example.com', country: 'fr', age: '34', appVersion: '2.4.1-beta.2', signup: '2023-06-01T00:00:00.000+02:00' },
  },
  { label: 'user dave (only a key)', context: { kind: 'user', key: 'dave' } },
  { label: 'user erin (anonymous)', context: { kind: 'user', key: 'erin', anonymous: true, country: 'de' } },
  { label: 'user ユーザー-1', context: { kind: 'user', key: 'ユーザー-1', name: '山田 太郎', country: 'jp', email: 'yamada@example.jp', address: { city: '東京' } } },
  { label: 'user José', context: { kind: 'user', key: 'José', name: 'José Ñúñez', email: 'josé@ejemplo.es', country: 'es', age: 50, appVersion: '2.0' } },
  { label: 'user 🦄', context: { kind: 'user', key: '🦄', name: '🦄 Unicorn', score: 51, appVersion: '10.0.0' } },
  { label: 'user user:42', context: { kind: 'user', key: 'user:42', name: 'Colon Key', country: 'us', age: 18, appVersion: 'not-a-version', signup: 'yesterday' } },
  { label: 'user team/alpha.lead', context: { kind: 'user', key: 'team/alpha.lead', name: 'Slash Dot', 'a/b~c': 'slash-tilde', 'address/city': 'legacy-literal', appVersion: 3 } },
  { label: 'user with nested address only', context: { kind: 'user', key: 'nest', address: { city: 'Berlin', zip: 10115 }, age: 34.5, score: '99' } },
  ...generatedUsers.map((context) => ({ label: `user ${String(context.key)}`, context })),
  { label: 'legacy user legacy-1', context: { key: 'legacy-1', name: 'Old Timer', email: 'old@example.com', country: 'fr', custom: { age: 50, tier: 'gold', tags: ['vip'] } } },
  { label: 'legacy user legacy-2 (anonymous)', context: { key: 'legacy-2', anonymous: true, country: 'de', custom: { appVersion: '2.4.5' } } },
  { label: 'org acme', context: acme },
  { label: 'org globex', context: globex },
  { label: 'org 組織-7', context: tokyoOrg },
  { label: 'org org:with/colon.dot', context: { kind: 'org', key: 'org:with/colon.dot', seats: 11, region: 'eu-central-1' } },
  { label: 'device dev-2', context: { kind: 'device', key: 'dev-2', os: 'ios' } },
  { label: 'multi alice + acme', context: { kind: 'multi', user: withoutKind(alice), org: withoutKind(acme) } },
  { label: 'multi bob + globex', context: { kind: 'multi', user: { key: 'bob', country: 'us', age: 17 }, org: { key: 'globex', tier: 'silver', seats: 12 } } },
  { label: 'multi dave + 組織-7', context: { kind: 'multi', user: { key: 'dave' }, org: { key: '組織-7', tier: 'bronze', seats: 101 } } },
  { label: 'multi user:42 + acme', context: { kind: 'multi', user: { key: 'user:42', country: 'us', age: 40 }, org: { key: 'acme', tier: 'gold', seats: 250, region: 'eu-west-1' } } },
  { label: 'multi org + device', context: { kind: 'multi', org: { key: 'acme', tier: 'gold' }, device: { key: 'dev-1', os: 'linux' } } },
  { label: 'multi user-003 + org:with/colon.dot', context: { kind: 'multi', user: { key: 'user-003', country: 'jp' }, org: { key: 'org:with/colon.dot', seats: 11 } } },
  { label: 'invalid: user without key', context: { kind: 'user', name: 'nobody' } },
  { label: 'invalid: kind "kind"', context: { kind: 'kind', key: 'k' } },
];
