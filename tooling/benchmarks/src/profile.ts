/**
 * `node --import tsx src/profile.ts <file.cpuprofile> [top]`: the functions with the most self time in a
 * V8 CPU profile (as written by `pnpm bench --cpu-prof`), with their share of the samples. A quick look
 * before opening the profile in Chrome DevTools or speedscope.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
for (const id of profile.samples) {
  const f = byId.get(id)!.callFrame;
  const name = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(packages|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
  self.set(name, (self.get(name) ?? 0) + 1);
}
const total = profile.samples.length;
for (const [name, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 40))) {
  console.log(`${((count * 100) / total).toFixed(1).padStart(5)}%  ${name}`);
}
