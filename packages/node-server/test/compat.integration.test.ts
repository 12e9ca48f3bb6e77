import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { startFakeLaunchDarkly, type FakeLaunchDarkly } from '@switchyard/fake-launchdarkly';
import { afterEach, expect, it } from 'vitest';

const app = fileURLToPath(new URL('./fixtures/compat-app.mjs', import.meta.url));

const data = {
  flags: {
    'bool-flag': { key: 'bool-flag', version: 1, on: true, variations: [false, true], offVariation: 0, fallthrough: { variation: 1 }, salt: 's1', clientSideAvailability: { usingEnvironmentId: true, usingMobileKey: true } },
    'string-flag': { key: 'string-flag', version: 2, on: true, variations: ['red', 'green'], offVariation: 0, fallthrough: { variation: 1 }, salt: 's2', trackEvents: true },
    'number-flag': { key: 'number-flag', version: 3, on: true, variations: [1, 2.5], offVariation: 0, fallthrough: { variation: 1 }, salt: 's3' },
    'json-flag': { key: 'json-flag', version: 4, on: true, variations: [{ a: [1, 2] }, { b: { c: null } }], offVariation: 0, fallthrough: { variation: 0 }, salt: 's4' },
    targeted: {
      key: 'targeted', version: 5, on: true, variations: ['no', 'yes'], offVariation: 0, fallthrough: { variation: 0 }, salt: 's5',
      targets: [{ variation: 1, values: ['alice'] }],
      contextTargets: [{ contextKind: 'org', variation: 1, values: ['acme'] }, { contextKind: 'user', variation: 1, values: [] }],
      rules: [{ id: 'r1', variation: 1, trackEvents: true, clauses: [{ contextKind: 'user', attribute: 'email', op: 'endsWith', values: ['@example.com'] }] }],
    },
    rollout: {
      key: 'rollout', version: 6, on: true, variations: ['a', 'b', 'c'], offVariation: 0, salt: 'roll',
      fallthrough: { rollout: { kind: 'experiment', variations: [{ variation: 0, weight: 30000 }, { variation: 1, weight: 30000 }, { variation: 2, weight: 40000 }] } },
    },
    gated: {
      key: 'gated', version: 7, on: true, variations: [false, true], offVariation: 0, fallthrough: { variation: 0 }, salt: 's7',
      rules: [{ id: 'seg', variation: 1, clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['beta'] }] }],
    },
    'prereq-child': { key: 'prereq-child', version: 8, on: true, variations: ['off', 'on'], offVariation: 0, fallthrough: { variation: 1 }, salt: 's8', prerequisites: [{ key: 'gated', variation: 1 }] },
    'off-no-variation': { key: 'off-no-variation', version: 9, on: false, variations: [1, 2], fallthrough: { variation: 0 }, salt: 's9' },
    malformed: { key: 'malformed', version: 10, on: true, variations: [1], fallthrough: { variation: 5 }, salt: 's10' },
    // Only the legacy clientSide field: both SDKs leave it out of allFlagsState({ clientSideOnly: true }).
    'legacy-client-side': { key: 'legacy-client-side', version: 11, on: true, variations: [1, 2], offVariation: 0, fallthrough: { variation: 1 }, salt: 's11', clientSide: true },
  },
  segments: {
    beta: { key: 'beta', version: 1, included: ['alice', 'legacy-user'], rules: [{ id: 'org', clauses: [{ contextKind: 'org', attribute: 'tier', op: 'in', values: ['gold'] }] }], salt: 'b' },
  },
};

let fake: FakeLaunchDarkly | undefined;
afterEach(async () => {
  await fake?.close();
});

/** Runs the app with one SDK; changes the `beta` segment when the app asks for it. */
async function runWith(sdkModule: string): Promise<string> {
  fake = await startFakeLaunchDarkly({ data });
  const f = fake;
  const child = spawn(process.execPath, [app, sdkModule, f.url], { stdio: ['pipe', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (stdout.includes('WAITING-FOR-CHANGE') && !stdout.includes('CHANGE-SENT')) {
      stdout += '\nCHANGE-SENT\n';
      f.stream.patch('segments', { ...data.segments.beta, version: 2, included: ['bob'] });
      setTimeout(() => child.stdin.write('changed\n'), 100);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  await f.close();
  fake = undefined;
  expect(code).toBe(0);
  return stdout.split('CHANGE-SENT\n')[1]!.trim();
}

it('an application written for LaunchDarkly gets the same results from Switchyard, against the same service', async () => {
  const launchDarkly = await runWith('@launchdarkly/node-server-sdk');
  const switchyard = await runWith('@switchyard/node-server');
  const ld = launchDarkly.split('\n');
  const ours = switchyard.split('\n');
  expect(ld.length).toBeGreaterThan(300);
  expect(ours.length).toBe(ld.length);
  for (let i = 0; i < ld.length; i++) expect(ours[i], `line ${i}`).toBe(ld[i]);
  // The change to segment "beta" was reported for the flags that use it, directly or as a prerequisite.
  expect(switchyard).toContain('"update gated"');
  expect(switchyard).toContain('"update prereq-child"');
});
