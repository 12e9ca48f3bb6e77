// The drop-in promise, name by name: every export of @launchdarkly/node-server-sdk (values and types)
// exists in @switchyard/node-server with the same kind, unless NOT_COPIED says why not. A new export in
// a LaunchDarkly release fails this test until it is either provided or listed.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { SwitchyardError } from '@switchyard/core';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import switchyardDefault, * as switchyard from '../src/index.js';

const require = createRequire(import.meta.url);
const launchDarkly = require('@launchdarkly/node-server-sdk') as Record<string, unknown>;

/** LaunchDarkly's exports we deliberately do not provide, each with the reason. */
const NOT_COPIED: Record<string, string> = {
  // SDK internals, exported by LaunchDarkly's packages for its own other packages.
  ApplicationTags: "internal: builds the X-LaunchDarkly-Tags header (ours is option `application`)",
  AsyncStoreFacade: 'internal: a Promise facade over the callback-style LDFeatureStore, which Switchyard does not have',
  AsyncTransactionalStoreFacade: 'internal: as AsyncStoreFacade, for the FDv2 transactional store',
  BigSegmentStoreStatusProviderImpl: 'internal: the client builds its status provider (client.bigSegmentStoreStatusProvider)',
  CompositeDataSource: "internal: LaunchDarkly's FDv2 data-source composition (dataSystem, not supported)",
  ContextFilter: "internal: event redaction (core's context formatter does it; option privateAttributes)",
  DateValidator: 'internal: option validation helper',
  DefaultBackoff: "internal: reconnect backoff (ours is internal too; option streamInitialReconnectDelay)",
  FactoryOrInstance: 'internal: option validation helper',
  Function: 'internal: option validation helper (a TypeValidator named Function)',
  KindValidator: 'internal: option validation helper',
  LDClientImpl: 'internal: LaunchDarkly documents that it must not be constructed; use init()',
  NullEventSource: 'internal: a no-op event source for tests of LaunchDarkly’s platform layer',
  NullableBoolean: 'internal: option validation helper',
  NumberWithMinimum: 'internal: option validation helper',
  OneOf: 'internal: option validation helper',
  OptionMessages: 'internal: option warning texts (ours are in options.ts)',
  SafeLogger: 'internal: a logger wrapper that never throws (the client wraps every logger the same way)',
  ServiceEndpoints: 'internal: resolved baseUri/streamUri/eventsUri (ours: options of the same names)',
  StringMatchingRegex: 'internal: option validation helper',
  TransactionalFeatureStore: "internal: LaunchDarkly's FDv2 store",
  Type: 'internal: option validation helper',
  TypeArray: 'internal: option validation helper',
  TypeValidators: 'internal: option validation helpers',
  base64UrlEncode: 'internal: encoding helper',
  cancelableTimedPromise: 'internal: timer helper behind waitForInitialization',
  clone: 'internal: object helper',
  createSafeLogger: 'internal: see SafeLogger',
  debounce: 'internal: timer helper',
  deepCompact: 'internal: object helper',
  defaultHeaders: 'internal: HTTP headers of LaunchDarkly’s requests (ours are in http/)',
  deserializePoll: 'internal: polling payload parser',
  fastDeepEqual: 'internal: object helper',
  getEventsUri: 'internal: URL helper',
  getPollingUri: 'internal: URL helper',
  getStreamingUri: 'internal: URL helper',
  httpErrorMessage: 'internal: message helper',
  isCustomOptions: "internal: FDv2 dataSystem option helper (dataSystem is not supported)",
  isHttpLocallyRecoverable: 'internal: HTTP retry rule (the same rule is applied inside Switchyard)',
  isHttpRecoverable: 'internal: HTTP retry rule (the same rule is applied inside Switchyard)',
  isNullish: 'internal: helper',
  isPollingOnlyOptions: 'internal: FDv2 dataSystem option helper',
  isStandardOptions: 'internal: FDv2 dataSystem option helper',
  isStreamingOnlyOptions: 'internal: FDv2 dataSystem option helper',
  noop: 'internal: helper',
  reviveFullPayload: 'internal: FDv2 payload helper',
  secondsToMillis: 'internal: helper',
  shouldRetry: 'internal: HTTP retry rule',
  sleep: 'internal: timer helper',
  timedPromise: 'internal: timer helper',
  interfaces: "internal namespace: LaunchDarkly's own inter-package interfaces",
  internal: "internal namespace: evaluation and event machinery of LaunchDarkly's common package",
  internalServer: 'internal namespace: server-side machinery',
  platform: "internal namespace: LaunchDarkly's platform abstraction (Switchyard runs on Node.js only)",
  subsystem: 'internal namespace: LaunchDarkly subsystem interfaces (ours: DataSource, DataStore)',
  subsystems: 'internal namespace: as subsystem',
  AutoEnvAttributes: 'client-side SDKs only: automatic environment attributes of mobile SDKs',
  // Types of those internals and of platform plumbing.
  Backoff: 'internal: interface of DefaultBackoff',
  CancelableTimeout: 'internal: type of cancelableTimedPromise',
  Crypto: 'platform interface (Switchyard uses node:crypto)',
  Encoding: 'platform interface',
  EventListener: 'platform interface of the event source',
  EventName: 'platform interface of the event source',
  EventSource: 'platform interface (Switchyard uses the eventsource package inside)',
  EventSourceCapabilities: 'platform interface',
  EventSourceInitDict: 'platform interface',
  Filesystem: 'platform interface (the file data source uses node:fs)',
  Hasher: 'platform interface',
  Headers: 'platform interface of HTTP responses',
  Hmac: 'platform interface',
  HttpErrorResponse: 'internal: HTTP error shape',
  Info: 'platform interface (SDK and platform data)',
  LDHeaders: 'internal: HTTP header map type',
  Options: 'platform interface of HTTP requests',
  Platform: 'platform interface',
  PlatformData: 'platform interface',
  Requests: 'platform interface',
  Response: 'platform interface of HTTP responses',
  SdkData: 'platform interface',
  Storage: 'platform interface (client-side SDKs)',
  WatchHandle: 'platform interface of the file system',
  ProcessStreamResponse: 'internal: streaming data source plumbing',
  StreamingErrorHandler: 'internal: streaming data source plumbing',
  VoidFunction: 'internal: helper type',
  TypeValidator: 'internal: option validation helper type',
  ServerInternalOptions: 'internal: options LaunchDarkly’s own packages pass to its client',
  LDClientContext: 'the context a custom factory receives is ours, ClientContext (its own shape)',
  DataKind: "Switchyard's DataKind (core) has another shape; custom stores use PersistentDataStore",
  // LaunchDarkly's callback-style store interfaces: Switchyard's stores are Promise-based.
  LDFeatureStore: "callback-style store interface: Switchyard's featureStore is a DataStore or a Promise-based PersistentDataStore (README, Differences)",
  LDFeatureStoreDataStorage: 'type of LDFeatureStore',
  LDFeatureStoreItem: 'type of LDFeatureStore',
  LDFeatureStoreKindData: 'type of LDFeatureStore',
  LDKeyedFeatureStoreItem: 'type of LDFeatureStore',
  LDTransactionalFeatureStore: 'FDv2 store interface',
  // LaunchDarkly's FDv2 data system (option dataSystem), which Switchyard accepts with a warning and ignores.
  LDDataSystemOptions: 'FDv2 dataSystem option (not supported)',
  DataSourceConfiguration: 'FDv2 dataSystem option type',
  DataSourceOptions: 'FDv2 dataSystem option type',
  CustomDataSourceOptions: 'FDv2 dataSystem option type',
  StandardDataSourceOptions: 'FDv2 dataSystem option type',
  StreamingDataSourceOptions: 'FDv2 dataSystem option type',
  PollingDataSourceOptions: 'FDv2 dataSystem option type',
  StreamingDataSourceConfiguration: 'FDv2 dataSystem option type',
  PollingDataSourceConfiguration: 'FDv2 dataSystem option type',
  FileSystemDataSourceConfiguration: 'FDv2 dataSystem option type',
  FDv1FallbackConfiguration: 'FDv2 dataSystem option type',
  InitializerDataSource: 'FDv2 dataSystem option type',
  SynchronizerDataSource: 'FDv2 dataSystem option type',
  // Client-side context types.
  LDApplication: 'client-side SDKs only: automatic environment attributes',
  LDDevice: 'client-side SDKs only: automatic environment attributes',
};

