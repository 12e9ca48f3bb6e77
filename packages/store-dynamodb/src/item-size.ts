/** UTF-8 bytes of `text` (counted natively, without encoding). */
function utf8(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * DynamoDB's largest item: 400 KB, which DynamoDB counts as 409,600 bytes (attribute names and values
 * together, as {@link dynamoDbItemSize} counts them).
 */
export const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;

/** DynamoDB's limit on a sort key value (our `key` attribute), in UTF-8 bytes. */
export const DYNAMODB_MAX_SORT_KEY_BYTES = 1024;

/**
 * The size DynamoDB gives an attribute value, per "DynamoDB item sizes and formats"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
 * strings and string sets by their UTF-8 bytes (never JavaScript's UTF-16 `length`), numbers by one byte
 * per two significant digits plus one, booleans and null one byte, binary by raw bytes, lists and maps 3
 * bytes plus one byte and the size of each element (map keys count like attribute names).
 */
function valueSize(value: unknown): number {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberSize(String(value));
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) {
    let size = 0;
    for (const member of value as Set<unknown>) size += valueSize(member);
    return size;
  }
  if (Array.isArray(value)) {
    let size = 3;
    for (const element of value) size += 1 + valueSize(element);
    return size;
  }
  if (typeof value === 'object') {
    let size = 3;
    for (const [name, element] of Object.entries(value)) size += 1 + utf8(name) + valueSize(element);
    return size;
  }
  return utf8(String(value));
}

/**
 * A number's size: DynamoDB trims leading and trailing zeros and stores two significant digits per
 * byte, plus one byte; a negative number is counted one byte larger (its sign), which can only make
 * the guard stricter.
 */
function numberSize(text: string): number {
  const [mantissa = ''] = text.toLowerCase().split('e');
  const digits = mantissa.replace(/[^0-9]/g, '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1 + (mantissa.startsWith('-') ? 1 : 0);
}

/**
 * The size of an item as DynamoDB counts it against its 400 KB limit: for each attribute, the UTF-8
 * bytes of its name plus the size of its value. Takes the item as `@aws-sdk/lib-dynamodb` takes it
 * (plain strings, numbers, booleans, `Set`s, arrays and objects).
 *
 * @example
 * ```ts
 * dynamoDbItemSize({ namespace: 'features', key: 'my-flag', version: 12, item: '{"key":"my-flag"}' });
 * // 9 + 8 + 3 + 7 + 7 + 2 + 4 + 17 = 57
 * ```
 */
export function dynamoDbItemSize(item: Readonly<Record<string, unknown>>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += utf8(name) + valueSize(value);
  return size;
}
