/**
 * Random v4 UUIDs without Node.js APIs. Payload ids only need to be unique enough for the event
 * service to drop a duplicate delivery, and diagnostic ids only need to tell SDK instances apart, so
 * `Math.random` is an acceptable fallback on runtimes without Web Crypto.
 */
declare const globalThis: { crypto?: { randomUUID?: () => string } };

const HEX = '0123456789abcdef';

/** A v4 UUID built from `Math.random` (used only where `crypto.randomUUID` is missing). */
export function fallbackUuid(random: () => number = Math.random): string {
  let out = '';
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) out += '-';
    else if (i === 14) out += '4';
    else if (i === 19) out += HEX[8 + Math.floor(random() * 4)];
    else out += HEX[Math.floor(random() * 16)];
  }
  return out;
}

/** A random v4 UUID: `globalThis.crypto.randomUUID()` when the runtime has it, else {@link fallbackUuid}. */
export function randomUuid(): string {
  const crypto = globalThis.crypto;
  if (crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return fallbackUuid();
}
