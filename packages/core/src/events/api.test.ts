import { describe, expect, it } from 'vitest';

import { Context, DataKinds, type EvaluationEvent, type Flag } from '../index.js';
import { nullEventProcessor, recordEvaluationWithPrerequisites } from '../internal.js';

describe('recordEvaluationWithPrerequisites', () => {
  it('records each prerequisite evaluation first, with a null default and the flag it served, then the evaluation', () => {
    const recorded: EvaluationEvent[] = [];
    const processor = { ...nullEventProcessor, recordEvaluation: (e: EvaluationEvent) => recorded.push(e) };
    const flag = (key: string): Flag => DataKinds.features.fromJSON({ key, version: 1, on: true, variations: [false, true], fallthrough: { variation: 1 } });
    const context = Context.from({ kind: 'user', key: 'u' });
    const reason = { kind: 'FALLTHROUGH' } as const;
    recordEvaluationWithPrerequisites(
      processor,
      { context, flag: flag('top'), value: true, variationIndex: 1, reason, defaultValue: 'dflt', withReasons: true, creationDate: 42 },
      [
        { flag: flag('inner'), value: true, variationIndex: 1, reason, prerequisiteOf: 'middle' },
        { flag: flag('middle'), value: false, variationIndex: 0, reason, prerequisiteOf: 'top' },
      ],
    );
    expect(recorded.map((e) => [e.flag.key, e.prerequisiteOf, e.defaultValue, e.value, e.withReasons, e.creationDate, e.context])).toEqual([
      ['inner', 'middle', null, true, true, 42, context],
      ['middle', 'top', null, false, true, 42, context],
      ['top', undefined, 'dflt', true, true, 42, context],
    ]);
  });
});
