#!/usr/bin/env node
// Fails when a file imports itself back through a chain of relative imports inside one project (`a.ts` → `b.ts`
// → `a.ts`). Cycles between projects are lint's (`@nx/enforce-module-boundaries`); this is the one inside a
// project, which lint does not see. Type-only imports count too: a cycle of types still ties two modules
// together and means a third module is missing. Uses TypeScript's own pre-parser, so comments and strings
// that look like imports are ignored. Specs and test fixtures are left out: they never ship.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const projectRoots = ['packages', 'apps'].flatMap((d) =>
  readdirSync(join(root, d))
    .map((p) => join(root, d, p, 'src'))
    .filter((p) => existsSync(p)),
);
const shipped = (file) => /\.tsx?$/.test(file) && !/\.(spec|test-d)\.ts$/.test(file) && !/[/\\](testing|__fixtures__)[/\\]/.test(file);

function listFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : listFiles(path);
    return shipped(path) ? [path] : [];
  });
}

// `./x.js` → `./x.ts` (or `.tsx`, or `./x/index.ts`), as the NodeNext resolution the sources are written for.
function resolveRelative(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(m?js|tsx?)$/, '');
  for (const candidate of [`${stem}.ts`, `${stem}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function edges(file) {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((s) => s.startsWith('.'))
    .map((s) => resolveRelative(file, s))
    .filter((target) => target !== undefined && shipped(target));
}

// Tarjan's strongly connected components; every component of more than one file (or a file importing
// itself) is a cycle.
function cycles(graph) {
  let index = 0;
  const state = new Map();
  const stack = [];
  const found = [];
  function visit(v) {
    state.set(v, { index, low: index, onStack: true });
    index += 1;
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!state.has(w)) {
        visit(w);
        state.get(v).low = Math.min(state.get(v).low, state.get(w).low);
      } else if (state.get(w).onStack) {
        state.get(v).low = Math.min(state.get(v).low, state.get(w).index);
      }
    }
    if (state.get(v).low === state.get(v).index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        state.get(w).onStack = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  }
  for (const v of graph.keys()) if (!state.has(v)) visit(v);
  return found;
}

const graph = new Map();
for (const dir of projectRoots) for (const file of listFiles(dir)) graph.set(file, edges(file));
const found = cycles(graph);
for (const component of found) {
  process.stderr.write(`import cycle among ${component.length} files:\n${component.map((f) => `  ${relative(root, f)}`).join('\n')}\n`);
}
if (found.length > 0) {
  process.stderr.write(`${found.length} import cycle(s): move what both sides need into a module of its own.\n`);
  process.exit(1);
}
process.stdout.write(`no import cycles in ${graph.size} source files of ${projectRoots.length} projects\n`);
