// Runs OpenFeature's published evaluation scenarios (evaluation.feature, evaluation_v2.feature, copied
// verbatim) against SwitchyardProvider. There is no cucumber runner: the files are parsed with
// @cucumber/gherkin into pickles (Scenario Outlines expand to one pickle per example row), every step is
// matched against the step definitions below (regular expression → function), and each pickle becomes
// one vitest test.
//
// Nothing is skipped silently: a scenario that does not apply is in EXCLUDED with the reason, and the
// suite fails if an excluded name is not in the files or a step of a running scenario has no definition
// (or more than one).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { AstBuilder, GherkinClassicTokenMatcher, Parser, compile } from '@cucumber/gherkin';
import { IdGenerator, type GherkinDocument, type Pickle, type PickleStep } from '@cucumber/messages';
import { OpenFeature, type Client, type EvaluationContext, type EvaluationContextValue, type EvaluationDetails, type FlagValue, type JsonValue } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SwitchyardProvider } from '../../src/index.js';
import { SPEC_FLAGS } from './flags.js';

/** The feature files as published at open-feature/spec@COMMIT: their git blob ids (so an edit fails the suite). */
export const SPEC_COMMIT = '6fd4d54a9a7aff4e080545e7ddc37c69367cc65e';
export const FEATURES: Readonly<Record<string, string>> = Object.freeze({
  'evaluation.feature': '2bd3c9bf82b17066ca5bce3f5071053a8a7db9a9',
  'evaluation_v2.feature': 'c1027e3a16f4c0faa1a9a4e369893f998ea1d8d3',
});

/** Scenarios that do not apply to this provider, by feature and scenario name, with the reason. */
export const EXCLUDED: Readonly<Record<string, Readonly<Record<string, string>>>> = Object.freeze({
  'evaluation.feature': {},
  'evaluation_v2.feature': {
    'Flag metadata in evaluation details':
      "LaunchDarkly's flag data has no custom flag metadata to return; the provider's own flagMetadata (version, context id, variation index, LaunchDarkly reason) is tested in provider.test.ts",
    'CACHED reason': 'Switchyard evaluates every call from its in-memory store and never reports CACHED',
    'Evaluation options with hooks': "evaluation options and hook order are the OpenFeature SDK's own machinery, not the provider's",
    'Evaluation context immutability':
      "the details object is built by the OpenFeature SDK, which returns it mutable (only flagMetadata is frozen); that the provider never changes the context is tested in src/context/translate.test.ts",
  },
});

/**
 * Scenarios that run in full, except that the spec's reason `STATIC` is expected as `DEFAULT`: with
 * `standardReasons`, LaunchDarkly's `FALLTHROUGH` is `DEFAULT`, because a reason does not say whether the
 * flag has targeting that did not match (see the package README). Value, variant and every other step
 * are checked as written. A listed scenario that no longer asserts `STATIC` fails the suite.
 */
export const STATIC_AS_DEFAULT: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'evaluation.feature': ['Resolves boolean details', 'Resolves string details', 'Resolves integer details', 'Resolves float details', 'Resolves object details'],
  'evaluation_v2.feature': ['Resolves zero value', 'Complete evaluation details structure', 'Structure flag evaluation'],
});

/** Provider states the scenarios ask for besides "stable". */
export type ProviderState = 'not ready' | 'error' | 'fatal' | 'stale';

/** Where the scenarios run: a stable provider serving SPEC_FLAGS, and providers put into other states. */
export interface GherkinTarget {
  /** A provider (with `standardReasons: true`) whose client serves {@link SPEC_FLAGS}; set up once. */
  stableProvider(): Promise<SwitchyardProvider>;
  /** Sets a new provider on `domain` and brings it into `state` (resolves once OpenFeature reports it). */
  providerIn(state: ProviderState, domain: string): Promise<void>;
  /** Releases everything the target started (called after OpenFeature's providers were cleared). */
  close(): Promise<void>;
}

/** The targeting key every scenario's context carries: LaunchDarkly contexts need a key. */
export const TARGETING_KEY = 'gherkin-user';

type FlagType = 'Boolean' | 'String' | 'Integer' | 'Float' | 'Object';

