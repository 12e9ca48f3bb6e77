import { beforeAll, describe, expect, it } from 'vitest';

import {
  type InteropJson,
  type InteropRow,
  expectMeaningfulInteropResults,
  interopData,
  interopExpectedItems,
  interopMismatches,
} from './interop.js';

/** What a daemon-mode reader answered, and how many reads the database served it while evaluating. */
export interface InteropReading {
  readonly rows: readonly InteropRow[];
  readonly reads: number;
}

/**
 * What a store provides to run {@link runInteropSuite}: how each SDK writes {@link interopData} to a
 * prefix, how each SDK evaluates it from there in daemon mode with no cache (see `evaluateInterop`), and
 * how to look at what the database holds.
 */
export interface InteropHarness {
  /** The database, for test names: `'Redis'`, `'DynamoDB'`. */
  readonly database: string;
  /** Where LaunchDarkly's store writes. */
  readonly theirPrefix: string;
  /** Where ours writes: use one with the layout's separators in it. */
  readonly ourPrefix: string;
  /** LaunchDarkly's SDK with LaunchDarkly's store writes every flag (and the tombstone) and segment to `prefix`. */
  writeWithTheirs(prefix: string): Promise<void>;
  /** Switchyard with this store writes the same data to `prefix`. */
  writeWithOurs(prefix: string): Promise<void>;
  /** A Switchyard client in daemon mode, no cache, evaluates everything from `prefix`. */
  readWithOurs(prefix: string, sdkKey: string): Promise<InteropReading>;
  /** LaunchDarkly's client in daemon mode with its store, no cache, evaluates everything from `prefix`. */
  readWithTheirs(prefix: string, sdkKey: string): Promise<InteropReading>;
  /** The items stored under `prefix` for a kind, by key, their JSON parsed. */
  storedItems(prefix: string, kind: 'features' | 'segments'): Promise<ReadonlyMap<string, InteropJson>>;
  /** Whether the init marker exists under `prefix`. */
  hasInitMarker(prefix: string): Promise<boolean>;
  /** Further checks of the layout under `prefix` (say, a version attribute next to the JSON). */
  checkLayout?(prefix: string): Promise<void>;
}

/**
 * Interop both ways with LaunchDarkly's own integration for the same database: what their SDK writes, a
 * Switchyard client in daemon mode evaluates exactly as their daemon-mode client does, and the other way
 * round, and each side leaves LaunchDarkly's layout. Registers vitest `describe` blocks; call it at the top
 * level of a test file.
 */
export function runInteropSuite(harness: InteropHarness): void {
  const { flags: expectedFlags, segments: expectedSegments } = interopExpectedItems();
  const { database, theirPrefix, ourPrefix } = harness;

  async function expectLaunchDarklyLayout(prefix: string) {
    expect(await harness.hasInitMarker(prefix)).toBe(true);
    const features = await harness.storedItems(prefix, 'features');
    const segments = await harness.storedItems(prefix, 'segments');
    expect([...features.keys()].sort()).toEqual([...expectedFlags.keys()].sort());
    expect([...segments.keys()].sort()).toEqual([...expectedSegments.keys()].sort());
    for (const [key, item] of [...features, ...segments]) {
      expect(item.key, `stored key of ${key}`).toBe(key);
      expect(item.version, `stored version of ${key}`).toBe((expectedFlags.get(key) ?? expectedSegments.get(key))!.version);
    }
    expect(features.get(interopData.deletedFlag.key as string)).toMatchObject({ key: interopData.deletedFlag.key, version: 99, deleted: true });
    await harness.checkLayout?.(prefix);
    return { features, segments };
  }

  function readerChecks(readings: () => { ours: InteropReading; theirs: InteropReading }): void {
    it('gives the same answers in both SDKs’ daemon-mode clients, for every flag and context', () => {
      const { ours, theirs } = readings();
      expect(interopMismatches(ours.rows, theirs.rows)).toEqual([]);
    });

    it(`is read from ${database} by both readers (no cache)`, () => {
      const { ours, theirs } = readings();
      expect(ours.reads).toBeGreaterThanOrEqual(interopData.flagKeys.length);
      expect(theirs.reads).toBeGreaterThanOrEqual(interopData.flagKeys.length);
    });

    it('gives meaningful answers, not a run of defaults', () => {
      const { ours, theirs } = readings();
      expectMeaningfulInteropResults(ours.rows);
      expectMeaningfulInteropResults(theirs.rows);
    });
  }

  const results: Partial<Record<'theirData' | 'ourData', { ours: InteropReading; theirs: InteropReading }>> = {};

  describe('LaunchDarkly writes, Switchyard reads (daemon mode)', () => {
    let ours: InteropReading;
    let theirs: InteropReading;

    beforeAll(async () => {
      await harness.writeWithTheirs(theirPrefix);
      ours = await harness.readWithOurs(theirPrefix, 'sdk-interop-ours-reads-theirs');
      theirs = await harness.readWithTheirs(theirPrefix, 'sdk-interop-theirs-reads-theirs');
      results.theirData = { ours, theirs };
    });

    it(`leaves LaunchDarkly’s layout in ${database}: every flag (and the tombstone) and segment, as sent, and the init marker`, async () => {
      const stored = await expectLaunchDarklyLayout(theirPrefix);
      for (const [key, item] of stored.features) expect(item, key).toEqual(expectedFlags.get(key));
      for (const [key, item] of stored.segments) expect(item, key).toEqual(expectedSegments.get(key));
    });

    readerChecks(() => ({ ours, theirs }));
  });

  describe('Switchyard writes, LaunchDarkly reads (daemon mode)', () => {
    let ours: InteropReading;
    let theirs: InteropReading;

    beforeAll(async () => {
      await harness.writeWithOurs(ourPrefix);
      theirs = await harness.readWithTheirs(ourPrefix, 'sdk-interop-theirs-reads-ours');
      ours = await harness.readWithOurs(ourPrefix, 'sdk-interop-ours-reads-ours');
      results.ourData = { ours, theirs };
    });

    it(`leaves LaunchDarkly’s layout in ${database}: every flag (and the tombstone) and segment, and the init marker`, async () => {
      await expectLaunchDarklyLayout(ourPrefix);
    });

    it('stores each item as JSON that parses to what LaunchDarkly stores for it', async () => {
      const ourItems = [...(await harness.storedItems(ourPrefix, 'features')), ...(await harness.storedItems(ourPrefix, 'segments'))];
      const theirFeatures = await harness.storedItems(theirPrefix, 'features');
      const theirSegments = await harness.storedItems(theirPrefix, 'segments');
      expect(ourItems.length).toBe(theirFeatures.size + theirSegments.size);
      for (const [key, item] of ourItems) expect(item, key).toEqual(theirFeatures.get(key) ?? theirSegments.get(key));
    });

    readerChecks(() => ({ ours, theirs }));
  });

  describe('both directions', () => {
    it('give the same answers: what each SDK wrote evaluates alike in each SDK', () => {
      const { theirData, ourData } = results;
      expect(theirData && ourData).toBeTruthy();
      expect(interopMismatches(ourData!.theirs.rows, theirData!.theirs.rows)).toEqual([]);
      expect(interopMismatches(ourData!.ours.rows, theirData!.ours.rows)).toEqual([]);
    });
  });
}
