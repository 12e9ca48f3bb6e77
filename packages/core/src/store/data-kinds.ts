/**
 * The two kinds of data the SDK stores, with their LaunchDarkly namespace names. Stores persist them
 * under these names (Redis `<prefix>:features`, DynamoDB `namespace = features`, …), so the names are
 * part of the wire and storage format and must not change.
 */
export const DataKinds = {
  features: { namespace: 'features' },
  segments: { namespace: 'segments' },
} as const;

/** One of the {@link DataKinds}. */
export type DataKind = (typeof DataKinds)[keyof typeof DataKinds];

/** Anything stored: a flag, a segment, or a tombstone left by a delete. */
export interface VersionedItem {
  readonly key: string;
  readonly version: number;
  /** True for a tombstone: the item was deleted at `version`. */
  readonly deleted?: boolean;
}
