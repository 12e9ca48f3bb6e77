export { parseFlag, type Flag, type FlagRule, type Rollout, type WeightedVariation, type VariationOrRollout, type Prerequisite, type TargetCheck, type FlagMigrationSettings } from './flag.js';
export { parseSegment, type Segment, type SegmentRule, type SegmentTarget } from './segment.js';
export { parseDate, type Clause, type ClauseOperator } from './clause.js';
export { parseSemVer, compareSemVer, type SemVer } from './semver.js';
