import { AttributeReference } from '../context/attribute-reference.js';
import type { Context, ContextPart } from '../context/context.js';
import type { JsonValue } from '../value/json.js';
import type { OutputContext } from './output.js';

/** Options of {@link ContextFormatter}: LaunchDarkly's `allAttributesPrivate` and `privateAttributes`. */
export interface ContextFormatterOptions {
  /** Redact every attribute except `key`, `kind` and `anonymous`. Default false. */
  allAttributesPrivate?: boolean;
  /**
   * Attributes to redact in every context: names (`"email"`) or references (`"/address/street"`).
   * Invalid references are ignored. Default none.
   */
  privateAttributes?: readonly (string | AttributeReference)[];
}

/** Never redacted, whatever the configuration says: the service needs them to identify the context. */
const PROTECTED = new Set(['key', 'kind', '_meta', 'anonymous']);
/** A legacy user's built-in attributes, sent as strings (as LaunchDarkly's SDKs always did). */
const LEGACY_STRING_ATTRIBUTES = ['name', 'ip', 'firstName', 'lastName', 'email', 'avatar', 'country'];

function usable(ref: AttributeReference): boolean {
  return ref.valid && !(ref.components.length === 1 && PROTECTED.has(ref.components[0]!));
}

/**
 * Turns a {@link Context} into the JSON that goes into events, with private attributes removed:
 * attributes named in the global `privateAttributes`, in the context's own `_meta.privateAttributes`, or
 * all of them with `allAttributesPrivate` (or, when asked, for an anonymous context). `key`, `kind` and
 * `anonymous` are never removed. What was removed is listed, sorted, in `_meta.redactedAttributes` as the
 * references that removed it; `_meta.privateAttributes` itself is never sent.
 *
 * Attribute values are frozen JSON already, so unredacted values are shared with the context, not copied:
 * only objects that lose a nested attribute are rebuilt.
 */
export class ContextFormatter {
  private readonly _allPrivate: boolean;
  private readonly _global: readonly AttributeReference[];

  constructor(options: ContextFormatterOptions = {}) {
    this._allPrivate = !!options.allAttributesPrivate;
    this._global = (options.privateAttributes ?? [])
      .map((r) => (typeof r === 'string' ? AttributeReference.parse(r) : r))
      .filter((r) => r instanceof AttributeReference && usable(r));
  }

  /**
   * The event JSON of `context`; `undefined` for an invalid context. With `redactAnonymous`, the parts
   * whose `anonymous` attribute is `true` keep only `key`, `kind` and `anonymous` (feature and custom
   * events do this; index, identify and debug events do not).
   */
  format(context: Context, redactAnonymous = false): OutputContext | undefined {
    if (!context.valid) return undefined;
    const parts = context.parts();
    if (parts.length === 1) {
      const part = parts[0]!;
      return this._formatPart(part, context.legacy, redactAnonymous, part.kind);
    }
    const out: Record<string, JsonValue> = { kind: 'multi' };
    for (const part of parts) out[part.kind] = this._formatPart(part, false, redactAnonymous, undefined);
    return out;
  }

  private _formatPart(part: ContextPart, legacy: boolean, redactAnonymous: boolean, kind: string | undefined): OutputContext {
    const attributes = part.attributes;
    const out: Record<string, JsonValue> = {};
    if (kind !== undefined) out.kind = kind;
    const redactAll = this._allPrivate || (redactAnonymous && attributes.anonymous === true);
    const redacted: string[] = [];
    if (redactAll) {
      for (const name of Object.keys(attributes)) {
        if (PROTECTED.has(name)) out[name] = attributes[name]!;
        else redacted.push(AttributeReference.literal(name).source);
      }
    } else {
      const refs = part.privateAttributes.length === 0 ? this._global : [...this._global, ...part.privateAttributes.filter(usable)];
      if (refs.length === 0) Object.assign(out, attributes);
      else copyWithRedactions(attributes, refs, 0, out, redacted);
    }
    if (legacy) {
      for (const name of LEGACY_STRING_ATTRIBUTES) {
        if (name in out && typeof out[name] !== 'string') out[name] = String(out[name]);
      }
    }
    if (redacted.length) out._meta = { redactedAttributes: redacted.sort() };
    return out;
  }
}

/**
 * Copies `source` (at nesting `depth` of the references) into `out`, leaving out what a reference names
 * exactly. Objects are descended into only when some reference goes deeper through them.
 */
function copyWithRedactions(
  source: { readonly [name: string]: JsonValue },
  refs: readonly AttributeReference[],
  depth: number,
  out: Record<string, JsonValue>,
  redacted: string[],
): void {
  for (const name of Object.keys(source)) {
    const value = source[name]!;
    let exact: AttributeReference | undefined;
    let deeper: AttributeReference[] | undefined;
    for (const ref of refs) {
      if (ref.components[depth] !== name) continue;
      if (ref.components.length === depth + 1) {
        exact = ref;
        break;
      }
      (deeper ??= []).push(ref);
    }
    if (exact) {
      redacted.push(exact.source);
    } else if (deeper && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const nested: Record<string, JsonValue> = {};
      copyWithRedactions(value as { readonly [name: string]: JsonValue }, deeper, depth + 1, nested, redacted);
      out[name] = nested;
    } else {
      out[name] = value;
    }
  }
}
