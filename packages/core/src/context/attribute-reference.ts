/**
 * A reference to a context attribute, as LaunchDarkly defines it:
 * - a string not starting with `/` names a top-level attribute literally (`"email"`, `"a/b"` is the
 *   attribute named `a/b`);
 * - a string starting with `/` is a path into nested objects (`"/address/city"`), with `~1` for `/` and
 *   `~0` for `~` inside a component.
 * Invalid references (empty, `/`, an empty component, a `~` not followed by `0` or `1`, a path into
 * `_meta`) are values too: `valid` is false and `error` says why. Parse once, reuse many times.
 */
export class AttributeReference {
  /** True when the reference can be used. */
  readonly valid: boolean;
  /** Why the reference is invalid (undefined when valid). */
  readonly error: string | undefined;
  /** The path components; one for a top-level attribute. Empty when invalid. */
  readonly components: readonly string[];
  /** The reference in its canonical `/a/b` string form (also how redacted attributes are reported). */
  readonly path: string;
  /** The text it was made from. */
  readonly source: string;
  /** True for the special `kind` reference. */
  readonly isKind: boolean;

  private constructor(source: string, components: readonly string[] | string) {
    this.source = source;
    if (typeof components === 'string') {
      this.valid = false;
      this.error = components;
      this.components = [];
      this.path = source;
      this.isKind = false;
    } else {
      this.valid = true;
      this.error = undefined;
      this.components = Object.freeze([...components]);
      this.path = components.length === 1 && !source.startsWith('/') ? source : '/' + components.map(escapeComponent).join('/');
      this.isKind = components.length === 1 && components[0] === 'kind';
    }
    Object.freeze(this);
  }

  /** Parses an attribute reference (`"name"` or `"/a/b"`). Never throws. */
  static parse(reference: string): AttributeReference {
    if (typeof reference !== 'string') return new AttributeReference(String(reference), 'attribute reference must be a string');
    if (reference === '') return new AttributeReference(reference, 'attribute reference is empty');
    if (!reference.startsWith('/')) return new AttributeReference(reference, [reference]);
    if (reference === '/') return new AttributeReference(reference, 'attribute reference "/" names no attribute');
    const raw = reference.slice(1).split('/');
    const components: string[] = [];
    for (const part of raw) {
      if (part === '') return new AttributeReference(reference, `attribute reference "${reference}" has an empty component`);
      const unescaped = unescapeComponent(part);
      if (unescaped === undefined) {
        return new AttributeReference(reference, `attribute reference "${reference}" has a "~" not followed by 0 or 1`);
      }
      components.push(unescaped);
    }
    if (components[0] === '_meta') {
      return new AttributeReference(reference, `attribute reference "${reference}" points into _meta, which is not addressable`);
    }
    return new AttributeReference(reference, components);
  }

  /**
   * A top-level attribute named exactly `name`, even if it starts with `/` (how attribute names in
   * older flag data, without a `contextKind`, are read).
   */
  static literal(name: string): AttributeReference {
    if (typeof name !== 'string' || name === '') return new AttributeReference(String(name), 'attribute name is empty');
    return new AttributeReference(name.startsWith('/') ? '/' + escapeComponent(name) : name, [name]);
  }

  /** Looks the reference up in a context's attributes (objects only; never indexes into arrays). */
  get(attributes: Readonly<Record<string, unknown>>): unknown {
    const { components } = this;
    let current: unknown = attributes;
    for (let i = 0; i < components.length; i++) {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
      const name = components[i]!;
      if (!Object.prototype.hasOwnProperty.call(current, name)) return undefined;
      current = (current as Record<string, unknown>)[name];
    }
    return components.length === 0 ? undefined : current;
  }

  /** True when both name the same attribute path. */
  equals(other: AttributeReference): boolean {
    if (this.components.length !== other.components.length) return false;
    return this.components.every((c, i) => c === other.components[i]);
  }
}

function escapeComponent(component: string): string {
  return component.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapeComponent(part: string): string | undefined {
  if (!part.includes('~')) return part;
  let out = '';
  for (let i = 0; i < part.length; i++) {
    const c = part[i];
    if (c !== '~') {
      out += c;
      continue;
    }
    const next = part[i + 1];
    if (next === '0') out += '~';
    else if (next === '1') out += '/';
    else return undefined;
    i++;
  }
  return out;
}
