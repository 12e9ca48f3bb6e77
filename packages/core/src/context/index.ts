export { AttributeReference } from './attribute-reference.js';
export {
  Context,
  ContextBuilder,
  type ContextPart,
  type LDContext,
  type LDSingleKindContext,
  type LDMultiKindContext,
  type LDUser,
} from './context.js';