/**
 * Exports both packages have whose declaration kind differs on purpose. LaunchDarkly's enums are `as
 * const` objects with a type of the same name here (the style rule), which the comparison accepts
 * everywhere; the rest are listed.
 */
const KIND_DIFFERENCES: Record<string, string> = {
  ClientContext: "LaunchDarkly's is a class its client constructs; ours is the interface a factory receives",
};

/** LaunchDarkly's runtime exports that Switchyard has as types only. */
const TYPE_ONLY: Record<string, string> = {
  ClientContext: 'LaunchDarkly constructs it for factories and documents no use of the class itself',
};

type Kind = 'class' | 'function' | 'enum' | 'value' | 'type' | 'namespace';

/** The exported names of a module's declarations, with the kind of each. */
function exportKinds(entry: string): Map<string, Kind> {
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  const out = new Map<string, Kind>();
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const f = symbol.flags;
    const kind: Kind =
      f & ts.SymbolFlags.Class
        ? 'class'
        : f & ts.SymbolFlags.Enum
          ? 'enum'
          : f & ts.SymbolFlags.Function
            ? 'function'
            : f & ts.SymbolFlags.Variable
              ? 'value'
              : f & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule)
                ? 'namespace'
                : 'type';
    out.set(exported.name, kind);
  }
  return out;
}

