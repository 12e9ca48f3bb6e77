import {
  type DataKind,
  DataKinds,
  type FullDataSet,
  type KeyedSerializedItem,
  type PersistentDataStore,
  type PersistentStoreKind,
  PersistentStoreWrapper,
  type SerializedCollection,
  type SerializedItem,
  StoreError,
  type VersionedItem,
} from '@switchyard/core';
import { CapturingLogger } from '@switchyard/core/testing';
import { afterEach, describe, expect, it } from 'vitest';

import type { ConformanceHarness, ConformanceHook } from './harness.js';

/** The prefix of the suite's warnings and errors, so they can be found in a long test log. */
const LOG_PREFIX = '[switchyard/store-conformance]';

/** What each optional hook enables and how to provide it: the text of the warning and of the strict failure. */
const HOOKS: Record<ConformanceHook, { readonly cases: string; readonly provide: string }> = {
  createFailingStore: {
    cases: 'error',
    provide: 'createFailingStore() returning a store whose every operation fails (e.g. one pointed at an unreachable host)',
  },
  setConcurrentModificationHook: {
    cases: 'concurrent-modification',
    provide: 'setConcurrentModificationHook(store, hook) making that store\'s upsert await hook after it reads the old item and before it writes the new one',
  },
};

/** Registers one test: its name, its body, its timeout. */
type Register = (name: string, fn: () => Promise<void>, ms?: number) => void;

/** Stores see only namespaces; the suite's items are small JSON documents, not real flags. */
const KIND: PersistentStoreKind = { namespace: DataKinds.features.namespace };
const OTHER_KIND: PersistentStoreKind = { namespace: DataKinds.segments.namespace };

const json = (key: string, version: number, extra: Record<string, unknown> = {}) => ({ key, version, ...extra });
const item = (key: string, version: number, extra: Record<string, unknown> = {}): SerializedItem => ({
  version,
  serializedItem: JSON.stringify(json(key, version, extra)),
});
/** A tombstone as the wrapper writes it: deleted flag and the tombstone JSON, for stores that keep only text. */
const tombstone = (key: string, version: number): SerializedItem => ({
  version,
  deleted: true,
  serializedItem: JSON.stringify({ key, version, deleted: true }),
});
const collection = (kind: PersistentStoreKind, items: [string, SerializedItem][]): SerializedCollection => ({
  kind,
  items: items.map(([key, it]) => ({ key, item: it })),
});

/** The version a read reports: its own, or (store reported 0, "unknown") the one in the JSON. */
function versionOf(stored: SerializedItem): number {
  if (stored.version !== 0) return stored.version;
  const parsed = JSON.parse(stored.serializedItem ?? 'null') as { version?: unknown } | null;
  return typeof parsed?.version === 'number' ? parsed.version : 0;
}

function isTombstone(stored: SerializedItem): boolean {
  if (stored.deleted) return true;
  if (stored.serializedItem === undefined) return false;
  return (JSON.parse(stored.serializedItem) as { deleted?: unknown }).deleted === true;
}

/** A live item equal to `json(key, version, extra)`; version 0 from the store is accepted (read from the JSON). */
function expectItem(stored: SerializedItem | undefined, key: string, version: number, extra: Record<string, unknown> = {}): void {
  expect(stored, `expected an item for "${key}"`).toBeDefined();
  expect(isTombstone(stored!), `"${key}" must not be a tombstone`).toBe(false);
  expect([version, 0], `version of "${key}"`).toContain(stored!.version);
  expect(JSON.parse(stored!.serializedItem ?? 'null')).toEqual(json(key, version, extra));
}

/** A tombstone at `version`, either as `deleted: true` or as tombstone JSON. */
function expectTombstone(stored: SerializedItem | undefined, key: string, version: number): void {
  expect(stored, `expected a tombstone for "${key}"`).toBeDefined();
  expect(isTombstone(stored!), `"${key}" must be a tombstone`).toBe(true);
  expect(versionOf(stored!), `version of the tombstone of "${key}"`).toBe(version);
}

async function allByKey(store: PersistentDataStore, kind: PersistentStoreKind): Promise<Record<string, SerializedItem>> {
  const items: readonly KeyedSerializedItem[] = await store.getAll(kind);
  const out: Record<string, SerializedItem> = {};
  for (const { key, item: stored } of items) {
    expect(out[key], `getAll returned "${key}" twice`).toBeUndefined();
    out[key] = stored;
  }
  return out;
}

async function settle(promise: Promise<unknown> | unknown): Promise<void> {
  try {
    await promise;
  } catch {
    // Cleanup must go on.
  }
}

