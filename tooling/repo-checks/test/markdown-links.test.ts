import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { anchors, extractLinks, type LinkCheckContext, problemWith, slugify } from './markdown.js';

const root = resolve(import.meta.dirname, '../../..');

/**
 * The repository as a clone sees it: tracked files plus new files not yet committed (so a document is
 * checked before its first commit), never ignored ones (node_modules, dist) or deleted ones.
 */
function repositoryFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  return [...new Set(out.split('\0'))].filter((f) => f !== '' && !f.split('/').includes('node_modules') && existsSync(join(root, f)));
}

function contextFor(files: readonly string[], read: (path: string) => string = (p) => readFileSync(join(root, p), 'utf8')): LinkCheckContext {
  const directories = new Set<string>(['']);
  for (const file of files) {
    const parts = file.split('/');
    for (let i = 1; i < parts.length; i++) directories.add(parts.slice(0, i).join('/'));
  }
  return { root, files: new Set(files), directories, read };
}

/** `file:line: <link> — why`, one per broken link of `file`. */
function brokenLinks(file: string, context: LinkCheckContext): string[] {
  return extractLinks(context.read(file)).flatMap((link) => {
    const problem = problemWith(link, file, context);
    return problem === undefined ? [] : [`${file}:${link.line}: ${link.source} — ${problem}`];
  });
}

const files = repositoryFiles();
const markdownFiles = files.filter((f) => /\.md$/i.test(f)).sort();
const repository = contextFor(files);

describe('Markdown links', () => {
  it('finds the repository documents', () => {
    expect(markdownFiles).toEqual(expect.arrayContaining(['README.md', 'docs/architecture.md', 'packages/core/README.md']));
  });

  // Relative links must resolve inside the repository (a clone has nothing at ../shared), anchors must
  // match a heading as GitHub slugs it, and URLs must be well-formed (they are not fetched: CI has no network).
  it.each(markdownFiles)('every link in %s resolves', (file) => {
    const broken = brokenLinks(file, repository);
    expect(broken, `broken links:\n${broken.join('\n')}\n`).toEqual([]);
  });

  // docs/ describes where code lives in `packages/…/src/x.ts` form (code, not links): when a file moves,
  // the document must move with it.
  it.each(markdownFiles.filter((f) => f.startsWith('docs/')))('every repository path %s names in code exists', (file) => {
    const named = [...repository.read(file).matchAll(/`((?:packages|apps|tooling|docs)\/[^`\s*<>{}]+)`/g)].map((m) => (m[1] ?? '').replace(/\/$/, ''));
    const missing = [...new Set(named)].filter((path) => !repository.files.has(path) && !repository.directories.has(path));
    expect(missing, `${file} names paths that do not exist:\n${missing.join('\n')}\n`).toEqual([]);
  });
});

describe('the link reader', () => {
  const doc = (text: string) => text.replace(/^ {4}/gm, '');

  it('finds inline, image, reference-style, autolink, HTML and bare-URL links with their lines', () => {
    const links = extractLinks(
      doc(`
    # Title

    See [the core](packages/core/README.md#install "title") and ![logo](docs/logo.png),
    a [reference][ref], a [collapsed][] one and [a wrapped
    link](docs/wrapped.md).
    <https://example.com/a> and https://example.org/b. <a href="docs/x.md">x</a>

    [ref]: ./docs/ref.md
    [collapsed]: <docs/with space.md>
    `),
    );
    expect(links.map((l) => [l.line, l.kind, l.target])).toEqual([
      [4, 'inline', 'packages/core/README.md#install'],
      [4, 'image', 'docs/logo.png'],
      [5, 'inline', 'docs/wrapped.md'],
      [7, 'autolink', 'https://example.com/a'],
      [7, 'html', 'docs/x.md'],
      [7, 'bare-url', 'https://example.org/b'],
      [9, 'definition', './docs/ref.md'],
      [10, 'definition', 'docs/with space.md'],
    ]);
  });

  it('reports a reference whose label has no definition', () => {
    expect(extractLinks('A [broken][nowhere] reference.\n')).toEqual([
      { line: 1, kind: 'reference', target: 'nowhere', source: '[broken][nowhere]', undefinedLabel: 'nowhere' },
    ]);
  });

  it('ignores links in code blocks, code spans, HTML comments and front matter', () => {
    const text = doc(`
    ---
    "@switchyard/core": minor
    ---
    Use \`[not](a-link.md)\` or \`\` [x](y) \`\`.
    <!-- [hidden](gone.md) -->
    \`\`\`md
    [fenced](nowhere.md)
    \`\`\`
    ~~~
    [tilde](nowhere.md)
    ~~~
    An escaped \\[bracket\\](not-a-link.md).
    `);
    expect(extractLinks(text)).toEqual([]);
  });

  it('slugs headings as GitHub does', () => {
    expect(slugify('Cache modes (`cacheTtlMs`, milliseconds)')).toBe('cache-modes-cachettlms-milliseconds');
    expect(slugify('Coming from `@launchdarkly/node-server-sdk-redis`')).toBe('coming-from-launchdarklynode-server-sdk-redis');
    expect(slugify('What’s new: v2.0 & more!')).toBe('whats-new-v20--more');
    expect(slugify('snake_case and [a link](x.md)')).toBe('snake_case-and-a-link');
    expect([...anchors('# Options\n## Options\n## Options\nText\n\nSetext\n---\n<a id="custom"></a>\n')]).toEqual([
      'options',
      'options-1',
      'options-2',
      'setext',
      'custom',
    ]);
  });

  describe('judging a link', () => {
    const pages: Record<string, string> = {
      'README.md': '# Switchyard\n## Try it\n',
      'docs/guide.md': '# Guide\n## Step one\n## Step one\n',
      'packages/core/README.md': '# @switchyard/core\n## Install\n',
      'packages/core/src/index.ts': '',
    };
    const context = contextFor(Object.keys(pages), (p) => pages[p] ?? '');
    const judge = (target: string, from = 'docs/guide.md') =>
      problemWith({ line: 1, kind: 'inline', target, source: `[x](${target})` }, from, context);

    it.each([
      '../README.md',
      '../README.md#try-it',
      '#step-one-1',
      '../packages/core',
      '../packages/core/#install',
      '/packages/core/src/index.ts#L3-L9',
      'https://github.com/launchdarkly/js-core',
      'http://127.0.0.1:8765/status',
      'mailto:security@example.com',
    ])('accepts %s', (target) => {
      expect(judge(target)).toBeUndefined();
    });

    it.each([
      ['../../shared/DESIGN.md', /leaves the repository/],
      ['../README.md#nope', /no such heading in README.md/],
      ['#step-one-2', /no such heading in docs\/guide.md/],
      ['missing.md', /no such file/],
      ['../packages/core/src/index.ts#top', /only #L<line> anchors/],
      ['https://', /not a well-formed URL|without a host/],
      ['https://exa mple.com', /space/],
      ['https://example', /no domain/],
      ['ftp://example.com/x', /unsupported link scheme/],
      ['', /empty link/],
    ])('refuses %s', (target, why) => {
      expect(judge(target)).toMatch(why);
    });
  });
});