/** Kinds that are the same thing for a caller. */
function sameKind(ld: Kind, ours: Kind): boolean {
  if (ld === ours) return true;
  if (ld === 'enum') return ours === 'value'; // an `as const` object with a type of the same name
  if (ld === 'value') return ours === 'function' || ours === 'class'; // LaunchDarkly's `const x = () => …`
  return false;
}

const ldEntry = require.resolve('@launchdarkly/node-server-sdk').replace(/\.js$/, '.d.ts');
const ourEntry = fileURLToPath(new URL('../src/index.ts', import.meta.url));

describe('the exports of @switchyard/node-server next to @launchdarkly/node-server-sdk', () => {
  const ldValues = Object.keys(launchDarkly).filter((k) => k !== '__esModule' && k !== 'default');
  const ourValues = new Set(Object.keys(switchyard));

  it('has every runtime export of LaunchDarkly, or lists it in NOT_COPIED', () => {
    const missing = ldValues.filter((k) => !ourValues.has(k) && !(k in NOT_COPIED) && !(k in TYPE_ONLY));
    expect(missing).toEqual([]);
  });

  it('has a default export with the members of LaunchDarkly’s module object that it provides', () => {
    const expected = ldValues.filter((k) => !(k in NOT_COPIED) && !(k in TYPE_ONLY)).sort();
    expect(Object.keys(switchyardDefault).sort()).toEqual(expected);
    for (const key of expected) expect((switchyardDefault as Record<string, unknown>)[key], key).toBe((switchyard as Record<string, unknown>)[key]);
  });

  it('has every type and value LaunchDarkly declares, with the same kind, or lists it in NOT_COPIED', { timeout: 60_000 }, () => {
    const ld = exportKinds(ldEntry);
    const ours = exportKinds(ourEntry);
    const missing = [...ld.keys()].filter((k) => !ours.has(k) && !(k in NOT_COPIED)).sort();
    expect(missing).toEqual([]);
    const differentKinds = [...ld]
      .filter(([name, kind]) => ours.has(name) && !sameKind(kind, ours.get(name)!) && !(name in KIND_DIFFERENCES))
      .map(([name, kind]) => `${name}: LaunchDarkly ${kind}, ours ${ours.get(name)}`);
    expect(differentKinds).toEqual([]);
    // The lists stay honest: every entry names a LaunchDarkly export that we really do not provide.
    const stale = Object.keys(NOT_COPIED).filter((k) => !ld.has(k) || ours.has(k));
    expect(stale).toEqual([]);
    expect(Object.keys(KIND_DIFFERENCES).filter((k) => !ld.has(k) || !ours.has(k))).toEqual([]);
    expect(Object.keys(TYPE_ONLY).filter((k) => !ld.has(k) || !ours.has(k) || k in switchyard)).toEqual([]);
  });

  const errorClasses: Array<[string, unknown[]]> = [
    ['LDClientError', ['m']],
    ['LDTimeoutError', ['m']],
    ['LDUnexpectedResponseError', ['m']],
    ['LDFileDataSourceError', ['m']],
    ['LDPollingError', ['ERROR_RESPONSE', 'm', 503, false]],
    ['LDStreamingError', ['ERROR_RESPONSE', 'm', 404, false]],
    ['LDFlagDeliveryFallbackError', ['ERROR_RESPONSE', 'm', 500]],
  ];
  it.each(errorClasses)('gives %s the name, message and fields of LaunchDarkly’s, as a SwitchyardError', (name, args) => {
    type ErrorClass = new (...a: unknown[]) => Error & Record<string, unknown>;
    const theirs = new (launchDarkly[name] as ErrorClass)(...args);
    const ours = new ((switchyard as Record<string, unknown>)[name] as ErrorClass)(...args);
    expect(ours).toBeInstanceOf(Error);
    expect(ours).toBeInstanceOf(SwitchyardError);
    expect(SwitchyardError.isInstance(ours)).toBe(true);
    expect(ours.name).toBe(theirs.name);
    expect(ours.message).toBe(theirs.message);
    for (const field of ['kind', 'status', 'code', 'recoverable'] as const) {
      if (field in theirs) expect(ours[field], field).toEqual(theirs[field]);
    }
  });
});
