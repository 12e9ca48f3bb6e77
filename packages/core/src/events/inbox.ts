/**
 * The records the event processor keeps between flushes, and how a flush turns them into LaunchDarkly's
 * schema-4 output events (contexts redacted here, once per snapshot and mode).
 */
import type { Context } from '../context/context.js';
import type { LDEvaluationReason } from '../evaluation/reasons.js';
import type { JsonValue } from '../value/json.js';
import type { ContextFormatter } from './context-formatter.js';
import { migrationOpOutput, type MigrationOpEvent } from './migration-op.js';
import type { OutputContext, OutputEvent } from './output.js';

/** An event waiting in the inbox: everything the output event needs, copied so nothing can change it. */
export type InboxRecord =
  | { readonly t: 'index' | 'identify'; readonly date: number; readonly context: Context }
  | {
      readonly t: 'feature' | 'debug';
      readonly date: number;
      readonly context: Context;
      readonly key: string;
      readonly value: JsonValue;
      readonly default: JsonValue;
      readonly variation: number | null;
      readonly version: number;
      readonly reason: LDEvaluationReason | undefined;
      readonly prereqOf: string | undefined;
      readonly samplingRatio: number;
    }
  | { readonly t: 'migration_op'; readonly event: MigrationOpEvent; readonly context: Context | undefined }
  /** An event another processor already formatted (a cluster worker's), sent as is. */
  | { readonly t: 'output'; readonly event: OutputEvent }
  | {
      readonly t: 'custom';
      readonly date: number;
      readonly context: Context;
      readonly key: string;
      readonly data: JsonValue | undefined;
      readonly metricValue: number | undefined;
    };

/** The output events for `records`, in order; private attributes redacted by `formatter`. */
export function buildOutputEvents(records: readonly InboxRecord[], formatter: ContextFormatter): OutputEvent[] {
  const out: OutputEvent[] = [];
  // An evaluation's index and feature events share one snapshot: redact it once per mode.
  const plain = new Map<Context, OutputContext | undefined>();
  const anonymousRedacted = new Map<Context, OutputContext | undefined>();
  const format = (context: Context, redactAnonymous: boolean): OutputContext => {
    const cache = redactAnonymous ? anonymousRedacted : plain;
    let formatted = cache.get(context);
    if (formatted === undefined) {
      formatted = formatter.format(context, redactAnonymous) ?? {};
      cache.set(context, formatted);
    }
    return formatted;
  };
  for (const r of records) {
    switch (r.t) {
      case 'index':
      case 'identify':
        out.push({ kind: r.t, creationDate: r.date, context: format(r.context, false) });
        break;
      case 'feature':
      case 'debug':
        out.push({
          kind: r.t,
          creationDate: r.date,
          context: format(r.context, r.t === 'feature'),
          key: r.key,
          value: r.value,
          default: r.default,
          ...(r.variation === null ? {} : { variation: r.variation }),
          version: r.version,
          ...(r.prereqOf === undefined ? {} : { prereqOf: r.prereqOf }),
          ...(r.reason === undefined ? {} : { reason: r.reason }),
          ...(r.samplingRatio === 1 ? {} : { samplingRatio: r.samplingRatio }),
        });
        break;
      case 'output':
        out.push(r.event);
        break;
      case 'migration_op':
        out.push(migrationOpOutput(r.event, r.context && format(r.context, true)));
        break;
      case 'custom':
        out.push({
          kind: 'custom',
          creationDate: r.date,
          context: format(r.context, true),
          key: r.key,
          ...(r.data === undefined ? {} : { data: r.data }),
          ...(r.metricValue === undefined ? {} : { metricValue: r.metricValue }),
        });
        break;
    }
  }
  return out;
}