interface World {
  of: Client;
  context: Record<string, EvaluationContextValue>;
  flag: { key: string; type: FlagType; fallback: unknown } | undefined;
  details: EvaluationDetails<FlagValue> | undefined;
  evaluation: { promise: unknown; started: number } | undefined;
  /** Set when the scenario's STATIC was checked as DEFAULT. */
  substituted: boolean;
  substitute: boolean;
}

function gitBlobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

function unescapeQuotes(text: string): string {
  return text.replace(/\\"/g, '"');
}

function parseTyped(type: FlagType, text: string): unknown {
  switch (type) {
    case 'Boolean':
      if (text !== 'true' && text !== 'false') throw new Error(`not a boolean: "${text}"`);
      return text === 'true';
    case 'String':
      return text;
    case 'Integer':
    case 'Float': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw new Error(`not a number: "${text}"`);
      return n;
    }
    case 'Object':
      return JSON.parse(unescapeQuotes(text)) as unknown;
  }
}

function evaluate(of: Client, type: FlagType, key: string, fallback: unknown, context: EvaluationContext): Promise<EvaluationDetails<FlagValue>> {
  switch (type) {
    case 'Boolean':
      return of.getBooleanDetails(key, fallback as boolean, context);
    case 'String':
      return of.getStringDetails(key, fallback as string, context);
    case 'Integer':
    case 'Float':
      return of.getNumberDetails(key, fallback as number, context);
    case 'Object':
      return of.getObjectDetails(key, fallback as JsonValue, context);
  }
}

function expectReason(world: World, expected: string): void {
  const reason = world.substitute && expected === 'STATIC' ? 'DEFAULT' : expected;
  if (reason !== expected) world.substituted = true;
  expect(world.details?.reason).toBe(reason);
}

/** The variation index OpenFeature reports for a variant name of the spec's flag (see flags.ts). */
function expectVariant(world: World, key: string, name: string): void {
  const variants = SPEC_FLAGS[key]?.variants;
  if (!variants?.includes(name)) throw new Error(`the flag set has no variant "${name}" for flag "${key}"`);
  expect(world.details?.variant).toBe(String(variants.indexOf(name)));
}

function legacyType(word: string): FlagType {
  return ({ boolean: 'Boolean', string: 'String', integer: 'Integer', float: 'Float', object: 'Object' } as const)[word as 'boolean'] ?? (() => {
    throw new Error(`unknown type ${word}`);
  })();
}

function details(world: World): EvaluationDetails<FlagValue> {
  if (!world.details) throw new Error('no flag was evaluated before this step');
  return world.details;
}

async function evaluateFlag(world: World, type: FlagType, key: string, fallback: unknown, context: EvaluationContext = world.context): Promise<void> {
  world.flag = { key, type, fallback };
  world.details = await evaluate(world.of, type, key, fallback, context);
}

type StepDefinition = readonly [RegExp, (world: World, args: string[], step: PickleStep) => unknown];

