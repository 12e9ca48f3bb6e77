/**
 * LaunchDarkly's DynamoDB table layout for one prefix: every item has the partition key `namespace`
 * and the sort key `key`; flags and segments also `version` (N) and `item` (the JSON, S).
 *
 * | item | `namespace` | `key` |
 * | --- | --- | --- |
 * | a flag | `<prefix>:features` | the flag key |
 * | a segment | `<prefix>:segments` | the segment key |
 * | the init marker | `<prefix>:$inited` | `<prefix>:$inited` |
 * | big-segment metadata (`synchronizedOn`, N) | `<prefix>:big_segments_metadata` | the same |
 * | big-segment membership (`included`, `excluded`: SS) | `<prefix>:big_segments_user` | the context hash |
 *
 * Without a prefix the `<prefix>:` part is left out (`features`, `$inited`).
 */
export class DynamoDbLayout {
  /** The init marker's `namespace` and `key`. */
  readonly inited: string;
  /** The big-segment metadata item's `namespace` and `key`. */
  readonly bigSegmentsMetadata: string;
  /** The `namespace` of big-segment membership items. */
  readonly bigSegmentsUser: string;

  constructor(readonly prefix: string) {
    this.inited = this.namespace('$inited');
    this.bigSegmentsMetadata = this.namespace('big_segments_metadata');
    this.bigSegmentsUser = this.namespace('big_segments_user');
  }

  /** The `namespace` value of a kind: `<prefix>:<name>`, or `<name>` without a prefix. */
  namespace(name: string): string {
    return this.prefix ? `${this.prefix}:${name}` : name;
  }
}
