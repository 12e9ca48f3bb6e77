// The flags OpenFeature's evaluation scenarios use, written as LaunchDarkly flag JSON. This is our own
// translation of what the scenarios expect (the spec's test-flags.json, flagd's format with CEL
// targeting, is not copied):
//
// - a flag's variants become its variations, in the order listed; OpenFeature's `variant` is the
//   variation index as a string ("0", "1"), so a scenario's variant name is checked as the index of
//   that name in `variants` below;
// - the default variant is the fallthrough (served when no rule matches);
// - a disabled flag is off with no off variation, so it serves the caller's default (reason OFF);
// - CEL targeting becomes rules: `email == 'ballmer@macrosoft.com'` is a rule on `email`;
//   `!customer && email == … && age > 10` is one rule with three clauses;
// - evaluation.feature's `context-aware` flag (from flagd's older test set) is a rule on fn, ln, age and
//   customer;
// - flag metadata (`metadata-flag`'s) has no place in LaunchDarkly's flag data: the flag exists, the
//   scenario about its metadata is excluded.
//
// Every flag is version 1 with a fixed salt, valid for TestData and for the flag service's data file.

/** One flag: its variant names (index = variation) and its LaunchDarkly JSON. */
export interface SpecFlag {
  readonly variants: readonly string[];
  readonly json: Record<string, unknown>;
}

type Clause = { contextKind: 'user'; attribute: string; op: string; values: unknown[]; negate: false };

const clause = (attribute: string, op: string, ...values: unknown[]): Clause => ({ contextKind: 'user', attribute, op, values, negate: false });

function flag(
  key: string,
  variants: Record<string, unknown>,
  defaultVariant: string,
  options: { disabled?: boolean; rules?: { variant: string; clauses: Clause[] }[] } = {},
): [string, SpecFlag] {
  const names = Object.keys(variants);
  const index = (name: string) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`flag ${key}: no variant "${name}"`);
    return i;
  };
  const json: Record<string, unknown> = {
    key,
    version: 1,
    on: !options.disabled,
    variations: Object.values(variants),
    fallthrough: { variation: index(defaultVariant) },
    targets: [],
    rules: (options.rules ?? []).map((rule, i) => ({ id: `${key}-rule-${i}`, variation: index(rule.variant), clauses: rule.clauses })),
    prerequisites: [],
    salt: `${key}-salt`,
  };
  return [key, { variants: names, json }];
}

const showImages = { showImages: true, title: 'Check out these pics!', imagesPerPage: 100 };
const ballmer = [clause('email', 'in', 'ballmer@macrosoft.com')];

/** Every flag the scenarios evaluate, by key. */
export const SPEC_FLAGS: Readonly<Record<string, SpecFlag>> = Object.freeze(
  Object.fromEntries([
    flag('boolean-flag', { on: true, off: false }, 'on'),
    flag('string-flag', { greeting: 'hi', parting: 'bye' }, 'greeting'),
    flag('integer-flag', { one: 1, ten: 10 }, 'ten'),
    flag('float-flag', { tenth: 0.1, half: 0.5 }, 'half'),
    flag('object-flag', { empty: {}, template: showImages }, 'template'),

    flag('boolean-disabled-flag', { on: true, off: false }, 'on', { disabled: true }),
    flag('string-disabled-flag', { greeting: 'hi', parting: 'bye' }, 'greeting', { disabled: true }),
    flag('integer-disabled-flag', { one: 1, ten: 10 }, 'ten', { disabled: true }),
    flag('float-disabled-flag', { tenth: 0.1, half: 0.5 }, 'half', { disabled: true }),
    flag('object-disabled-flag', { empty: {}, template: showImages }, 'template', { disabled: true }),

    flag('boolean-zero-flag', { zero: false, 'non-zero': true }, 'zero'),
    flag('string-zero-flag', { zero: '', 'non-zero': 'str' }, 'zero'),
    flag('integer-zero-flag', { zero: 0, 'non-zero': 1 }, 'zero'),
    flag('float-zero-flag', { zero: 0.0, 'non-zero': 1.0 }, 'zero'),
    flag('object-zero-flag', { zero: {}, 'non-zero': showImages }, 'zero'),

    flag('boolean-targeted-zero-flag', { zero: false, 'non-zero': true }, 'zero', { rules: [{ variant: 'zero', clauses: ballmer }] }),
    flag('string-targeted-zero-flag', { zero: '', 'non-zero': 'str' }, 'zero', { rules: [{ variant: 'zero', clauses: ballmer }] }),
    flag('integer-targeted-zero-flag', { zero: 0, 'non-zero': 1 }, 'zero', { rules: [{ variant: 'zero', clauses: ballmer }] }),
    flag('float-targeted-zero-flag', { zero: 0.0, 'non-zero': 1.0 }, 'zero', { rules: [{ variant: 'zero', clauses: ballmer }] }),
    flag('object-targeted-zero-flag', { zero: {}, 'non-zero': showImages }, 'zero', { rules: [{ variant: 'zero', clauses: ballmer }] }),

    flag('complex-targeted', { internal: 'INTERNAL', external: 'EXTERNAL' }, 'external', {
      rules: [{ variant: 'internal', clauses: [clause('customer', 'in', false), clause('email', 'in', 'ballmer@macrosoft.com'), clause('age', 'greaterThan', 10)] }],
    }),
    flag('context-aware', { internal: 'INTERNAL', external: 'EXTERNAL' }, 'external', {
      rules: [{ variant: 'internal', clauses: [clause('fn', 'in', 'Sulisław'), clause('ln', 'in', 'Świętopełk'), clause('age', 'greaterThan', 10), clause('customer', 'in', false)] }],
    }),
    flag('wrong-flag', { one: 'uno', two: 'dos' }, 'one'),
    flag('metadata-flag', { on: true, off: false }, 'on'),
  ]),
);

/** The flags as LaunchDarkly JSON by key (a poll response's `flags`, the flag service's data file). */
export function specFlagsJson(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.entries(SPEC_FLAGS).map(([key, f]) => [key, structuredClone(f.json)]));
}
