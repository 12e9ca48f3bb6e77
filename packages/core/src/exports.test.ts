import { join } from 'node:path';

import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import * as internal from './internal.js';
import * as root from './index.js';

/**
 * What each entry point exports, name by name. The root (`@switchyard/core`) is the public API for
 * applications and store authors; `@switchyard/core/internal` is shared by Switchyard's own packages
 * and has no semver promise. Moving a name to the root (or adding one) is a deliberate change: edit
 * these lists, and say why in the changeset.
 */
const ROOT_VALUES = [
  'AttributeReference', 'ClosedError', 'ConfigError', 'Context', 'ContextBuilder', 'createItemGuard',
  'DataKinds', 'DEFAULT_MAX_ITEM_BYTES', 'DefaultEventProcessor', 'defaultItemByteLength',
  'describeOptionValue', 'DiagnosticsManager', 'InMemoryDataStore', 'ItemTooLargeError', 'jitteredBackoffMs',
  'LDValue', 'MalformedDataError', 'noopLogger', 'parseFlag', 'parseSegment', 'PersistentStoreWrapper',
  'safeLogger', 'storeDelay', 'StoreError', 'storeOptionChecks', 'SwitchyardError', 'TimeoutError',
  'versionInJson',
];
const ROOT_TYPES = [
  'BigSegmentsStatus', 'BigSegmentStore', 'BigSegmentStoreMembership', 'BigSegmentStoreMetadata',
  'BigSegmentStoreStatus', 'BigSegmentStoreStatusProvider', 'CacheMode', 'Clause', 'ClauseOperator',
  'ContextPart', 'CustomEvent', 'CustomOutputEvent', 'DataKind', 'DataStore', 'DataStoreMetrics',
  'DataStoreOperationInfo', 'DataStoreStatus', 'DataStoreStatusProvider', 'DefaultEventProcessorOptions',
  'DiagnosticConfiguration', 'DiagnosticId', 'DiagnosticInitEvent', 'DiagnosticPlatformData',
  'DiagnosticSdkData', 'DiagnosticsManagerOptions', 'DiagnosticStatsEvent', 'ErrorKind', 'EvaluationEvent',
  'EventDeliveryResult', 'EventPayloadKind', 'EventProcessor', 'EventProcessorStats', 'EventSender',
  'FeatureOutputEvent', 'Flag', 'FlagMetadata', 'FlagMigrationSettings', 'FlagRule', 'FlagSummary',
  'FullDataSet', 'IdentifyEvent', 'IdentifyOutputEvent', 'IndexOutputEvent', 'ItemGuard', 'JsonPrimitive',
  'JsonType', 'JsonValue', 'KeyedSerializedItem', 'LDContext', 'LDEvaluationDetail', 'LDEvaluationReason',
  'LDFlagsState', 'LDFlagsStateOptions', 'LDLogger', 'LDMultiKindContext', 'LDSingleKindContext', 'LDUser',
  'MigrationOpEvaluation', 'MigrationOpEvent', 'MigrationOpMeasurement', 'MigrationOpOutputEvent',
  'OutputContext', 'OutputEvent', 'PersistentDataStore', 'PersistentStoreKind',
  'PersistentStoreWrapperOptions', 'Prerequisite', 'ReasonKind', 'Rollout', 'Segment', 'SegmentRule',
  'SegmentTarget', 'SerializedCollection', 'SerializedItem', 'StoreOperation', 'StoreOptionChecks',
  'StreamInitRecord', 'SummaryCounter', 'SummaryOutputEvent', 'SwitchyardErrorCode', 'TargetCheck',
  'UnknownFlagEvent', 'Unsubscribe', 'UpsertResult', 'VariationOrRollout', 'VersionedItem',
  'WeightedVariation',
];
const INTERNAL_VALUES = [
  'BigSegmentStoreWrapper', 'bucketContext', 'compareSemVer', 'ContextFormatter', 'defaultDependencyKeys',
  'errorDetail', 'evaluateAsync', 'Evaluator', 'FlagsStateBuilder', 'freezeParsedJson', 'hmacSha256',
  'isExperiment', 'itemDependencies', 'jsonEquals', 'jsonTypeOf', 'KEY_ATTRIBUTE', 'ListenerSet',
  'MAX_NESTING_DEPTH', 'nullEventProcessor', 'parseDate', 'parseSemVer', 'PENDING', 'precheck', 'randomUuid',
  'Reasons', 'recordEvaluationWithPrerequisites', 'secureModeHash', 'sha1Hex', 'sha256Base64', 'sortDataSet',
  'toDetail', 'toFrozenAttributes', 'toFrozenJson', 'toHex', 'worseBigSegmentsStatus',
];
const INTERNAL_TYPES = [
  'AsyncEvaluationData', 'BigSegmentLookup', 'BigSegmentMembership', 'BigSegmentMembershipResult',
  'BigSegmentMembershipStatus', 'BigSegmentStoreWrapperOptions', 'ContextFormatterOptions', 'EvaluationData',
  'EvaluationResult', 'ItemDependency', 'PrerequisiteEvaluation', 'SemVer', 'SortedCollection',
];

const sorted = (names: Iterable<string>) => [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()) || a.localeCompare(b));

/** Every name each entry exports, types included, as the compiler sees it (one program for both). */
let program: ts.Program | undefined;
function exportedNames(entry: 'index.ts' | 'internal.ts'): string[] {
  // Only the names matter, not their types: no default library, nothing type-checked.
  program ??= ts.createProgram(['index.ts', 'internal.ts'].map((e) => join(import.meta.dirname, e)), {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noLib: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(join(import.meta.dirname, entry))!;
  return checker.getExportsOfModule(checker.getSymbolAtLocation(file)!).map((s) => s.name);
}
describe('entry points', () => {
  it('the root exports exactly the public values', () => {
    expect(sorted(Object.keys(root))).toEqual(sorted(ROOT_VALUES));
  });

  it('./internal exports exactly the shared machinery', () => {
    expect(sorted(Object.keys(internal))).toEqual(sorted(INTERNAL_VALUES));
  });

  it('the root and ./internal export exactly the listed types, and no name is in both', () => {
    expect(sorted(exportedNames('index.ts'))).toEqual(sorted([...ROOT_VALUES, ...ROOT_TYPES]));
    expect(sorted(exportedNames('internal.ts'))).toEqual(sorted([...INTERNAL_VALUES, ...INTERNAL_TYPES]));
    const both = [...ROOT_VALUES, ...ROOT_TYPES].filter((name) => [...INTERNAL_VALUES, ...INTERNAL_TYPES].includes(name));
    expect(both).toEqual([]);
  });

  it('keeps the plumbing the issue named out of the root', () => {
    for (const name of ['ListenerSet', 'PENDING', 'toDetail', 'Evaluator', 'nullEventProcessor']) {
      expect(root, name).not.toHaveProperty(name);
      expect(internal, name).toHaveProperty(name);
    }
  });
});
