import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGGREGATION_CODES } from './error-codes.js';

// Grep-based: the type checker already refuses a throw site typed by the catalogue with a code not in it;
// this catches codes written where no type reaches them, and throw sites left untyped.
const SRC = join(dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && entry.name !== 'error-codes.ts' ? [path] : [];
  });
}

describe('the error-code catalogue', () => {
  const files = sources(SRC).map((path) => ({ path: relative(SRC, path), text: readFileSync(path, 'utf8') }));
  const used = new Set(files.flatMap(({ text }) => [...text.matchAll(/'(E_[A-Z0-9_]+)'/g)].map((m) => m[1])));

  it('holds every code the sources name', () => {
    expect([...used].filter((code) => !(code in AGGREGATION_CODES)).sort()).toEqual([]);
  });

  it('holds no code the sources never name', () => {
    expect(Object.keys(AGGREGATION_CODES).filter((code) => !used.has(code))).toEqual([]);
  });

  it('types every coded throw site by the catalogue', () => {
    const untyped = files.flatMap(({ path, text }) =>
      [...text.matchAll(/(?:new (?:InputError|DataError|CompatibilityError|EnvironmentError)|assertInput)\(/g)].map((m) => `${path}: ${m[0]}`),
    );
    expect(untyped.filter((site) => !([] as string[]).some((allowed) => site.startsWith(allowed)))).toEqual([]);
  });
});
