import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

/**
 * No source file in a published package grows past {@link MAX_LINES} lines unless its package README
 * says why, in a "Large files" section that names it by its path in the package (`src/…`). So the rule
 * and every exception to it are in one place a reviewer reads.
 */
const MAX_LINES = 500;

const root = resolve(import.meta.dirname, '../../..');
const packages = readdirSync(join(root, 'packages')).filter((d) => existsSync(join(root, 'packages', d, 'package.json')));

/** Every `.ts` file under `dir`, tests (`*.test.ts`) left out. */
function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function lineCount(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** The body of the README's "Large files" section (up to the next heading of the same or a higher level), or ''. */
function largeFilesSection(readme: string): string {
  const lines = readme.split('\n');
  const start = lines.findIndex((line) => /^#{2,6}\s+Large files\s*$/i.test(line));
  if (start < 0) return '';
  const level = /^#+/.exec(lines[start]!)![0].length;
  const end = lines.findIndex((line, i) => i > start && /^#+\s/.test(line) && /^#+/.exec(line)![0].length <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The `src/….ts` paths a "Large files" section names (in backticks). */
function namedFiles(section: string): string[] {
  return [...section.matchAll(/`(src\/[^`\s]+\.ts)`/g)].map((m) => m[1]!);
}

describe('source file size', () => {
  it('finds the "Large files" section and the paths it names', () => {
    const readme = '# pkg\n\n## Large files\n\n- `src/a.ts`: one state machine.\n\n### Detail\n\n`src/b.ts`\n\n## Next\n\n`src/c.ts`\n';
    expect(namedFiles(largeFilesSection(readme))).toEqual(['src/a.ts', 'src/b.ts']);
    expect(largeFilesSection('# pkg\n\n## Options\n')).toBe('');
  });

  describe.each(packages)('packages/%s', (dir) => {
    const packageDir = join(root, 'packages', dir);
    const readmePath = join(packageDir, 'README.md');
    const section = largeFilesSection(existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '');
    const justified = new Set(namedFiles(section));

    it(`has no source file over ${MAX_LINES} lines that its README's "Large files" section does not name`, () => {
      const unexplained = sources(join(packageDir, 'src'))
        .map((path) => ({ path: relative(packageDir, path).split('\\').join('/'), lines: lineCount(readFileSync(path, 'utf8')) }))
        .filter(({ path, lines }) => lines > MAX_LINES && !justified.has(path))
        .map(({ path, lines }) => `${path} (${lines} lines)`);
      // Split the file by concern, or name it in packages/<dir>/README.md under "## Large files" with the reason it stays whole.
      expect(unexplained).toEqual([]);
    });

    it('names only files that exist in its "Large files" section', () => {
      expect([...justified].filter((path) => !existsSync(join(packageDir, path)))).toEqual([]);
    });
  });
});
