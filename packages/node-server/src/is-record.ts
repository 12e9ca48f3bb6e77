/** True for a non-null, non-array object: the JSON object shape of untrusted input (files, payloads). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
