// A small Markdown link reader for the link check (markdown-links.test.ts): just enough CommonMark/GFM to
// find every link a reader can click (inline, reference-style, images, autolinks, bare URLs, HTML href/src)
// outside code, and every heading anchor GitHub generates. No dependency: the rules fit on a page and a
// parser library would be one more tool to keep in the catalog.

import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export type LinkKind = 'inline' | 'image' | 'reference' | 'definition' | 'autolink' | 'bare-url' | 'html';

export interface MarkdownLink {
  /** 1-based line of the link's first character. */
  line: number;
  kind: LinkKind;
  /** The destination as written (angle brackets removed); for an undefined reference, the label. */
  target: string;
  /** How the link appears in the file, for the failure message. */
  source: string;
  /** Set for `[text][label]` whose label has no definition. */
  undefinedLabel?: string;
}

interface Block {
  text: string;
  /** Line number of each character's line: lineOf[i] for text[i]. */
  firstLine: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Replaces `from..to` of `text` with spaces (newlines kept), so offsets and line numbers stay valid. */
function blank(text: string, from: number, to: number): string {
  return text.slice(0, from) + text.slice(from, to).replace(/[^\n]/g, ' ') + text.slice(to);
}

/** Front matter (changesets), HTML comments, fenced code: everything a link inside of is not a link. */
function proseBlocks(markdown: string): { blocks: Block[]; headings: { line: number; text: string }[] } {
  let text = markdown.replace(/\r\n?/g, '\n');
  const frontMatter = /^---\n[\s\S]*?\n---\n/.exec(text);
  if (frontMatter) text = blank(text, 0, frontMatter[0].length);
  for (const comment of text.matchAll(/<!--[\s\S]*?-->/g)) text = blank(text, comment.index, comment.index + comment[0].length);

  const lines = text.split('\n');
  const blocks: Block[] = [];
  const headings: { line: number; text: string }[] = [];
  let fence: string | undefined;
  let current: string[] = [];
  let start = 0;
  const flush = () => {
    if (current.length > 0) blocks.push({ text: current.join('\n'), firstLine: start + 1 });
    current = [];
  };
  lines.forEach((line, i) => {
    const marker = FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
      return;
    }
    if (marker) {
      flush();
      fence = marker;
      return;
    }
    if (line.trim() === '') {
      flush();
      return;
    }
    const atx = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (atx) {
      flush();
      headings.push({ line: i + 1, text: atx[2] ?? '' });
      blocks.push({ text: line, firstLine: i + 1 });
      return;
    }
    // Setext heading: a paragraph line underlined with === or --- (a table's |---| row is not one).
    if (/^ {0,3}(=+|-+)[ \t]*$/.test(line) && current.length === 1 && !/^\s*([-*+]\s|\d+[.)]\s|\||>)/.test(current[0] ?? '')) {
      headings.push({ line: i, text: (current[0] ?? '').trim() });
      flush();
      return;
    }
    if (current.length === 0) start = i;
    current.push(line);
  });
  flush();
  return { blocks, headings };
}

/** Blanks code spans (a backtick run up to the next run of the same length), keeping offsets. */
function withoutCodeSpans(text: string): string {
  let out = text;
  const runs = /`+/g;
  let match: RegExpExecArray | null;
  while ((match = runs.exec(out)) !== null) {
    const ticks = match[0];
    const close = new RegExp(`(?<!\`)${ticks}(?!\`)`, 'g');
    close.lastIndex = match.index + ticks.length;
    const end = close.exec(out);
    if (!end) continue; // an unmatched run is literal text
    out = blank(out, match.index, end.index + ticks.length);
    runs.lastIndex = end.index + ticks.length;
  }
  return out;
}

/** CommonMark's label matching: case-insensitive, inner whitespace collapsed. */
export const normalizeLabel = (label: string) => label.trim().replace(/\s+/g, ' ').toLowerCase();

