import { isRecord, toFrozenAttributes, toFrozenJson, type JsonValue } from '../value/json.js';
import { AttributeReference } from './attribute-reference.js';

/** A single-kind context as LaunchDarkly's SDKs accept it. */
export interface LDSingleKindContext {
  kind: string;
  key: string;
  name?: string;
  anonymous?: boolean;
  _meta?: { privateAttributes?: string[] };
  [attribute: string]: unknown;
}

/** A multi-kind context as LaunchDarkly's SDKs accept it: `{ kind: 'multi', user: {...}, org: {...} }`. */
export interface LDMultiKindContext {
  kind: 'multi';
  [kind: string]: unknown;
}

/** A legacy user object (no `kind`): built-in attributes, `custom` attributes and `privateAttributeNames`. */
export interface LDUser {
  key: string;
  name?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  avatar?: string;
  ip?: string;
  country?: string;
  anonymous?: boolean;
  custom?: Record<string, unknown>;
  privateAttributeNames?: string[];
}

/** Anything a context can be made from. */
export type LDContext = LDSingleKindContext | LDMultiKindContext | LDUser;

/** One kind's part of a context: validated, copied and frozen. */
export interface ContextPart {
  readonly kind: string;
  readonly key: string;
  /** `anonymous` as a boolean (absent is false; any other value counts by truthiness, as in LaunchDarkly's SDK). */
  readonly anonymous: boolean;
  /** Every attribute, built-ins (`key`, `name`, `anonymous`) included; never `kind` or `_meta`. Frozen JSON. */
  readonly attributes: { readonly [name: string]: JsonValue };
  /** `_meta.privateAttributes` (or a legacy user's `privateAttributeNames`), parsed. */
  readonly privateAttributes: readonly AttributeReference[];
}

const KIND_PATTERN = /^[\w.-]+$/;
const EMPTY_KINDS: readonly string[] = Object.freeze([]);
const NO_PRIVATE: readonly AttributeReference[] = Object.freeze([]);
const LEGACY_BUILT_INS = ['name', 'ip', 'firstName', 'lastName', 'email', 'avatar', 'country'] as const;

/** Escapes a key for canonical keys: `%` → `%25`, `:` → `%3A`. */
function encodeKey(key: string): string {
  return key.includes('%') || key.includes(':') ? key.replace(/%/g, '%25').replace(/:/g, '%3A') : key;
}


/**
 * Kinds already seen valid, each with its frozen `kinds` array as a single-kind context (shared by every
 * context of that kind): an application uses a handful, so the pattern runs once per kind.
 */
const validKinds = new Map<string, readonly string[]>(['user', 'org', 'device'].map((k) => [k, Object.freeze([k])]));

function kindError(kind: unknown): string | undefined {
  // `user` first: by far the most common kind, and a comparison with an internalized string is cheap.
  if (kind === 'user' || (typeof kind === 'string' && validKinds.has(kind))) return undefined;
  if (typeof kind !== 'string') return 'context kind must be a string';
  if (kind === 'kind') return 'context kind cannot be "kind"';
  if (kind === 'multi') return 'context kind "multi" is only for multi-kind contexts';
  if (!KIND_PATTERN.test(kind)) return `context kind "${kind}" may only contain letters, digits, ".", "_" and "-"`;
  // Bounded, so kinds made up per request (a mistake, but possible) cannot grow it without end.
  if (validKinds.size < 256) validKinds.set(kind, Object.freeze([kind]));
  return undefined;
}

/** The frozen `kinds` of a context with these parts. */
function kindsOf(parts: readonly ContextPart[]): readonly string[] {
  if (parts.length === 0) return EMPTY_KINDS;
  if (parts.length === 1) {
    const kind = parts[0]!.kind;
    return validKinds.get(kind) ?? Object.freeze([kind]);
  }
  return Object.freeze(parts.map((p) => p.kind));
}

/** `kind:key` per part (keys escaped), kinds sorted, joined with `:`; empty without parts. */
function qualifiedKey(parts: readonly ContextPart[]): string {
  if (parts.length === 1) return `${parts[0]!.kind}:${encodeKey(parts[0]!.key)}`;
  const sorted = [...parts].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  return sorted.map((p) => `${p.kind}:${encodeKey(p.key)}`).join(':');
}

/**
 * An evaluation context: who or what a flag is evaluated for. Immutable; validated once when it is made.
 *
 * Made from LaunchDarkly's plain shapes with {@link Context.from} (single-kind, multi-kind, or a legacy
 * user object) or with {@link Context.builder} / {@link Context.multi}. Invalid input does not throw: it
 * gives a context whose `valid` is false and whose `error` says why; evaluating it returns the default
 * value with `errorKind: 'USER_NOT_SPECIFIED'`.
 *
 * What a context is made from is copied, so changing the original object afterwards changes nothing.
 */
