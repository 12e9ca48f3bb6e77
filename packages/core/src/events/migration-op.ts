/**
 * Migration operation events (`migration_op`): what a migration's read or write did, as LaunchDarkly's
 * server SDKs report it. The SDK builds and validates the event (node-server's migration tracker); the
 * processor samples it by the flag's `samplingRatio`, redacts its context like a custom event's and sends
 * it as is. A migration event never produces an index, feature, debug or summary event of its own (the
 * `migrationVariation` evaluation that preceded it did).
 */
import type { Context } from '../context/context.js';
import type { MigrationOpEvaluation, MigrationOpMeasurement, MigrationOpOutputEvent, OutputContext } from './output.js';

/** One migration operation, as the client records it ({@link EventProcessor.recordMigrationOp}). */
export interface MigrationOpEvent {
  /** The context the operation ran for (sent redacted, as a custom event's). */
  readonly context?: Context;
  /**
   * Kinds and keys instead of a context: LaunchDarkly's older, deprecated form (`contextKeys`), sent
   * as given. Used only when `context` is absent.
   */
  readonly contextKeys?: Readonly<Record<string, string>>;
  readonly operation: 'read' | 'write';
  /** Epoch milliseconds. */
  readonly creationDate: number;
  readonly evaluation: MigrationOpEvaluation;
  readonly measurements: readonly MigrationOpMeasurement[];
  /** The flag's `samplingRatio`: one in N of these events is sent (1: all, 0: none). */
  readonly samplingRatio: number;
}

/**
 * The wire form of a recorded migration event. `context` is the redacted context when the event had one;
 * `samplingRatio` is left out when it is 1, as LaunchDarkly's SDK leaves it out.
 *
 * @internal
 */
export function migrationOpOutput(event: MigrationOpEvent, context: OutputContext | undefined): MigrationOpOutputEvent {
  return {
    kind: 'migration_op',
    operation: event.operation,
    creationDate: event.creationDate,
    ...(context !== undefined ? { context } : event.contextKeys !== undefined ? { contextKeys: event.contextKeys } : {}),
    evaluation: event.evaluation,
    measurements: event.measurements,
    ...(event.samplingRatio === 1 ? {} : { samplingRatio: event.samplingRatio }),
  };
}
