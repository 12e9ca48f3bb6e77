/**
 * LaunchDarkly's technology-migration API: `createMigration`, the stage and execution settings, the
 * tracker and the `migration_op` event types. The client's `migrationVariation` and `trackMigration`
 * use `client-support.ts` directly.
 */
export {
  LDMigrationStage,
  IsMigrationStage,
  LDExecutionOrdering,
  LDExecution,
  LDSerialExecution,
  LDConcurrentExecution,
  LDConsistencyCheck,
  type LDMigrationOrigin,
  type LDMigrationOp,
  type LDMethodResult,
  type LDMigrationResult,
  type LDMigrationReadResult,
  type LDMigrationWriteResult,
  type LDMigrationOptions,
  type LDMigration,
  type LDMigrationEvaluation,
  type LDMigrationConsistencyMeasurement,
  type LDMigrationLatencyMeasurement,
  type LDMigrationErrorMeasurement,
  type LDMigrationInvokedMeasurement,
  type LDMigrationMeasurement,
  type LDMigrationOpEvent,
  type LDMigrationTracker,
  type LDMigrationVariation,
} from './types.js';
export { createMigration, LDMigrationSuccess, LDMigrationError, type LDMigrationClient } from './migration.js';