function expectStoreError(error: unknown, operation: string, harness: ConformanceHarness<never>): void {
  expect(StoreError.isInstance(error), `expected a StoreError, got ${String(error)}`).toBe(true);
  expect((error as StoreError).operation).toBe(operation);
  harness.validateError?.(error);
}

function shuffled<T>(values: T[]): T[] {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// --- the SDK read path (Go cases 25–31) ------------------------------------------------------

const USER_IN = 'user-in';
const USER_OUT = 'user-out';

const segmentJson = (version: number, included: string[]) => ({
  key: 'seg',
  version,
  included,
  excluded: [],
  includedContexts: [],
  excludedContexts: [],
  rules: [],
  salt: 'seg-salt',
  deleted: false,
});

const flagJson = (version: number, variations: unknown[]) => ({
  key: 'feature',
  version,
  on: true,
  targets: [],
  contextTargets: [],
  prerequisites: [],
  rules: [
    {
      id: 'rule-in-segment',
      clauses: [{ contextKind: 'user', attribute: 'key', op: 'segmentMatch', values: ['seg'], negate: false }],
      variation: 0,
      trackEvents: false,
    },
  ],
  fallthrough: { variation: 1 },
  offVariation: 1,
  variations,
  salt: 'feature-salt',
  trackEvents: false,
  trackEventsFallthrough: false,
  deleted: false,
});

/** The JSON an item was stored from: `DataKind.serialize` gives back what was received. */
const asJson = <T extends VersionedItem>(kind: DataKind<T>, value: T | null) =>
  value === null ? null : (JSON.parse(kind.serialize(value)) as Record<string, unknown>);

/**
 * What the flag serves to `userKey`, decided from the JSON the wrapper read back: the flag's one rule
 * matches users in the segment's `included` list (variation 0), everyone else falls through
 * (variation 1); a missing flag is "not found". A stand-in for the client until node-server's client
 * runs these cases end to end.
 */
async function serve(wrapper: PersistentStoreWrapper, userKey: string): Promise<{ value: unknown } | 'FLAG_NOT_FOUND'> {
  const flag = asJson(DataKinds.features, await wrapper.get(DataKinds.features, 'feature'));
  if (!flag) return 'FLAG_NOT_FOUND';
  const segment = asJson(DataKinds.segments, await wrapper.get(DataKinds.segments, 'seg'));
  const inSegment = Array.isArray(segment?.included) && (segment.included as unknown[]).includes(userKey);
  const variations = flag.variations as unknown[];
  return { value: variations[inSegment ? 0 : 1] };
}

/**
 * Registers LaunchDarkly's shared persistent-store conformance suite (Go `testhelpers/storetest`, 31
 * cases) plus Switchyard's additions (string-prefix isolation, empty inits, a large data set, in-process
 * concurrency, bounded retries, multibyte and odd keys, foreign tombstones, store-vs-JSON versions,
 * close) as vitest `describe`/`it` blocks. Call it at the top level of a test file.
 *
 * A group whose {@link ConformanceHook} the harness lacks is registered as skipped tests named
 * `[skipped: harness has no <hook> hook] <test>`, with one `console.warn` per missing hook giving the
 * number of tests and how to provide the hook; `manyItems: 0` likewise leaves one skipped test. With
 * `requireAllHooks: true` the suite also registers one `provides the <hook> hook` test per hook, failing
 * for each missing one (Switchyard's own stores set it, see {@link CompleteConformanceHarness}).
 *
 * @example
 * ```ts
 * runPersistentStoreConformance({
 *   name: 'redis',
 *   createStore: (prefix) => redisStore({ url, prefix }).core,
 *   clearData: (prefix) => flushPrefix(url, prefix),
 * });
 * ```
 */
export function runPersistentStoreConformance<Store extends PersistentDataStore>(harness: ConformanceHarness<Store>): void {
  const timeoutMs = harness.timeoutMs ?? 30_000;
  const base = harness.prefixBase ?? 'sytest';
  const runId = Math.random().toString(36).slice(2, 8);
  let counter = 0;
  const prefixes: string[] = [];
  const stores: PersistentDataStore[] = [];
  const h = harness as unknown as ConformanceHarness<never>;

  /** A fresh, cleared prefix. Generated prefixes never end in `_2` or `-x`, so those suffixes are free. */
  async function freshPrefix(suffix = ''): Promise<string> {
    const prefix = suffix ? `${base}-${runId}-t${counter}${suffix}` : `${base}-${runId}-t${++counter}`;
    prefixes.push(prefix);
    await harness.clearData(prefix);
    return prefix;
  }

  async function create(prefix: string): Promise<Store> {
    const store = await harness.createStore(prefix);
    stores.push(store);
    return store;
  }

  const test: Register = (name, fn, ms = timeoutMs) => it(name, { timeout: ms }, fn);

  const hasHook = (hook: ConformanceHook) => typeof harness[hook] === 'function';
  /** How many tests each missing hook disabled; filled while the groups are collected, before any test runs. */
  const skippedBy = new Map<ConformanceHook, number>();

  /**
   * A group of tests that needs `hook`. Without the hook the tests are still registered, skipped, with
   * the reason at the start of each name: every reporter (default tree, verbose, JSON, JUnit) then lists
   * what did not run and why, where leaving them out told a third-party author nothing.
   */
  function hookGroup(title: string, hook: ConformanceHook, body: (test: Register) => void): void {
    describe(title, () => {
      if (hasHook(hook)) {
        body(test);
        return;
      }
      let count = 0;
      body((name, fn) => {
        count++;
        it.skip(`[skipped: harness has no ${hook} hook] ${name}`, fn);
      });
      skippedBy.set(hook, count);
      console.warn(
        `${LOG_PREFIX} ${harness.name}: ${count} ${HOOKS[hook].cases} tests skipped because the harness has no ${hook} hook. ` +
          `To run them, provide ${HOOKS[hook].provide}; see "Optional hooks" in the @switchyard/store-conformance README.`,
      );
    });
  }

  describe(`${harness.name}: persistent store conformance`, () => {
    afterEach(async () => {
      for (const store of stores.splice(0)) await settle(store.close());
      for (const prefix of prefixes.splice(0)) await harness.clearData(prefix);
    }, timeoutMs);

    if (harness.requireAllHooks) {
      // Failing tests, not an exception at registration: the rest of the suite still runs and reports.
      describe('optional hooks, required by requireAllHooks', () => {
        for (const hook of Object.keys(HOOKS) as ConformanceHook[]) {
          test(`provides the ${hook} hook`, async () => {
            if (hasHook(hook)) return;
            throw new Error(
              `${LOG_PREFIX} ${harness.name}: requireAllHooks is set, but the harness has no ${hook} hook, ` +
                `so its ${skippedBy.get(hook) ?? 0} ${HOOKS[hook].cases} tests did not run. Provide ${HOOKS[hook].provide}.`,
            );
          });
        }
      });
    }

    describe('init', () => {
      test('reports the store initialized after init (#1)', async () => {
        const store = await create(await freshPrefix());
        expect(await store.isInitialized()).toBe(false);
        await store.init([collection(KIND, []), collection(OTHER_KIND, [])]);
        expect(await store.isInitialized()).toBe(true);
      });

      test('replaces all previous data of every kind (#2)', async () => {
        const store = await create(await freshPrefix());
        await store.init([collection(OTHER_KIND, [['first', item('first', 1)]]), collection(KIND, [['first', item('first', 1)], ['second', item('second', 1)]])]);
        expect(Object.keys(await allByKey(store, KIND)).sort()).toEqual(['first', 'second']);
        expect(Object.keys(await allByKey(store, OTHER_KIND))).toEqual(['first']);

        await store.init([collection(OTHER_KIND, [['second', item('second', 2)]]), collection(KIND, [['first', item('first', 2)]])]);
        const items = await allByKey(store, KIND);
        expect(Object.keys(items)).toEqual(['first']);
        expectItem(items.first, 'first', 2);
        const others = await allByKey(store, OTHER_KIND);
        expect(Object.keys(others)).toEqual(['second']);
        expectItem(others.second, 'second', 2);
      });

      test('lets one instance see that another instance initialized the store (#3)', async () => {
        const prefix = await freshPrefix();
        const store1 = await create(prefix);
        const store2 = await create(prefix);
        expect(await store1.isInitialized()).toBe(false);
        await store2.init([collection(KIND, [['a', item('a', 1)]]), collection(OTHER_KIND, [])]);
        expect(await store1.isInitialized()).toBe(true);
        expectItem(await store1.get(KIND, 'a'), 'a', 1);
      });

      test('removes every old item of a kind that init gives no items (+)', async () => {
        const store = await create(await freshPrefix());
        await store.init([collection(OTHER_KIND, [['s', item('s', 1)]]), collection(KIND, [['a', item('a', 1)], ['b', tombstone('b', 2)]])]);
        await store.init([collection(OTHER_KIND, []), collection(KIND, [])]);
        expect(await allByKey(store, KIND)).toEqual({});
        expect(await allByKey(store, OTHER_KIND)).toEqual({});
        expect(await store.get(KIND, 'a')).toBeUndefined();
        expect(await store.isInitialized()).toBe(true);
      });

      test('marks the store initialized after an init with no kinds (+)', async () => {
        const store = await create(await freshPrefix());
        await store.init([]);
        expect(await store.isInitialized()).toBe(true);
      });
    });

    describe('get', () => {
      test('gets an existing item (#4)', async () => {
        const store = await create(await freshPrefix());
        await store.init([collection(OTHER_KIND, []), collection(KIND, [])]);
        expect((await store.upsert(KIND, 'a', item('a', 1, { name: 'first' }))).updated).toBe(true);
        expectItem(await store.get(KIND, 'a'), 'a', 1, { name: 'first' });
      });

      test('answers undefined, not an error, for an item that does not exist (#5)', async () => {
        const store = await create(await freshPrefix());
        await store.init([collection(OTHER_KIND, []), collection(KIND, [['a', item('a', 1)]])]);
        expect(await store.get(KIND, 'missing')).toBeUndefined();
        expect(await store.get(OTHER_KIND, 'a')).toBeUndefined();
      });

      test('gets all items of one kind and only that kind (#6)', async () => {
        const store = await create(await freshPrefix());
        await store.init([collection(OTHER_KIND, []), collection(KIND, [])]);
        expect(await store.getAll(KIND)).toEqual([]);
        await store.upsert(KIND, 'first', item('first', 1));
        await store.upsert(KIND, 'second', item('second', 1));
        await store.upsert(OTHER_KIND, 'third', item('third', 1));
        const items = await allByKey(store, KIND);
        expect(Object.keys(items).sort()).toEqual(['first', 'second']);
        expectItem(items.first, 'first', 1);
        expectItem(items.second, 'second', 1);
      });
    });

    describe('upsert', () => {
      const initial = async () => {
        const store = await create(await freshPrefix());
        await store.init([collection(OTHER_KIND, []), collection(KIND, [['a', item('a', 10, { name: 'old' })]])]);
        return store;
      };

      test('writes a newer version (#7)', async () => {
        const store = await initial();
        expect((await store.upsert(KIND, 'a', item('a', 11, { name: 'new' }))).updated).toBe(true);
        expectItem(await store.get(KIND, 'a'), 'a', 11, { name: 'new' });
      });

      test('refuses an older version and keeps the stored one (#8)', async () => {
        const store = await initial();
        expect((await store.upsert(KIND, 'a', item('a', 9, { name: 'new' }))).updated).toBe(false);
        expectItem(await store.get(KIND, 'a'), 'a', 10, { name: 'old' });
      });

      test('refuses the same version and keeps the stored one (#9)', async () => {
        const store = await initial();
        expect((await store.upsert(KIND, 'a', item('a', 10, { name: 'new' }))).updated).toBe(false);
        expectItem(await store.get(KIND, 'a'), 'a', 10, { name: 'old' });
      });
    });

    describe('delete (upsert of a tombstone)', () => {
      const initial = async () => {
        const store = await create(await freshPrefix());
        await store.init([collection(OTHER_KIND, []), collection(KIND, [['a', item('a', 10)]])]);
        return store;
      };

      test('deletes with a newer version and keeps the tombstone (#10)', async () => {
        const store = await initial();
        expect((await store.upsert(KIND, 'a', tombstone('a', 11))).updated).toBe(true);
        expectTombstone(await store.get(KIND, 'a'), 'a', 11);
        expectTombstone((await allByKey(store, KIND)).a, 'a', 11);
      });

      test('refuses a delete with an older version (#11)', async () => {
        const store = await initial();
        expect((await store.upsert(KIND, 'a', tombstone('a', 9))).updated).toBe(false);
        expectItem(await store.get(KIND, 'a'), 'a', 10);
      });

      test('refuses a delete with the same version (#12)', async () => {
        const store = await initial();
        expect((await store.upsert(KIND, 'a', tombstone('a', 10))).updated).toBe(false);
        expectItem(await store.get(KIND, 'a'), 'a', 10);
      });

      test('stores a tombstone for an unknown item (#13)', async () => {
        const store = await initial();
        expect((await store.upsert(KIND, 'unknown', tombstone('unknown', 1))).updated).toBe(true);
        expectTombstone(await store.get(KIND, 'unknown'), 'unknown', 1);
      });

      test('refuses an older item after a delete and keeps the tombstone (#14)', async () => {
        const store = await initial();
        await store.upsert(KIND, 'a', tombstone('a', 11));
        expect((await store.upsert(KIND, 'a', item('a', 10))).updated).toBe(false);
        expectTombstone(await store.get(KIND, 'a'), 'a', 11);
      });
    });

    test('reports the store available (#15)', async () => {
      const store = await create(await freshPrefix());
      expect(await store.isStoreAvailable()).toBe(true);
      await store.init([collection(KIND, [['a', item('a', 1)]])]);
      await store.get(KIND, 'a');
      expect(await store.isStoreAvailable()).toBe(true);
    });

    hookGroup('errors from a store that cannot reach its backend', 'createFailingStore', (test) => {
      const failingStore = async () => {
        // Only called when the hook exists: without it these tests are registered as skipped.
        const store = await harness.createFailingStore!();
        stores.push(store);
        return store;
      };
      const errorOf = (promise: Promise<unknown>) =>
        promise.then(
          (value) => ({ resolved: value }),
          (error: unknown) => error,
        );

      test('rejects init with a StoreError (#16)', async () => {
        expectStoreError(await errorOf((await failingStore()).init([collection(KIND, [['a', item('a', 1)]])])), 'init', h);
      });

      test('rejects get with a StoreError (#17)', async () => {
        expectStoreError(await errorOf((await failingStore()).get(KIND, 'a')), 'get', h);
      });

      test('rejects getAll with a StoreError, never an empty list (#18)', async () => {
        expectStoreError(await errorOf((await failingStore()).getAll(KIND)), 'getAll', h);
      });

      test('rejects upsert with a StoreError (#19)', async () => {
        expectStoreError(await errorOf((await failingStore()).upsert(KIND, 'a', item('a', 1))), 'upsert', h);
      });

      test('never reports the store initialized (#20)', async () => {
        const outcome = await errorOf((await failingStore()).isInitialized());
        if (StoreError.isInstance(outcome)) expectStoreError(outcome, 'isInitialized', h);
        else expect(outcome).toEqual({ resolved: false });
      });

      test('answers isStoreAvailable with false (+)', async () => {
        const outcome = await errorOf((await failingStore()).isStoreAvailable());
        expect(outcome).toEqual({ resolved: false });
      });
    });

    describe('prefix independence', () => {
      test('keeps init data of two prefixes apart (#21)', async () => {
        const p1 = await freshPrefix();
        const p2 = await freshPrefix();
        const store1 = await create(p1);
        const store2 = await create(p2);
        expect(await store1.isInitialized()).toBe(false);
        expect(await store2.isInitialized()).toBe(false);

        await store1.init([collection(KIND, [['flag-a', item('flag-a', 1)], ['flag-b', item('flag-b', 1)]])]);
        expect(await store1.isInitialized()).toBe(true);
        expect(await store2.isInitialized()).toBe(false);

        await store2.init([collection(KIND, [['flag-a', item('flag-a', 2)], ['flag-c', item('flag-c', 2)]])]);
        const items1 = await allByKey(store1, KIND);
        const items2 = await allByKey(store2, KIND);
        expect(Object.keys(items1).sort()).toEqual(['flag-a', 'flag-b']);
        expect(Object.keys(items2).sort()).toEqual(['flag-a', 'flag-c']);
        expectItem(await store1.get(KIND, 'flag-a'), 'flag-a', 1);
        expectItem(await store2.get(KIND, 'flag-a'), 'flag-a', 2);
        expect(await store1.get(KIND, 'flag-c')).toBeUndefined();
        expect(await store2.get(KIND, 'flag-b')).toBeUndefined();
      });

      test('compares versions within its own prefix on upsert and delete (#22)', async () => {
        const store1 = await create(await freshPrefix());
        const store2 = await create(await freshPrefix());
        await store1.init([collection(KIND, [])]);
        await store2.init([collection(KIND, [])]);
        // The higher version goes to the second prefix first: the first prefix must not see it.
        expect((await store2.upsert(KIND, 'flag-a', item('flag-a', 2))).updated).toBe(true);
        expect((await store1.upsert(KIND, 'flag-a', item('flag-a', 1))).updated).toBe(true);
        expectItem(await store1.get(KIND, 'flag-a'), 'flag-a', 1);
        expectItem(await store2.get(KIND, 'flag-a'), 'flag-a', 2);
        expect((await store1.upsert(KIND, 'flag-a', item('flag-a', 2))).updated).toBe(true);
        expect((await store1.upsert(KIND, 'flag-a', tombstone('flag-a', 3))).updated).toBe(true);
        expectTombstone(await store1.get(KIND, 'flag-a'), 'flag-a', 3);
        expectItem(await store2.get(KIND, 'flag-a'), 'flag-a', 2);
      });

      test('never lists, reads or deletes data of a prefix that extends its own (+)', async () => {
        const short = await freshPrefix();
        const longer = await freshPrefix('_2');
        const dashed = await freshPrefix('-x');
        const [storeShort, storeLonger, storeDashed] = [await create(short), await create(longer), await create(dashed)];
        await storeLonger.init([collection(KIND, [['l', item('l', 1)]]), collection(OTHER_KIND, [['ls', item('ls', 1)]])]);
        await storeDashed.init([collection(KIND, [['d', item('d', 1)]])]);

        await storeShort.init([collection(KIND, [['s', item('s', 1)]]), collection(OTHER_KIND, [])]);
        expect(Object.keys(await allByKey(storeShort, KIND))).toEqual(['s']);
        expect(await allByKey(storeShort, OTHER_KIND)).toEqual({});
        expect(await storeShort.get(KIND, 'l')).toBeUndefined();
        expect(Object.keys(await allByKey(storeLonger, KIND))).toEqual(['l']);
        expect(Object.keys(await allByKey(storeLonger, OTHER_KIND))).toEqual(['ls']);
        expect(Object.keys(await allByKey(storeDashed, KIND))).toEqual(['d']);

        await storeShort.init([collection(KIND, []), collection(OTHER_KIND, [])]);
        expect(Object.keys(await allByKey(storeLonger, KIND))).toEqual(['l']);
        expect(Object.keys(await allByKey(storeDashed, KIND))).toEqual(['d']);
        expect(await storeLonger.isInitialized()).toBe(true);
      });
    });

    hookGroup('concurrent modification by another process', 'setConcurrentModificationHook', (test) => {
      // Only called when the hook exists: without it these tests are registered as skipped.
      const setHook = (store: Store, hook: () => Promise<void>) => harness.setConcurrentModificationHook!(store, hook);
      const racing = async () => {
        const prefix = await freshPrefix();
        const store1 = await create(prefix);
        const store2 = await create(prefix);
        await store1.init([collection(KIND, [['a', item('a', 1)]])]);
        return { store1, store2 };
      };

      test('retries after losing a race to lower versions and writes its own (#23)', async () => {
        const { store1, store2 } = await racing();
        const external = [2, 3, 4];
        setHook(store1, async () => {
          const next = external.shift();
          if (next !== undefined) await store2.upsert(KIND, 'a', item('a', next));
        });
        expect((await store1.upsert(KIND, 'a', item('a', 10))).updated).toBe(true);
        expectItem(await store2.get(KIND, 'a'), 'a', 10);
      });

      test('gives up without writing when another process wrote a higher version (#24)', async () => {
        const { store1, store2 } = await racing();
        let done = false;
        setHook(store1, async () => {
          if (done) return;
          done = true;
          await store2.upsert(KIND, 'a', item('a', 3));
        });
        expect((await store1.upsert(KIND, 'a', item('a', 2))).updated).toBe(false);
        expectItem(await store2.get(KIND, 'a'), 'a', 3);
      });

      test('ends with an error, never a silent "not updated", when it keeps losing races (+)', async () => {
        const { store1, store2 } = await racing();
        let version = 1;
        let calls = 0;
        setHook(store1, async () => {
          // Stop after 1000 rounds, so a store that retries without bound ends (and fails below).
          if (++calls > 1000) return;
          await store2.upsert(KIND, 'a', item('a', ++version));
        });
        const outcome = await store1.upsert(KIND, 'a', item('a', 1_000_000)).then(
          (result) => result,
          (error: unknown) => error,
        );
        expect(calls, 'the store retried without bound').toBeLessThanOrEqual(1000);
        if (StoreError.isInstance(outcome)) {
          expect(outcome.operation).toBe('upsert');
        } else {
          // A store whose condition compares versions (DynamoDB) may simply win: then it must have written.
          expect(outcome).toMatchObject({ updated: true });
          expectItem(await store2.get(KIND, 'a'), 'a', 1_000_000);
        }
      });
    });

    describe('the SDK read path through PersistentStoreWrapper (#25–#31)', () => {
      const sdk = async (log = new CapturingLogger()) => {
        const store = await create(await freshPrefix());
        const wrapper = new PersistentStoreWrapper(store, { cacheTtlMs: 0, logger: log, healthCheckIntervalMs: 0 });
        const data: FullDataSet = {
          features: { feature: DataKinds.features.fromJSON(flagJson(1, [true, false])) },
          segments: { seg: DataKinds.segments.fromJSON(segmentJson(1, [USER_IN])) },
        };
        await wrapper.init(data);
        return { wrapper, log };
      };

      test('serves a flag and the segment its rule uses (#25)', async () => {
        const { wrapper } = await sdk();
        expect(asJson(DataKinds.features, await wrapper.get(DataKinds.features, 'feature'))).toEqual(flagJson(1, [true, false]));
        expect(asJson(DataKinds.segments, await wrapper.get(DataKinds.segments, 'seg'))).toEqual(segmentJson(1, [USER_IN]));
        expect(await serve(wrapper, USER_IN)).toEqual({ value: true });
        expect(await serve(wrapper, USER_OUT)).toEqual({ value: false });
      });

      test('serves all flags (#26)', async () => {
        const { wrapper } = await sdk();
        const all = await wrapper.all(DataKinds.features);
        expect(Object.keys(all)).toEqual(['feature']);
        expect(asJson(DataKinds.features, all.feature!)).toEqual(flagJson(1, [true, false]));
      });

      test('serves an updated flag (#27)', async () => {
        const { wrapper } = await sdk();
        expect(await wrapper.upsert(DataKinds.features, DataKinds.features.fromJSON(flagJson(2, ['in', 'out'])))).toBe(true);
        expect(await serve(wrapper, USER_IN)).toEqual({ value: 'in' });
        expect(await serve(wrapper, USER_OUT)).toEqual({ value: 'out' });
      });

      test('serves an updated segment (#28)', async () => {
        const { wrapper } = await sdk();
        expect(await wrapper.upsert(DataKinds.segments, DataKinds.segments.fromJSON(segmentJson(2, [USER_IN, USER_OUT])))).toBe(true);
        expect(await serve(wrapper, USER_OUT)).toEqual({ value: true });
      });

      test('stops matching a deleted segment (#29)', async () => {
        const { wrapper } = await sdk();
        expect(await wrapper.upsert(DataKinds.segments, DataKinds.segments.tombstone('seg', 3))).toBe(true);
        expect(await wrapper.get(DataKinds.segments, 'seg')).toBeNull();
        expect(await serve(wrapper, USER_IN)).toEqual({ value: false });
      });

      test('reports a deleted flag as not found (#30)', async () => {
        const { wrapper } = await sdk();
        expect(await wrapper.upsert(DataKinds.features, DataKinds.features.tombstone('feature', 2))).toBe(true);
        expect(await serve(wrapper, USER_IN)).toBe('FLAG_NOT_FOUND');
        expect(await wrapper.all(DataKinds.features)).toEqual({});
      });

      test('logs no error along the way (#31)', async () => {
        const { wrapper, log } = await sdk();
        await serve(wrapper, USER_IN);
        await wrapper.all(DataKinds.features);
        await wrapper.upsert(DataKinds.features, DataKinds.features.fromJSON(flagJson(2, [1, 2])));
        await wrapper.upsert(DataKinds.segments, DataKinds.segments.fromJSON(segmentJson(2, [])));
        await wrapper.upsert(DataKinds.segments, DataKinds.segments.tombstone('seg', 3));
        await wrapper.upsert(DataKinds.features, DataKinds.features.tombstone('feature', 3));
        await serve(wrapper, USER_IN);
        expect(await wrapper.initialized()).toBe(true);
        expect(wrapper.status.getStatus()).toEqual({ available: true, refreshNeeded: false });
        expect(log.messages('error')).toEqual([]);
      });
    });

    describe('beyond the Go suite', () => {
      const manyItems = harness.manyItems ?? 5000;
      const largeItemBytes = harness.largeItemBytes ?? 300_000;
      const largeDataSet = async () => {
        const store = await create(await freshPrefix());
        const large = new Set(largeItemBytes > 0 ? [0, Math.floor(manyItems / 2), manyItems - 1] : []);
        const padding = 'p'.repeat(largeItemBytes);
        const items: [string, SerializedItem][] = Array.from({ length: manyItems }, (_, i) => [
          `item-${i}`,
          item(`item-${i}`, 1, large.has(i) ? { padding } : { n: i }),
        ]);
        await store.init([collection(OTHER_KIND, [['s', item('s', 1)]]), collection(KIND, items)]);
        const all = await allByKey(store, KIND);
        expect(Object.keys(all)).toHaveLength(manyItems);
        for (const i of large) expectItem(all[`item-${i}`], `item-${i}`, 1, { padding });
        expectItem(all['item-1'], 'item-1', 1, { n: 1 });

        await store.init([collection(OTHER_KIND, []), collection(KIND, items.slice(0, 10))]);
        expect(Object.keys(await allByKey(store, KIND)).sort()).toEqual(items.slice(0, 10).map(([k]) => k).sort());
      };
      if (manyItems > 0) {
        test(`stores and lists a data set of ${manyItems} items, some of them large, and replaces it (+)`, largeDataSet, timeoutMs * 4);
      } else {
        // An explicit choice of the harness, still listed so the report shows what did not run.
        it.skip('[skipped: harness sets manyItems to 0] stores and lists a large data set, some of its items large, and replaces it (+)', largeDataSet);
      }

      test('keeps the highest of 100 concurrent upserts of one key (+)', async () => {
        const store = await create(await freshPrefix());
        await store.init([collection(KIND, [])]);
        const versions = shuffled(Array.from({ length: 100 }, (_, i) => i + 1));
        const results = await Promise.all(versions.map((v) => store.upsert(KIND, 'hot', item('hot', v)).then((r) => [v, r.updated] as const)));
        const applied = results.filter(([, updated]) => updated).map(([v]) => v);
        expect(applied).toContain(100);
        expect(applied.length).toBeGreaterThanOrEqual(1);
        expectItem(await store.get(KIND, 'hot'), 'hot', 100);
      });

      test('applies concurrent upserts of different keys of one kind (+)', async () => {
        const store = await create(await freshPrefix());
        await store.init([collection(KIND, [])]);
        const keys = Array.from({ length: 50 }, (_, i) => `key-${i}`);
        const results = await Promise.all(keys.map((k) => store.upsert(KIND, k, item(k, 1))));
        expect(results.every((r) => r.updated)).toBe(true);
        expect(Object.keys(await allByKey(store, KIND)).sort()).toEqual([...keys].sort());
      });

      test('keeps multibyte keys and values byte for byte (+)', async () => {
        const store = await create(await freshPrefix());
        const keys = ['ключ', '鍵', 'emoji-😀', 'ﬁ-ligature', 'mixed-é-€-𝄞'];
        const text = 'Grüße, 日本語, emoji 😀🎉, RTL שלום, combining é';
        await store.init([collection(KIND, keys.slice(0, 2).map((k) => [k, item(k, 1, { text })]))]);
        for (const k of keys.slice(2)) expect((await store.upsert(KIND, k, item(k, 1, { text }))).updated).toBe(true);
        for (const k of keys) expectItem(await store.get(KIND, k), k, 1, { text });
        expect(Object.keys(await allByKey(store, KIND)).sort()).toEqual([...keys].sort());
      });

      test('keeps keys with separators, spaces and 200 characters (+)', async () => {
        const store = await create(await freshPrefix());
        const keys = ['a:b', 'a/b', 'a/b/c', 'a.b', 'a b', '$inited-like', 'k'.repeat(200)];
        await store.init([collection(KIND, keys.map((k) => [k, item(k, 1)]))]);
        for (const k of keys) expectItem(await store.get(KIND, k), k, 1);
        expect(Object.keys(await allByKey(store, KIND)).sort()).toEqual([...keys].sort());
        expect((await store.upsert(KIND, 'a/b', item('a/b', 2))).updated).toBe(true);
        expectItem(await store.get(KIND, 'a/b'), 'a/b', 2);
        expectItem(await store.get(KIND, 'a/b/c'), 'a/b/c', 1);
      });

      test('returns tombstones written by other SDKs, and the wrapper reads them as deleted (+)', async () => {
        const store = await create(await freshPrefix());
        await store.init([collection(KIND, [])]);
        // Go writes a full item with key "$deleted"; js-core and Switchyard write {key, version, deleted}.
        await store.upsert(KIND, 'go', { version: 5, deleted: true, serializedItem: JSON.stringify({ key: '$deleted', version: 5, deleted: true, on: false }) });
        await store.upsert(KIND, 'js', { version: 6, deleted: true, serializedItem: JSON.stringify({ key: 'js', version: 6, deleted: true }) });
        expectTombstone(await store.get(KIND, 'go'), 'go', 5);
        expectTombstone(await store.get(KIND, 'js'), 'js', 6);
        const wrapper = new PersistentStoreWrapper(store, { cacheTtlMs: 0, healthCheckIntervalMs: 0 });
        expect(await wrapper.get(DataKinds.features, 'go')).toBeNull();
        expect(await wrapper.get(DataKinds.features, 'js')).toBeNull();
        expect(await wrapper.upsert(DataKinds.features, DataKinds.features.fromJSON({ key: 'go', version: 4 }))).toBe(false);
      });

      test('reports its own version when the JSON says another, or 0 when it keeps none (+)', async () => {
        const store = await create(await freshPrefix());
        await store.init([collection(KIND, [])]);
        await store.upsert(KIND, 'a', { version: 7, serializedItem: JSON.stringify({ key: 'a', version: 3 }) });
        const stored = await store.get(KIND, 'a');
        expect([7, 0]).toContain(stored?.version);
        if (stored?.version === 7) {
          const wrapper = new PersistentStoreWrapper(store, { cacheTtlMs: 0, healthCheckIntervalMs: 0 });
          expect((await wrapper.get(DataKinds.features, 'a'))?.version).toBe(7);
        }
      });

      test('closes idempotently, and calls after close settle promptly (+)', async () => {
        const store = await create(await freshPrefix());
        await store.init([collection(KIND, [['a', item('a', 1)]])]);
        await store.close();
        await store.close();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const settled = await Promise.race([
          store.get(KIND, 'a').then(
            () => 'resolved',
            () => 'rejected',
          ),
          new Promise((resolve) => (timer = setTimeout(() => resolve('pending'), 5_000))),
        ]);
        clearTimeout(timer);
        expect(settled).not.toBe('pending');
      });
    });
  });
}
