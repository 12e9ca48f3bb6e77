/**
 * LaunchDarkly's Redis key layout, shared with its SDKs and Relay Proxy:
 *
 * | key | type | content |
 * | --- | --- | --- |
 * | `<prefix>:features`, `<prefix>:segments` | hash | field = item key, value = item JSON (tombstones too) |
 * | `<prefix>:$inited` | string | `""`; present once the store was initialized |
 * | `<prefix>:big_segments_synchronized_on` | string | epoch ms of the last big-segment sync |
 * | `<prefix>:big_segment_include:<hash>` | set | segment refs `<key>.g<generation>` including the context |
 * | `<prefix>:big_segment_exclude:<hash>` | set | refs excluding it |
 *
 * With `hashTag` the prefix is written `{<prefix>}`, so every key hashes to one Redis Cluster slot.
 */
export class RedisKeys {
  /** The prefix as it appears in keys (`{prefix}` with a hash tag). */
  readonly base: string;

  constructor(prefix: string, hashTag: boolean) {
    this.base = hashTag ? `{${prefix}}` : prefix;
  }

  /** The hash holding every item of a kind. */
  items(namespace: string): string {
    return `${this.base}:${namespace}`;
  }

  /** The init marker. */
  get inited(): string {
    return `${this.base}:$inited`;
  }

  /** Big segments: when Relay last synchronized them. */
  get bigSegmentsSynchronizedOn(): string {
    return `${this.base}:big_segments_synchronized_on`;
  }

  /** Big segments: refs including the context whose key hashes to `contextHash`. */
  bigSegmentInclude(contextHash: string): string {
    return `${this.base}:big_segment_include:${contextHash}`;
  }

  /** Big segments: refs excluding it. */
  bigSegmentExclude(contextHash: string): string {
    return `${this.base}:big_segment_exclude:${contextHash}`;
  }

  /** A `SCAN MATCH` pattern for every key of this prefix (glob characters in the prefix escaped). */
  get scanPattern(): string {
    return `${this.base.replace(/[\\*?[\]]/g, (c) => `\\${c}`)}:*`;
  }
}
