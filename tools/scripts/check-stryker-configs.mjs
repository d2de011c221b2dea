// Every package's Stryker config must load. Loading one checks that each `equivalent` entry's code is still
// in its file (tools/stryker/config.mjs); a reformat or a refactor that moved that code made `nx run
// <p>:mutate` stop at start-up for core and poison, unnoticed until the next mutation run (session 6).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const packagesDir = join(import.meta.dirname, '..', '..', 'packages');
const configs = readdirSync(packagesDir)
  .map((name) => join(packagesDir, name, 'stryker.config.mjs'))
  .filter((file) => existsSync(file));

const failures = [];
for (const file of configs) {
  try {
    const { default: config } = await import(pathToFileURL(file).href);
    if (!Array.isArray(config?.mutate)) failures.push(`${file}: no mutate list in the exported config`);
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
  }
}
// The configs name a test runner of ours (tools/stryker/jest-covering-files-runner.mjs): it must load
// against the installed StrykerJS, and pick and order a mutant's spec files as its comment says.
try {
  const runner = await import(pathToFileURL(join(import.meta.dirname, '..', 'stryker', 'jest-covering-files-runner.mjs')).href);
  if (runner.strykerPlugins?.[0]?.name !== 'jest-covering-files')
    failures.push('jest-covering-files-runner.mjs: no jest-covering-files plugin');
  const specs = runner.specsOfDryRun([
    { id: 'a', fileName: '/s/slow.spec.ts', timeSpentMs: 900 },
    { id: 'b', fileName: '/s/fast.spec.ts', timeSpentMs: 5 },
    { id: 'a', fileName: '/s/fast.spec.ts', timeSpentMs: 5 },
    { id: 'c', fileName: '/s/other.spec.ts', timeSpentMs: 1 },
  ]);
  const groups = JSON.stringify(runner.coveringSpecs(['a', 'b'], specs));
  const expected = JSON.stringify([
    { file: '/s/fast.spec.ts', tests: ['a', 'b'] },
    { file: '/s/slow.spec.ts', tests: ['a'] },
  ]);
  if (groups !== expected) failures.push(`jest-covering-files-runner.mjs: coveringSpecs gave ${groups}, expected ${expected}`);
  if (runner.coveringSpecs(['a', 'unknown'], specs) !== undefined)
    failures.push("jest-covering-files-runner.mjs: a test of unknown file must fall back to Stryker's own run");
} catch (error) {
  failures.push(`jest-covering-files-runner.mjs: ${error instanceof Error ? error.message : String(error)}`);
}
// tools/stryker/chunks.mjs groups a package's files smallest first into chunks of about N lines.
try {
  const { planChunks, mutatedFiles } = await import(pathToFileURL(join(import.meta.dirname, '..', 'stryker', 'chunks.mjs')).href);
  const plan = JSON.stringify(
    planChunks(
      [
        { file: 'c', count: 500 },
        { file: 'a', count: 300 },
        { file: 'b', count: 300 },
        { file: 'd', count: 2000 },
      ],
      800,
    ),
  );
  if (plan !== JSON.stringify([['a', 'b'], ['c'], ['d']])) failures.push(`chunks.mjs: planChunks gave ${plan}`);
  const files = mutatedFiles('core');
  if (files.some((f) => f.endsWith('.spec.ts') || f.endsWith('/src/index.ts')) || !files.includes('packages/core/src/lib/atomic.ts'))
    failures.push("chunks.mjs: mutatedFiles('core') does not select as tools/stryker/config.mjs does");
} catch (error) {
  failures.push(`chunks.mjs: ${error instanceof Error ? error.message : String(error)}`);
}
for (const failure of failures) console.error(`stryker-configs: ${failure}`);
console.log(`stryker-configs: ${configs.length} config(s), ${failures.length} failing`);
process.exit(failures.length === 0 ? 0 : 1);