function stepDefinitions(target: GherkinTarget, stable: () => Client, domain: () => string): readonly StepDefinition[] {
  return [
    // --- providers ---
    [/^a stable provider$/, (w) => void (w.of = stable())],
    [
      /^an? (not ready|error|fatal|stale) provider$/,
      async (w, [state]) => {
        const name = domain();
        await target.providerIn(state as ProviderState, name);
        w.of = OpenFeature.getClient(name);
        w.of.setContext({ targetingKey: TARGETING_KEY });
      },
    ],
    [/^the provider status should be "([^"]*)"$/, (w, [status]) => expect(w.of.providerStatus).toBe(status)],

    // --- evaluation.feature: typed values ---
    [/^an? (boolean|string) flag with key "([^"]*)" is evaluated with default value "([^"]*)"$/, (w, [type, key, fallback]) => evaluateFlag(w, legacyType(type!), key!, parseTyped(legacyType(type!), fallback!))],
    [/^an? (integer|float) flag with key "([^"]*)" is evaluated with default value (\S+)$/, (w, [type, key, fallback]) => evaluateFlag(w, legacyType(type!), key!, parseTyped(legacyType(type!), fallback!))],
    [/^an object flag with key "([^"]*)" is evaluated with a null default value$/, (w, [key]) => evaluateFlag(w, 'Object', key!, null)],
    [/^the resolved (boolean|string) value should be "([^"]*)"$/, (w, [type, value]) => expect(details(w).value).toEqual(parseTyped(legacyType(type!), value!))],
    [/^the resolved (integer|float) value should be (\S+)$/, (w, [type, value]) => expect(details(w).value).toEqual(parseTyped(legacyType(type!), value!))],
    [
      /^the resolved object (?:details )?value should be contain fields "([^"]*)", "([^"]*)", and "([^"]*)", with values "([^"]*)", "([^"]*)" and (\d+), respectively$/,
      (w, [f1, f2, f3, v1, v2, v3]) => {
        expect(details(w).value).toMatchObject({ [f1!]: parseTyped('Boolean', v1!), [f2!]: v2, [f3!]: Number(v3) });
      },
    ],
    // --- evaluation.feature: details ---
    [/^an? (boolean|string) flag with key "([^"]*)" is evaluated with details and default value "([^"]*)"$/, (w, [type, key, fallback]) => evaluateFlag(w, legacyType(type!), key!, parseTyped(legacyType(type!), fallback!))],
    [/^an? (integer|float) flag with key "([^"]*)" is evaluated with details and default value (\S+)$/, (w, [type, key, fallback]) => evaluateFlag(w, legacyType(type!), key!, parseTyped(legacyType(type!), fallback!))],
    [/^an object flag with key "([^"]*)" is evaluated with details and a null default value$/, (w, [key]) => evaluateFlag(w, 'Object', key!, null)],
    [
      /^the resolved (boolean|string) details value should be "([^"]*)", the variant should be "([^"]*)", and the reason should be "([^"]*)"$/,
      (w, [type, value, variant, reason]) => {
        expect(details(w).value).toEqual(parseTyped(legacyType(type!), value!));
        expectVariant(w, w.flag!.key, variant!);
        expectReason(w, reason!);
      },
    ],
    [
      /^the resolved (integer|float) details value should be (\S+), the variant should be "([^"]*)", and the reason should be "([^"]*)"$/,
      (w, [type, value, variant, reason]) => {
        expect(details(w).value).toEqual(parseTyped(legacyType(type!), value!));
        expectVariant(w, w.flag!.key, variant!);
        expectReason(w, reason!);
      },
    ],
    [
      /^the variant should be "([^"]*)", and the reason should be "([^"]*)"$/,
      (w, [variant, reason]) => {
        expectVariant(w, w.flag!.key, variant!);
        expectReason(w, reason!);
      },
    ],
    // --- evaluation.feature: context ---
    [
      /^context contains keys "([^"]*)", "([^"]*)", "([^"]*)", "([^"]*)" with values "([^"]*)", "([^"]*)", (\d+), "([^"]*)"$/,
      (w, [k1, k2, k3, k4, v1, v2, v3, v4]) => {
        // The last value is the boolean `customer` ("false"), as OpenFeature's own harnesses read it.
        Object.assign(w.context, { [k1!]: v1, [k2!]: v2, [k3!]: Number(v3), [k4!]: parseTyped('Boolean', v4!) });
      },
    ],
    [/^a flag with key "([^"]*)" is evaluated with default value "([^"]*)"$/, (w, [key, fallback]) => evaluateFlag(w, 'String', key!, fallback)],
    [/^the resolved string response should be "([^"]*)"$/, (w, [value]) => expect(details(w).value).toBe(value)],
    [
      /^the resolved flag value is "([^"]*)" when the context is empty$/,
      async (w, [value]) => {
        const { key, fallback } = w.flag!;
        const empty = await w.of.getStringDetails(key, fallback as string, {});
        // A resolution, not the fallback after an error (the fallback is the same string here).
        expect({ value: empty.value, errorCode: empty.errorCode }).toEqual({ value, errorCode: undefined });
      },
    ],
    // --- evaluation.feature: errors ---
    [/^a non-existent string flag with key "([^"]*)" is evaluated with details and a fallback value "([^"]*)"$/, (w, [key, fallback]) => evaluateFlag(w, 'String', key!, fallback)],
    [/^the default string value should be returned$/, (w) => expect(details(w).value).toBe(w.flag!.fallback)],
    [
      /^the reason should indicate an error and the error code should indicate a (?:missing flag|type mismatch) with "([^"]*)"$/,
      (w, [code]) => expect({ reason: details(w).reason, errorCode: details(w).errorCode }).toEqual({ reason: 'ERROR', errorCode: code }),
    ],
    [/^a string flag with key "([^"]*)" is evaluated as an integer, with details and a fallback value (\d+)$/, (w, [key, fallback]) => evaluateFlag(w, 'Integer', key!, Number(fallback))],
    [/^the default integer value should be returned$/, (w) => expect(details(w).value).toBe(w.flag!.fallback)],

    // --- evaluation_v2.feature ---
    [
      /^an? (Boolean|String|Integer|Float|Object)-flag with key "([^"]*)" and a fallback value "(.*)"$/,
      (w, [type, key, fallback]) => void (w.flag = { key: key!, type: type as FlagType, fallback: parseTyped(type as FlagType, fallback!) }),
    ],
    [
      /^a context containing a key "([^"]*)", with type "(String|Integer|Float|Boolean)" and with value "(.*)"$/,
      (w, [key, type, value]) => void (w.context[key!] = parseTyped(type as FlagType, value!) as EvaluationContextValue),
    ],
    [/^a context containing a key "([^"]*)" with null value$/, (w, [key]) => void (w.context[key!] = null)],
    [/^the flag was evaluated with details$/, (w) => evaluateFlag(w, w.flag!.type, w.flag!.key, w.flag!.fallback)],
    [
      /^the flag was evaluated with details asynchronously$/,
      (w) => {
        const { type, key, fallback } = w.flag!;
        w.evaluation = { promise: evaluate(w.of, type, key, fallback, w.context), started: Date.now() };
      },
    ],
    [
      /^the evaluation should complete without blocking$/,
      async (w) => {
        // The call returned a promise at once (the evaluation runs on the event loop); it settles.
        expect(w.evaluation?.promise).toBeInstanceOf(Promise);
        w.details = await (w.evaluation!.promise as Promise<EvaluationDetails<FlagValue>>);
      },
    ],
    [/^the resolved details value should be "(.*)"$/, (w, [value]) => expect(details(w).value).toEqual(parseTyped(w.flag!.type, value!))],
    [/^the reason should be "([^"]*)"$/, (w, [reason]) => expectReason(w, reason!)],
    [/^the error-code should be "([^"]*)"$/, (w, [code]) => expect(details(w).errorCode).toBe(code)],
    [/^the flag key should be "([^"]*)"$/, (w, [key]) => expect(details(w).flagKey).toBe(key)],
    [/^the variant should be "([^"]*)"$/, (w, [variant]) => expectVariant(w, w.flag!.key, variant!)],
  ];
}

