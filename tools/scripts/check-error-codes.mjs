#!/usr/bin/env node
// `npm test` check: every project's error-code catalogue (its `error-codes.ts`, issue 19) and its sources
// agree. The type checker already refuses a throw site typed by a catalogue with a code not in it; this
// catches codes written where no type reaches them, catalogued codes nothing names any more, and throw
// sites left untyped. One script for every project, instead of a copy of the same spec in each.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CORE_CATALOGUE = 'packages/core/src/lib/error-codes.ts';

/** Projects with a catalogue: where it is, which other catalogues its sources may name, which files may throw untyped. */
const PROJECTS = [
  { name: 'core', catalogue: CORE_CATALOGUE, untypedAllowed: ['lib/assert.ts', 'lib/errors.ts'] },
  ...['data', 'poison', 'train', 'metrics', 'explain', 'detect', 'aggregation'].map((p) => ({
    name: p,
    catalogue: `packages/${p}/src/lib/error-codes.ts`,
  })),
  { name: 'runner', catalogue: 'apps/runner/src/lib/error-codes.ts', alsoNames: [CORE_CATALOGUE] },
  { name: 'aggregate', catalogue: 'apps/aggregate/src/error-codes.ts', alsoNames: [CORE_CATALOGUE] },
];

const codesOf = (file) => new Set([...readFileSync(join(ROOT, file), 'utf8').matchAll(/^\s+(E_[A-Z0-9_]+):/gm)].map((m) => m[1]));

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' || entry.name === '__fixtures__' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && entry.name !== 'error-codes.ts' ? [path] : [];
  });
}

const problems = [];
let codes = 0;
for (const project of PROJECTS) {
  if (!existsSync(join(ROOT, project.catalogue))) {
    problems.push(`${project.name}: no catalogue at ${project.catalogue}`);
    continue;
  }
  const own = codesOf(project.catalogue);
  codes += own.size;
  const allowed = new Set([...own, ...(project.alsoNames ?? []).flatMap((f) => [...codesOf(f)])]);
  const src = join(ROOT, project.catalogue.slice(0, project.catalogue.indexOf('/src/') + 5));
  const files = sources(src).map((path) => ({ path: relative(src, path), text: readFileSync(path, 'utf8') }));
  const used = new Set(files.flatMap(({ text }) => [...text.matchAll(/'(E_[A-Z0-9_]+)'/g)].map((m) => m[1])));
  for (const code of [...used].filter((c) => !allowed.has(c)).sort())
    problems.push(`${project.name}: '${code}' is thrown but not in ${project.catalogue}: add it with its meaning`);
  for (const code of [...own].filter((c) => !used.has(c)))
    problems.push(`${project.name}: ${code} is in ${project.catalogue} but no source names it: remove it`);
  for (const { path, text } of files) {
    if ((project.untypedAllowed ?? []).some((a) => path.startsWith(a))) continue;
    for (const m of text.matchAll(/(?:new (?:InputError|DataError|CompatibilityError|EnvironmentError)|assertInput)\(/g)) {
      problems.push(`${project.name}: ${path}: \`${m[0]}\` is not typed by the catalogue (write ${m[0].slice(0, -1)}<Code>(…))`);
    }
  }
}
for (const p of problems) process.stderr.write(`error-codes: ${p}\n`);
process.stdout.write(`error-codes: ${PROJECTS.length} catalogues, ${codes} codes, ${problems.length} problems\n`);
process.exit(problems.length ? 1 : 0);
