/**
 * The few Go parsing rules Consul's HTTP layer applies to query parameters, with the error texts Go
 * produces, so the emulator rejects the same inputs with the same words.
 */

const MAX_UINT64 = (1n << 64n) - 1n;

/** Go's `%q` for the strings that show up in error texts (close enough for printable input). */
export function goQuote(text: string): string {
  return JSON.stringify(text);
}

/**
 * Go's `strconv.ParseUint(text, 10, 64)`: decimal digits only, no sign, at most 2^64-1.
 *
 * @throws Error with Go's text, e.g. `strconv.ParseUint: parsing "x": invalid syntax`
 */
export function parseUint64(text: string): bigint {
  if (!/^[0-9]+$/.test(text)) throw new Error(`strconv.ParseUint: parsing ${goQuote(text)}: invalid syntax`);
  const value = BigInt(text);
  if (value > MAX_UINT64) throw new Error(`strconv.ParseUint: parsing ${goQuote(text)}: value out of range`);
  return value;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Go's `time.ParseDuration` (e.g. `5s`, `1m30s`, `250ms`, `1.5h`), in milliseconds.
 *
 * @returns the duration, or `undefined` when Go would reject the text
 */
export function parseGoDuration(text: string): number | undefined {
  const match = /^([-+]?)(.*)$/.exec(text);
  const body = match?.[2] ?? '';
  if (body === '0') return 0;
  if (body === '') return undefined;
  let total = 0;
  let rest = body;
  while (rest !== '') {
    const part = /^([0-9]*(?:\.[0-9]*)?)([a-zµμ]+)/.exec(rest);
    if (!part || part[1] === '' || part[1] === '.') return undefined;
    const unit = UNIT_MS[part[2]!];
    if (unit === undefined) return undefined;
    total += Number(part[1]) * unit;
    rest = rest.slice(part[0].length);
  }
  return match?.[1] === '-' ? -total : total;
}
