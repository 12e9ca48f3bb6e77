import { describe, expect, it } from 'vitest';

import { LocalEvaluator } from '../support/switchyard.js';
import { loadCaseFiles } from './load-cases.js';

const files = loadCaseFiles();

it('has data-driven cases for every area', () => {
  expect(files.map((f) => f.file)).toEqual([
    'bucketing.yaml',
    'dates-and-semver.yaml',
    'errors.yaml',
    'negate-and-missing.yaml',
    'operators.yaml',
    'prerequisites.yaml',
    'segments.yaml',
    'targets-and-kinds.yaml',
  ]);
  expect(files.reduce((n, f) => n + f.cases.length, 0)).toBeGreaterThan(120);
});

describe.each(files)('$file: $description', ({ data, cases }) => {
  const evaluator = new LocalEvaluator(data);
  it.each(cases)('$name', (c) => {
    expect(evaluator.detail(c.flag, c.context, c.default ?? null)).toEqual(c.expect);
  });
});
