import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildReport } from '../build-report.js';
import { PLOTS } from '../plots/registry.js';
import { writeSyntheticRunTree } from '../testing/synthetic-run-tree.js';

/**
 * The Parquet snippets of docs/formats.md, run against a freshly built report: each block after a
 * `<!-- snippet: KIND -->` marker, with `runs/default-report` pointed at the report. DuckDB snippets
 * always run (DuckDB's Node binding is a dependency). Python ones run where `python3` imports what
 * they need; otherwise they are skipped with the reason (Debian 12 packages pandas but neither pyarrow
 * nor fastparquet, so pandas there cannot read Parquet at all).
 */
const WORKSPACE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..');

function snippets(markdown: string): { kind: string; code: string }[] {
  return [...markdown.matchAll(/<!-- snippet: (\w+) -->\s*```\w+\n([\s\S]*?)```/g)].map((m) => ({ kind: m[1], code: m[2] }));
}

function pythonHas(modules: string): string | undefined {
  const probe = spawnSync('python3', ['-c', `import ${modules}`], { encoding: 'utf8' });
  if (probe.error) return `python3 is not installed (${probe.error.message})`;
  if (probe.status !== 0) return `python3 cannot import ${modules}: ${probe.stderr.trim().split('\n').pop()}`;
  return undefined;
}

let tmp: string;
let report: string;
let docs: { kind: string; code: string }[];
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'aggr-parquet-docs-'));
  await writeSyntheticRunTree(join(tmp, 'runs'), { models: ['mlp'], triggers: ['rare_value'], rates: [0, 0.05], seeds: [0, 1] });
  report = join(tmp, 'report');
  await buildReport({ runsDir: join(tmp, 'runs'), outDir: report, png: false, plots: PLOTS.slice(0, 1) });
  docs = snippets(await readFile(join(WORKSPACE, 'docs', 'formats.md'), 'utf8'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const here = (code: string) => code.replaceAll('runs/default-report', report);

test('docs/formats.md has DuckDB, pandas and polars snippets', () => {
  expect(docs.map((d) => d.kind).sort()).toEqual(['duckdb', 'duckdb', 'pandas', 'polars']);
});

test('its DuckDB snippets run on a report and return rows', async () => {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    for (const { code } of docs.filter((d) => d.kind === 'duckdb')) {
      const rows = (await db.runAndReadAll(here(code))).getRowObjectsJS();
      expect(rows.length).toBeGreaterThan(0);
    }
  } finally {
    db.closeSync();
  }
});

describe.each([
  ['pandas', 'pandas, pyarrow'],
  ['polars', 'polars'],
])('its %s snippet', (kind, modules) => {
  const missing = pythonHas(modules);
  if (missing) console.warn(`docs/formats.md ${kind} snippet not run: ${missing}.`);
  (missing ? test.skip : test)('runs with python3 and prints a result', () => {
    const code = docs.find((d) => d.kind === kind)!.code;
    const out = execFileSync('python3', ['-c', here(code)], { encoding: 'utf8' });
    expect(out.trim().length).toBeGreaterThan(0);
  });
});