const TEXT = String.raw`((?:[^\[\]\n]|\n(?!\n)|\[[^\[\]]*\])*)`;
const DESTINATION = String.raw`(<[^<>\n]*>|(?:[^\s()<>]|\([^\s()]*\))*)`;
const TITLE = String.raw`(?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?`;
const INLINE = new RegExp(String.raw`(!?)\[${TEXT}\]\(\s*${DESTINATION}${TITLE}\s*\)`, 'g');
const FULL_REFERENCE = new RegExp(String.raw`(!?)\[${TEXT}\]\[([^\[\]]*)\]`, 'g');
const DEFINITION = new RegExp(String.raw`^ {0,3}\[([^\[\]]+)\]:[ \t]*(<[^<>\n]*>|\S+)${TITLE}[ \t]*$`, 'gm');
const AUTOLINK = /<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>/g;
const HTML_ATTRIBUTE = /<[A-Za-z][^<>]*?\s(?:href|src)\s*=\s*("[^"]*"|'[^']*')/g;
const BARE_URL = /(?<![\w/])https?:\/\/[^\s<>|]+/g;

const unbracket = (destination: string) => (destination.startsWith('<') ? destination.slice(1, -1) : destination);

/** Trims what GFM leaves out of a bare URL: trailing punctuation and an unbalanced closing parenthesis. */
function trimBareUrl(url: string): string {
  let out = url.replace(/[?!.,:*_~'"]+$/, '');
  while (out.endsWith(')') && (out.match(/\)/g) ?? []).length > (out.match(/\(/g) ?? []).length) {
    out = out.slice(0, -1).replace(/[?!.,:*_~'"]+$/, '');
  }
  return out;
}

/** Every link in a Markdown document, outside code blocks, code spans and HTML comments. */
export function extractLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  const { blocks } = proseBlocks(markdown);
  const definitions = new Set<string>();
  const pending: { block: Block; text: string }[] = [];

  for (const block of blocks) {
    // Backslash escapes: \[ is not a bracket. Two characters become two spaces, offsets unchanged.
    let text = withoutCodeSpans(block.text).replace(/\\[\\`*_{}[\]()#+\-.!<>|]/g, '  ');
    const lineAt = (offset: number) => block.firstLine + (text.slice(0, offset).match(/\n/g) ?? []).length;
    const take = (match: RegExpMatchArray, kind: LinkKind, target: string, extra: Partial<MarkdownLink> = {}) => {
      links.push({ line: lineAt(match.index ?? 0), kind, target, source: match[0].replace(/\s*\n\s*/g, ' '), ...extra });
      text = blank(text, match.index ?? 0, (match.index ?? 0) + match[0].length);
    };
    for (const m of text.matchAll(DEFINITION)) {
      definitions.add(normalizeLabel(m[1] ?? ''));
      take(m, 'definition', unbracket(m[2] ?? ''));
    }
    for (const m of text.matchAll(INLINE)) take(m, m[1] ? 'image' : 'inline', unbracket(m[3] ?? ''));
    // Images nested in link text (a badge): [![alt](img)](url) leaves [    ](url) after the first pass.
    for (const m of text.matchAll(INLINE)) take(m, 'inline', unbracket(m[3] ?? ''));
    for (const m of text.matchAll(AUTOLINK)) take(m, 'autolink', m[1] ?? '');
    for (const m of text.matchAll(HTML_ATTRIBUTE)) take(m, 'html', (m[1] ?? '').slice(1, -1));
    pending.push({ block, text });
  }
  // References are resolved after every definition is known (a definition may follow its use).
  for (const { block, text: blockText } of pending) {
    let text = blockText;
    const lineAt = (offset: number) => block.firstLine + (text.slice(0, offset).match(/\n/g) ?? []).length;
    for (const m of text.matchAll(FULL_REFERENCE)) {
      const label = normalizeLabel(m[3] === '' ? (m[2] ?? '') : (m[3] ?? ''));
      const link: MarkdownLink = { line: lineAt(m.index), kind: 'reference', target: label, source: m[0].replace(/\s*\n\s*/g, ' ') };
      if (!definitions.has(label)) link.undefinedLabel = label;
      links.push(link);
      text = blank(text, m.index, m.index + m[0].length);
    }
    for (const m of text.matchAll(BARE_URL)) {
      const url = trimBareUrl(m[0]);
      links.push({ line: lineAt(m.index), kind: 'bare-url', target: url, source: url });
    }
  }
  return links.filter((l) => l.kind !== 'reference' || l.undefinedLabel !== undefined).sort((a, b) => a.line - b.line);
}

/**
 * GitHub's anchor for a heading (github-slugger): the heading's rendered text, lowercased, with everything
 * but letters, digits, marks, `_`, `-` and spaces removed, spaces turned into `-`.
 */
export function slugify(headingText: string): string {
  const rendered = headingText
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/`+([^`]*)`+/g, '$1'); // code spans: their content
  return rendered.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every anchor a Markdown document has: heading slugs (duplicates get -1, -2, …) and HTML id/name attributes. */
export function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const counts = new Map<string, number>();
  for (const { text } of proseBlocks(markdown).headings) {
    const base = slugify(text.trim());
    let slug = base;
    if (found.has(slug)) {
      let n = counts.get(base) ?? 0;
      do slug = `${base}-${++n}`;
      while (found.has(slug));
      counts.set(base, n);
    }
    found.add(slug);
  }
  for (const m of markdown.matchAll(/<[A-Za-z][^<>]*?\s(?:id|name)\s*=\s*["']([^"']+)["']/g)) found.add(m[1] ?? '');
  return found;
}

export interface LinkCheckContext {
  /** Absolute path of the repository root. */
  root: string;
  /** Repository-relative paths (forward slashes) of every file in the repository (tracked or not ignored). */
  files: ReadonlySet<string>;
  /** Every directory holding one of `files` ('' for the root). */
  directories: ReadonlySet<string>;
  /** Reads a repository file (repository-relative path). */
  read: (path: string) => string;
}

const LINE_ANCHOR = /^L\d+(C\d+)?(-L\d+(C\d+)?)?$/;

/** What is wrong with one link of `file` (repository-relative), or undefined when it is fine. */
export function problemWith(link: MarkdownLink, file: string, context: LinkCheckContext): string | undefined {
  if (link.undefinedLabel !== undefined) return `no definition for the reference [${link.undefinedLabel}]`;
  const target = link.target.trim();
  if (target === '') return 'empty link';
  if (/\s/.test(target)) return 'a space in the link (write it as %20 or inside <…>)';

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(target)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return 'not a well-formed URL';
    }
    if (!/^https?:\/\/[^/?#]/i.test(target) || url.hostname === '') return 'URL without a host';
    if (url.hostname !== 'localhost' && !/^[\d.]+$/.test(url.hostname) && !url.hostname.startsWith('[') && !url.hostname.includes('.')) {
      return `URL host "${url.hostname}" has no domain`;
    }
    return undefined;
  }
  if (scheme === 'mailto') return /^mailto:[^@\s]+@[^@\s]+\.[^@\s]+$/i.test(target) ? undefined : 'not a well-formed mailto: link';
  if (scheme !== undefined) return `unsupported link scheme "${scheme}:"`;
  if (target.startsWith('//')) return 'protocol-relative URL (write https://)';

  const hashAt = target.indexOf('#');
  const rawPath = (hashAt === -1 ? target : target.slice(0, hashAt)).replace(/\?.*$/, '');
  const rawAnchor = hashAt === -1 ? undefined : target.slice(hashAt + 1);
  let path: string;
  let anchor: string | undefined;
  try {
    path = decodeURIComponent(rawPath);
    anchor = rawAnchor === undefined ? undefined : decodeURIComponent(rawAnchor);
  } catch {
    return 'malformed percent-encoding';
  }

  let targetFile = file;
  if (path !== '') {
    const absolute = path.startsWith('/') ? join(context.root, path) : resolve(context.root, dirname(file), path);
    const inRepo = relative(context.root, absolute);
    if (inRepo.startsWith('..') || isAbsolute(inRepo)) return 'leaves the repository (a clone has nothing there)';
    targetFile = inRepo.split(sep).join('/');
    if (context.directories.has(targetFile)) {
      if (anchor === undefined) return undefined;
      targetFile = targetFile === '' ? 'README.md' : `${targetFile}/README.md`;
      if (!context.files.has(targetFile)) return `#${anchor}: the directory has no README.md to hold it`;
    } else if (!context.files.has(targetFile)) {
      return existsSync(absolute) ? 'not part of the repository (ignored by git)' : 'no such file or directory';
    }
  }
  if (anchor === undefined || anchor === '') return anchor === '' ? 'empty #anchor' : undefined;
  if (!/\.(md|markdown)$/i.test(targetFile)) {
    return LINE_ANCHOR.test(anchor) ? undefined : `#${anchor}: only #L<line> anchors work on a ${targetFile} file`;
  }
  return anchors(context.read(targetFile)).has(anchor) ? undefined : `#${anchor}: no such heading in ${targetFile}`;
}
