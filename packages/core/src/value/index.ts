export { LDValue } from './ld-value.js';
export { toFrozenJson, toFrozenAttributes, freezeParsedJson, jsonEquals, jsonTypeOf, type JsonValue, type JsonPrimitive, type JsonType } from './json.js';
