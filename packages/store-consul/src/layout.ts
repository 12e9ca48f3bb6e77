/**
 * LaunchDarkly's Consul key layout for one prefix: `<prefix>/features/<key>`, `<prefix>/segments/<key>`
 * (each value the item's JSON) and `<prefix>/$inited`. Every listing ends in a slash, so prefix `ld`
 * never reads or deletes the keys of `ld2` (Consul lists by plain string prefix).
 */
export class ConsulKeys {
  /** The init marker's key. */
  readonly inited: string;
  /** What every key of this prefix starts with: `<prefix>/`. */
  readonly root: string;

  constructor(readonly prefix: string) {
    this.root = `${prefix}/`;
    this.inited = `${prefix}/$inited`;
  }

  /** `<prefix>/<namespace>/`: the folder of a kind. */
  folder(namespace: string): string {
    return `${this.root}${namespace}/`;
  }

  /** `<prefix>/<namespace>/<key>`. */
  item(namespace: string, key: string): string {
    return `${this.folder(namespace)}${key}`;
  }
}