export class Context {
  /** False when the input was not a valid context; see {@link Context.error}. */
  readonly valid: boolean;
  /** Why the context is invalid (undefined when valid). */
  readonly error: string | undefined;
  /** The kind, or `'multi'` for a multi-kind context. */
  readonly kind: string;
  /** True when made from a legacy user object (no `kind`). */
  readonly legacy: boolean;

  private readonly _parts: readonly ContextPart[];
  private readonly _single: ContextPart | undefined;
  /**
   * `kinds`, and the derived keys, computed on first use: most evaluations never need them. A borrowed
   * context (made per evaluation) fills them in when asked; a frozen one is given them when made.
   */
  private _kinds: readonly string[] | undefined;
  private _keys: { canonical?: string; qualified?: string } | undefined;
  /** Set when the parts read the caller's objects (see {@link Context.borrow}): what to copy from. */
  private readonly _borrowedFrom: unknown;

  private constructor(parts: readonly ContextPart[], legacy: boolean, error: string | undefined, borrowedFrom: unknown) {
    const valid = error === undefined;
    const single = parts.length === 1 ? parts[0] : undefined;
    this.valid = valid;
    this.error = error;
    this.kind = !valid ? 'unknown' : single ? single.kind : 'multi';
    this.legacy = legacy;
    this._parts = parts;
    this._single = single;
    this._borrowedFrom = borrowedFrom;
    // A borrowed context lives for one synchronous evaluation inside the SDK and is never handed out, so
    // it skips the freezing and the eager fields (measurable on the hot path); every context a caller can
    // hold is frozen.
    if (borrowedFrom === undefined) {
      this._kinds = kindsOf(parts);
      this._keys = {};
      Object.freeze(this);
    } else {
      this._kinds = undefined;
      this._keys = undefined;
    }
  }

  /** The kinds it contains, in the order given (frozen). */
  get kinds(): readonly string[] {
    return (this._kinds ??= kindsOf(this._parts));
  }

  /**
   * LaunchDarkly's canonical key: a `user` context's plain key; otherwise `kind:key` per kind (kinds
   * sorted, `%` and `:` escaped) joined with `:`. Used to deduplicate contexts in events and for
   * `secureModeHash`. Empty for an invalid context.
   */
  get canonicalKey(): string {
    const keys = (this._keys ??= {});
    return (keys.canonical ??= this._single?.kind === 'user' ? this._single.key : this.fullyQualifiedKey);
  }

  /** Like {@link Context.canonicalKey} but always prefixed with the kind (`user:key`): unambiguous across kinds. */
  get fullyQualifiedKey(): string {
    const keys = (this._keys ??= {});
    return (keys.qualified ??= qualifiedKey(this._parts));
  }

  /** An invalid context carrying `message`. */
  static invalid(message: string): Context {
    return new Context([], false, message, undefined);
  }

  /**
   * Makes a context from LaunchDarkly's plain shapes (or returns a `Context` as is). Never throws.
   * The input is copied: changing it afterwards changes nothing here.
   */
  static from(input: unknown): Context {
    if (input instanceof Context) return input.snapshot();
    return make(input, false);
  }

  /**
   * Like {@link Context.from} but without copying attributes: the context reads the caller's object in
   * place. Only for the SDK's synchronous evaluation path, where nothing outlives the call; whatever is
   * kept (an analytics event) takes {@link Context.snapshot} first.
   *
   * @internal
   */
  static borrow(input: unknown): Context {
    if (input instanceof Context) return input;
    return make(input, true);
  }

  /** This context with its own frozen copy of the attributes (itself unless made by {@link Context.borrow}). */
  snapshot(): Context {
    return this._borrowedFrom === undefined ? this : make(this._borrowedFrom, false);
  }

  /** @internal */
  static create(parts: readonly ContextPart[], legacy: boolean, borrowedFrom: unknown): Context {
    return new Context(parts, legacy, undefined, borrowedFrom);
  }

  /** Starts a single-kind context. */
  static builder(kind: string, key: string): ContextBuilder {
    return new ContextBuilder(kind, key);
  }