interface ParsedFeature {
  readonly file: string;
  readonly document: GherkinDocument;
  readonly pickles: readonly Pickle[];
  /** Example row id → the row's cells, to name a pickle of an outline. */
  readonly rows: ReadonlyMap<string, readonly string[]>;
}

function parseFeature(file: string): ParsedFeature {
  const text = readFileSync(new URL(file, import.meta.url), 'utf8');
  const newId = IdGenerator.incrementing();
  const document = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher()).parse(text);
  const pickles = compile(document, file, newId);
  const rows = new Map<string, readonly string[]>();
  for (const child of document.feature?.children ?? []) {
    for (const examples of child.scenario?.examples ?? []) {
      for (const row of examples.tableBody) rows.set(row.id, row.cells.map((c) => c.value));
    }
  }
  return { file, document, pickles, rows };
}

function scenarioNames(feature: ParsedFeature): Set<string> {
  return new Set((feature.document.feature?.children ?? []).flatMap((c) => (c.scenario ? [c.scenario.name] : [])));
}

function pickleTitle(feature: ParsedFeature, pickle: Pickle): string {
  const row = pickle.astNodeIds.length > 1 ? feature.rows.get(pickle.astNodeIds[pickle.astNodeIds.length - 1]!) : undefined;
  return row ? `${pickle.name} [${row.map((cell) => cell || '""').join(' | ')}]` : pickle.name;
}

function match(definitions: readonly StepDefinition[], text: string): { definition: StepDefinition; args: string[] }[] {
  return definitions.flatMap((definition) => {
    const m = definition[0].exec(text);
    return m ? [{ definition, args: m.slice(1) }] : [];
  });
}

