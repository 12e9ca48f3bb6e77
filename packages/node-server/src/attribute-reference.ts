import { AttributeReference as CoreAttributeReference } from '@switchyard/core';

/**
 * A reference to a context attribute, with the constructor and members of LaunchDarkly's
 * `AttributeReference` (from `@launchdarkly/js-sdk-common`), parsed by core's attribute-reference
 * parser (the one evaluation and event redaction use):
 * `"email"` is the top-level attribute `email`, `"/address/city"` a path (`~1` for `/`, `~0` for `~`
 * in a component); with `literal: true` the whole string is one attribute name, even if it starts with
 * `/`. An invalid reference is a value (`isValid: false`), never a throw.
 */
export class AttributeReference {
  /** For use where a reference is required but none is valid (LaunchDarkly's constant). */
  static readonly InvalidReference: AttributeReference = new AttributeReference('');

  /** True when the reference can be used. */
  readonly isValid: boolean;
  /** The name to list in `_meta.redactedAttributes` when this attribute is redacted. */
  readonly redactionName: string;
  private readonly _ref: CoreAttributeReference;

  /**
   * @param refOrLiteral an attribute reference (`"name"` or `"/a/b"`), or with `literal` an attribute name
   * @param literal true to treat `refOrLiteral` as one attribute name, not as a path. Default `false`.
   */
  constructor(refOrLiteral: string, literal = false) {
    this._ref = literal ? CoreAttributeReference.literal(refOrLiteral) : CoreAttributeReference.parse(refOrLiteral);
    this.isValid = this._ref.valid;
    this.redactionName = this._ref.source;
  }

  /** The attribute's value in `target` (a single-kind context's attributes), or `undefined`. */
  get(target: object): unknown {
    return this.isValid ? this._ref.get(target as Readonly<Record<string, unknown>>) : undefined;
  }

  /** The path component at `depth` (0 is the top-level attribute), or `undefined`. */
  getComponent(depth: number): string {
    return this._ref.components[depth] as string;
  }

  /** The number of path components (0 when invalid). */
  get depth(): number {
    return this._ref.components.length;
  }

  /** True for the special `kind` attribute. */
  get isKind(): boolean {
    return this._ref.isKind;
  }

  /** The path components. */
  get components(): string[] {
    return [...this._ref.components];
  }

  /** True when both references name the same attribute path. */
  compare(other: AttributeReference): boolean {
    return this.depth === other.depth && this.components.every((value, index) => value === other.getComponent(index));
  }
}
