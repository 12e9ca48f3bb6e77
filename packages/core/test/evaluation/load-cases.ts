import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import type { RawData } from '../support/switchyard.js';

/** One evaluation case from a YAML file in ./cases. */
export interface EvaluationCase {
  name: string;
  flag: string;
  context: unknown;
  default?: unknown;
  expect: { value: unknown; variationIndex: number | null; reason: Record<string, unknown> };
  /** Set when LaunchDarkly's Node SDK deliberately gives a different answer: why. */
  launchDarkly?: string;
}

export interface CaseFile {
  file: string;
  description: string;
  data: RawData;
  cases: EvaluationCase[];
}

const dir = join(import.meta.dirname, 'cases');

/** Every case file, parsed (YAML 1.1 merge keys allowed, `.nan`/`.inf` for non-finite numbers). */
export function loadCaseFiles(): CaseFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const doc = parse(readFileSync(join(dir, file), 'utf8'), { merge: true }) as {
        description: string;
        flags?: RawData['flags'];
        segments?: RawData['segments'];
        cases: EvaluationCase[];
      };
      return { file, description: doc.description, data: { flags: doc.flags ?? {}, segments: doc.segments ?? {} }, cases: doc.cases };
    });
}