  /**
   * Combines single-kind contexts into a multi-kind one (one context gives that context back). Invalid
   * parts, a repeated kind, or no parts give an invalid context.
   */
  static multi(...contexts: Context[]): Context {
    if (contexts.length === 0) return Context.invalid('a multi-kind context must contain at least one kind');
    const parts: ContextPart[] = [];
    for (const given of contexts) {
      if (!(given instanceof Context) || !given.valid) {
        return Context.invalid(`multi-kind context: ${given instanceof Context ? given.error : 'not a Context'}`);
      }
      for (const p of given.snapshot()._parts) {
        if (parts.some((q) => q.kind === p.kind)) return Context.invalid(`multi-kind context: kind "${p.kind}" appears twice`);
        parts.push(p);
      }
    }
    return new Context(Object.freeze(parts), false, undefined, undefined);
  }

  /** True for a multi-kind context. */
  get isMulti(): boolean {
    return this._parts.length > 1;
  }

  /** The part of the given kind, if the context has it. */
  part(kind: string): ContextPart | undefined {
    const single = this._single;
    if (single) return single.kind === kind ? single : undefined;
    for (const p of this._parts) if (p.kind === kind) return p;
    return undefined;
  }

  /** Every part, in order. */
  parts(): readonly ContextPart[] {
    return this._parts;
  }

  /** The key of the given kind (default `user`), if the context has that kind. */
  key(kind = 'user'): string | undefined {
    return this.part(kind)?.key;
  }

  /**
   * The value of an attribute of the given kind: the list of kinds for the `kind` reference, a boolean
   * for `anonymous`, `undefined` when the kind or attribute is missing or the reference is invalid.
   */
  valueFor(kind: string, reference: AttributeReference): unknown {
    if (reference.isKind) return this.kinds;
    const part = this.part(kind);
    if (!part || !reference.valid) return undefined;
    const { components } = reference;
    if (components.length === 1) {
      const name = components[0]!;
      if (name === 'anonymous') return part.anonymous;
      if (name === '_meta') return undefined;
      const attrs = part.attributes;
      return Object.prototype.hasOwnProperty.call(attrs, name) ? attrs[name] : undefined;
    }
    return reference.get(part.attributes);
  }

  /** The context in LaunchDarkly's plain shape (frozen), e.g. for logging or for another SDK. */
  toLDContext(): Readonly<LDContext> | undefined {
    if (!this.valid) return undefined;
    const plain = (p: ContextPart) => {
      const out: Record<string, unknown> = { kind: p.kind };
      for (const name in p.attributes) if (name !== 'kind' && name !== '_meta') out[name] = p.attributes[name];
      if (p.privateAttributes.length) out._meta = { privateAttributes: p.privateAttributes.map((r) => r.path) };
      return out;
    };
    if (this._single) return toFrozenJson(plain(this._single)) as Readonly<LDContext>;
    const multi: Record<string, unknown> = { kind: 'multi' };
    for (const p of this._parts) {
      const { kind: _kind, ...rest } = plain(p);
      multi[p.kind] = rest;
    }
    return toFrozenJson(multi) as Readonly<LDContext>;
  }
}

function make(input: unknown, borrow: boolean): Context {
  if (!isRecord(input)) return Context.invalid('no context given (expected an object)');
  try {
    const kind = input.kind;
    if (kind === undefined || kind === null) return fromLegacyUser(input, borrow);
    if (kind === 'multi') return fromMulti(input, borrow);
    const error = kindError(kind);
    if (error) return Context.invalid(error);
    const part = makePart(kind as string, input, borrow);
    return typeof part === 'string' ? Context.invalid(part) : Context.create([part], false, borrow ? input : undefined);
  } catch (err) {
    // A cyclic attribute value, or a getter that throws: the caller's object is not JSON.
    return Context.invalid(`context attributes are not valid JSON: ${(err as Error).message}`);
  }
}

function fromMulti(input: Record<string, unknown>, borrow: boolean): Context {
  // The parts array is made once the second part is known, as a literal of the right size: pushing onto
  // `[]` would allocate room for 17 parts on every (borrowed, per-evaluation) multi-kind context.
  let first: ContextPart | undefined;
  let parts: ContextPart[] | undefined;
  for (const kind of Object.keys(input)) {
    if (kind === 'kind') continue;
    const error = kindError(kind);
    if (error) return Context.invalid(`multi-kind context: ${error}`);
    const value = input[kind];
    if (!isRecord(value)) return Context.invalid(`multi-kind context: "${kind}" must be an object`);
    const part = makePart(kind, value, borrow);
    if (typeof part === 'string') return Context.invalid(`multi-kind context: ${part}`);
    if (first === undefined) first = part;
    else if (parts === undefined) parts = [first, part];
    else parts.push(part);
  }
  if (first === undefined) return Context.invalid('a multi-kind context must contain at least one kind');
  parts ??= [first];
  return Context.create(borrow ? parts : Object.freeze(parts), false, borrow ? input : undefined);
}