/**
 * Generates the suites: a check of the files and lists, then one test per pickle of each feature file.
 * `name` tells the targets apart in the test names.
 */
export function defineEvaluationSuites(name: string, makeTarget: () => GherkinTarget): void {
  const features = Object.keys(FEATURES).map(parseFeature);
  let target: GherkinTarget | undefined;
  let domains = 0;
  const definitions = stepDefinitions(
    { stableProvider: () => target!.stableProvider(), providerIn: (s, d) => target!.providerIn(s, d), close: () => target!.close() },
    () => {
      const client = OpenFeature.getClient('stable');
      client.setContext({ targetingKey: TARGETING_KEY });
      return client;
    },
    () => `${name}-${++domains}`,
  );

  describe(`OpenFeature evaluation scenarios (${name})`, () => {
    beforeAll(async () => {
      // The SDK logs failed initializations (the error and fatal providers) with console.error.
      OpenFeature.setLogger({ debug() {}, info() {}, warn() {}, error() {} });
      target = makeTarget();
      await OpenFeature.setProviderAndWait('stable', await target.stableProvider());
    });

    afterAll(async () => {
      await OpenFeature.clearProviders();
      await target?.close();
    });

    it('runs the published feature files unedited', () => {
      for (const [file, blob] of Object.entries(FEATURES)) {
        expect({ file, blob: gitBlobId(readFileSync(new URL(file, import.meta.url))) }).toEqual({ file, blob });
      }
    });

    it('lists only scenarios that exist, and has exactly one definition for every step that runs', () => {
      const problems: string[] = [];
      for (const feature of features) {
        const names = scenarioNames(feature);
        for (const excluded of Object.keys(EXCLUDED[feature.file] ?? {})) if (!names.has(excluded)) problems.push(`${feature.file}: excluded "${excluded}" does not exist`);
        for (const listed of STATIC_AS_DEFAULT[feature.file] ?? []) if (!names.has(listed)) problems.push(`${feature.file}: STATIC_AS_DEFAULT "${listed}" does not exist`);
        for (const pickle of feature.pickles) {
          if (EXCLUDED[feature.file]?.[pickle.name] !== undefined) continue;
          for (const step of pickle.steps) {
            const found = match(definitions, step.text).length;
            if (found !== 1) problems.push(`${feature.file}: "${step.text}" has ${found} definitions`);
          }
        }
      }
      expect(problems).toEqual([]);
      // Growing the exclusions must be a visible change here, not a side effect.
      const counts = Object.fromEntries(
        features.map((f) => {
          const excluded = f.pickles.filter((p) => EXCLUDED[f.file]?.[p.name] !== undefined).length;
          return [f.file, { run: f.pickles.length - excluded, excluded }];
        }),
      );
      expect(counts).toEqual({ 'evaluation.feature': { run: 13, excluded: 0 }, 'evaluation_v2.feature': { run: 77, excluded: 5 } });
    });

    for (const feature of features) {
      describe(feature.file, () => {
        for (const pickle of feature.pickles) {
          if (EXCLUDED[feature.file]?.[pickle.name] !== undefined) continue;
          const substitute = (STATIC_AS_DEFAULT[feature.file] ?? []).includes(pickle.name);
          it(pickleTitle(feature, pickle) + (substitute ? ' (STATIC expected as DEFAULT)' : ''), async () => {
            const world: World = {
              of: OpenFeature.getClient('stable'),
              context: {},
              flag: undefined,
              details: undefined,
              evaluation: undefined,
              substituted: false,
              substitute,
            };
            for (const step of pickle.steps) {
              const found = match(definitions, step.text);
              if (found.length !== 1) throw new Error(`step "${step.text}" has ${found.length} definitions`);
              const [{ definition, args }] = found as [{ definition: StepDefinition; args: string[] }];
              try {
                await definition[1](world, args, step);
              } catch (err) {
                if (err instanceof Error) err.message = `step "${step.text}": ${err.message}`;
                throw err;
              }
            }
            if (substitute) expect(world.substituted, 'a STATIC_AS_DEFAULT scenario must assert STATIC').toBe(true);
          });
        }
      });
    }
  });
}
