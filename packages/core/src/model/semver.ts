/**
 * Semantic versions as LaunchDarkly's semVer operators read them: strict SemVer 2.0 (surrounding
 * whitespace ignored, no leading zeros, at most 256 characters), and, failing that, a leading
 * `1` or `1.2` padded with `.0` (so `"2"` is `2.0.0` and `"2.1-beta"` is `2.1.0-beta`). A leading `v` is
 * never a version. Build metadata does not take part in comparisons.
 */
export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release identifiers: numbers for numeric ones, strings otherwise. */
  readonly prerelease: readonly (number | string)[];
}

const NUM = '0|[1-9]\\d*';
const PRE_ID = `(?:${NUM}|\\d*[a-zA-Z-][a-zA-Z0-9-]*)`;
const FULL = new RegExp(`^v?(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?$`);
const LEADING_COMPONENTS = /^\d+(\.\d+)?(\.\d+)?/;
const MAX_LENGTH = 256;

function strict(input: string): SemVer | undefined {
  if (input.length > MAX_LENGTH) return undefined;
  const m = FULL.exec(input.trim());
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const patch = Number(m[3]);
  if (major > Number.MAX_SAFE_INTEGER || minor > Number.MAX_SAFE_INTEGER || patch > Number.MAX_SAFE_INTEGER) return undefined;
  const prerelease = m[4]
    ? m[4].split('.').map((id) => {
        if (/^[0-9]+$/.test(id)) {
          const n = Number(id);
          if (n >= 0 && n < Number.MAX_SAFE_INTEGER) return n;
        }
        return id;
      })
    : [];
  return Object.freeze({ major, minor, patch, prerelease: Object.freeze(prerelease) });
}

/**
 * Versions parsed from context attributes, by text: the same few app versions are compared on every
 * evaluation, and parsing is the costly part. Bounded: cleared when full.
 */
const cache = new Map<string, SemVer | null>();
const CACHE_LIMIT = 1000;

/** Parses a version the way LaunchDarkly's semVer operators do; undefined when it is not one. */
export function parseSemVer(input: unknown): SemVer | undefined {
  if (typeof input !== 'string') return undefined;
  const cached = cache.get(input);
  if (cached !== undefined) return cached ?? undefined;
  const parsed = parseUncached(input);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(input, parsed ?? null);
  return parsed;
}

function parseUncached(input: string): SemVer | undefined {
  if (input.startsWith('v')) return undefined;
  const parsed = strict(input);
  if (parsed) return parsed;
  const m = LEADING_COMPONENTS.exec(input);
  if (!m) return undefined;
  let padded = m[0];
  if (m[1] === undefined) padded += '.0';
  if (m[2] === undefined) padded += '.0';
  return strict(padded + input.substring(m[0].length));
}

function compareIdentifiers(a: number | string, b: number | string): number {
  const aNum = typeof a === 'number' || /^[0-9]+$/.test(a);
  const bNum = typeof b === 'number' || /^[0-9]+$/.test(b);
  const x = aNum && bNum ? Number(a) : a;
  const y = aNum && bNum ? Number(b) : b;
  if (x === y) return 0;
  if (aNum && !bNum) return -1;
  if (bNum && !aNum) return 1;
  return x < y ? -1 : 1;
}

/** Orders two versions by SemVer precedence: -1, 0 or 1. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  const ap = a.prerelease;
  const bp = b.prerelease;
  if (ap.length && !bp.length) return -1;
  if (!ap.length && bp.length) return 1;
  for (let i = 0; ; i++) {
    const x = ap[i];
    const y = bp[i];
    if (x === undefined && y === undefined) return 0;
    if (y === undefined) return 1;
    if (x === undefined) return -1;
    const c = compareIdentifiers(x, y);
    if (c !== 0) return c;
  }
}