function fromLegacyUser(input: Record<string, unknown>, borrow: boolean): Context {
  const { key } = input;
  if (key === undefined || key === null) return Context.invalid('a user must have a key');
  if (typeof key === 'object' || typeof key === 'function') return Context.invalid('a user key must be a string');
  const names = input.privateAttributeNames;
  if (names !== undefined && names !== null && (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))) {
    return Context.invalid('privateAttributeNames must be an array of strings');
  }
  // Custom attributes first, then the built-ins over them (LaunchDarkly's precedence).
  const merged: Record<string, unknown> = {};
  if (isRecord(input.custom)) Object.assign(merged, input.custom);
  merged.key = String(key);
  for (const name of LEGACY_BUILT_INS) {
    if (input[name] !== undefined && input[name] !== null) merged[name] = input[name];
  }
  if (input.anonymous !== undefined && input.anonymous !== null) merged.anonymous = !!input.anonymous;
  const attributes = borrow ? (merged as { readonly [name: string]: JsonValue }) : copyAttributes(merged);
  const part: ContextPart = {
    kind: 'user',
    key: String(key),
    anonymous: !!attributes.anonymous,
    attributes,
    privateAttributes: Array.isArray(names) ? Object.freeze(names.map((n: string) => AttributeReference.literal(n))) : NO_PRIVATE,
  };
  return Context.create([borrow ? part : Object.freeze(part)], true, borrow ? input : undefined);
}

function makePart(kind: string, input: Record<string, unknown>, borrow: boolean): ContextPart | string {
  const { key } = input;
  if (typeof key !== 'string' || key === '') return `context of kind "${kind}" must have a non-empty string key`;
  const meta = input._meta;
  let privateAttributes = NO_PRIVATE;
  if (meta !== undefined && meta !== null) {
    if (!isRecord(meta)) return `context of kind "${kind}": _meta must be an object`;
    const names = meta.privateAttributes;
    if (names !== undefined && names !== null) {
      if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
        return `context of kind "${kind}": _meta.privateAttributes must be an array of strings`;
      }
      privateAttributes = Object.freeze(names.map((n: string) => AttributeReference.parse(n)));
    }
  }
  if (borrow) {
    // Read in place; `kind` and `_meta` in the object are never addressable as attributes.
    return { kind, key, anonymous: !!input.anonymous, attributes: input as { readonly [name: string]: JsonValue }, privateAttributes };
  }
  const attributes = copyAttributes(input);
  return Object.freeze({ kind, key, anonymous: !!attributes.anonymous, attributes, privateAttributes });
}

/** One pass over the attributes: primitives as they are, nested values deep-copied; then frozen. */
function copyAttributes(input: Record<string, unknown>): { readonly [name: string]: JsonValue } {
  const out: Record<string, JsonValue> = {};
  for (const name of Object.keys(input)) {
    if (name === 'kind' || name === '_meta') continue;
    const v = input[name];
    switch (typeof v) {
      case 'string':
      case 'number':
      case 'boolean':
        out[name] = v;
        break;
      case 'object':
      case 'bigint':
        out[name] = toFrozenAttributes(v);
        break;
      default:
      // undefined, functions and symbols are not JSON: dropped, as JSON.stringify drops them.
    }
  }
  return Object.freeze(out);
}

/** Builds a single-kind {@link Context}; see {@link Context.builder}. */
export class ContextBuilder {
  private readonly _attributes: Record<string, unknown> = {};
  private readonly _private: string[] = [];

  /** @internal */
  constructor(
    private readonly _kind: string,
    key: string,
  ) {
    this._attributes.key = key;
  }

  /** Sets the `name` attribute. */
  name(name: string): this {
    this._attributes.name = name;
    return this;
  }

  /** Marks the context anonymous (kept out of LaunchDarkly's context index). */
  anonymous(anonymous: boolean): this {
    this._attributes.anonymous = anonymous;
    return this;
  }

  /** Sets any attribute to a JSON value (copied). `kind` and `_meta` cannot be set this way. */
  set(name: string, value: unknown): this {
    if (name !== 'kind' && name !== '_meta') this._attributes[name] = value;
    return this;
  }

  /** Marks attributes private (`"email"` or `"/address/street"`): kept out of analytics events. */
  privateAttributes(...references: string[]): this {
    this._private.push(...references);
    return this;
  }

  /** The context; invalid (never a throw) when the kind or key is not acceptable. */
  build(): Context {
    const input: Record<string, unknown> = { ...this._attributes, kind: this._kind };
    if (this._private.length) input._meta = { privateAttributes: [...this._private] };
    return Context.from(input);
  }
}
