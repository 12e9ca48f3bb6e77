// Test double for the event pipeline (not a test file itself): an in-memory EventSender with scripted
// answers, plus small builders for flags, contexts and input events.
import { Context } from '../context/context.js';
import type { LDEvaluationReason } from '../evaluation/reasons.js';
import { Reasons } from '../evaluation/reasons.js';
import { parseFlag, type Flag } from '../model/flag.js';
import type { EvaluationEvent } from './api.js';
import type { OutputEvent } from './output.js';
import type { EventDeliveryResult, EventPayloadKind, EventSender } from './sender.js';

/** One call of {@link MemorySender.send}. */
export interface SentPayload {
  readonly kind: EventPayloadKind;
  readonly payloadId: string | undefined;
  readonly body: unknown;
  readonly at: number;
}

/** A scripted answer: a status (with an optional server time), a network error, or a hang until released. */
export type Answer = number | { status: number; serverTime?: number } | 'network-error' | 'hang';

/** An EventSender that keeps everything it is given and answers from a script (default 202). */
export class MemorySender implements EventSender {
  readonly sent: SentPayload[] = [];
  readonly script: Answer[] = [];
  closed = 0;
  inFlight = 0;
  maxInFlight = 0;
  private readonly _hung: (() => void)[] = [];

  /** Queues answers for the next calls, in order. */
  answer(...answers: Answer[]): this {
    this.script.push(...answers);
    return this;
  }

  async send(kind: EventPayloadKind, body: string, payloadId: string | undefined): Promise<EventDeliveryResult> {
    this.sent.push({ kind, payloadId, body: JSON.parse(body), at: Date.now() });
    const answer = this.script.shift() ?? 202;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (answer === 'hang') {
        await new Promise<void>((resolve) => this._hung.push(resolve));
        return { status: 202 };
      }
      await Promise.resolve();
      if (answer === 'network-error') throw new Error('connect ECONNREFUSED 127.0.0.1:1');
      return typeof answer === 'number' ? { status: answer } : answer;
    } finally {
      this.inFlight--;
    }
  }

  /** Lets every hanging call answer 202. */
  release(): void {
    for (const resolve of this._hung.splice(0)) resolve();
  }

  close(): void {
    this.closed++;
  }

  /** Analytics payloads (each a list of events). */
  analytics(): OutputEvent[][] {
    return this.sent.filter((p) => p.kind === 'analytics').map((p) => p.body as OutputEvent[]);
  }

  /** Every analytics event, in order. */
  events(): OutputEvent[] {
    return this.analytics().flat();
  }

  diagnostics(): Record<string, unknown>[] {
    return this.sent.filter((p) => p.kind === 'diagnostic').map((p) => p.body as Record<string, unknown>);
  }
}

/** A parsed flag with sensible defaults: on, variations [false, true], fallthrough to 1. */
export function flag(key: string, extra: Record<string, unknown> = {}): Flag {
  return parseFlag({ key, version: 7, on: true, variations: [false, true], offVariation: 0, fallthrough: { variation: 1 }, ...extra });
}

export const user = (key: string, extra: Record<string, unknown> = {}) => Context.from({ kind: 'user', key, ...extra });

/** An evaluation event for `flag` serving variation 1 (FALLTHROUGH) unless overridden. */
export function evaluation(f: Flag, context: Context, extra: Partial<EvaluationEvent> = {}): EvaluationEvent {
  const variationIndex = extra.variationIndex === undefined ? 1 : extra.variationIndex;
  const reason: LDEvaluationReason = extra.reason ?? Reasons.fallthrough;
  return {
    context,
    flag: f,
    value: variationIndex === null ? (extra.defaultValue ?? null) : f.variations[variationIndex],
    variationIndex,
    reason,
    defaultValue: false,
    withReasons: false,
    creationDate: 1_000,
    ...extra,
  };
}
