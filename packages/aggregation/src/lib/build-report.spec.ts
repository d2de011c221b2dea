import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { buildReport } from './build-report.js';
import { PLOTS } from './plots/registry.js';
import { writeSyntheticRunTree } from './testing/synthetic-run-tree.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'aggr-report-'));
  await writeSyntheticRunTree(join(tmp, 'runs'), { seeds: [0, 1], problems: true });
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

test('writes the tables, stats.json, every plot in three forms and an offline report', async () => {
  const out = join(tmp, 'report');
  const result = await buildReport({ runsDir: join(tmp, 'runs'), outDir: out, now: new Date('2026-01-02T03:04:05Z') });
  expect(result.runs).toEqual({ found: 26, aggregated: 20, excluded: 6, notStarted: 0 });
  expect(result.plots.filter((p) => p.skipped)).toEqual([]);
  for (const plot of PLOTS) {
    for (const ext of ['vl.json', 'data.json', 'svg', 'png']) expect(existsSync(join(out, 'plots', `${plot.name}.${ext}`))).toBe(true);
    const spec = JSON.parse(await readFile(join(out, 'plots', `${plot.name}.vl.json`), 'utf8')) as {
      $schema: string;
      data?: { values: unknown[] };
    };
    expect(spec.$schema).toMatch(/vega-lite\/v6/);
  }
  const stats = JSON.parse(await readFile(join(out, 'stats.json'), 'utf8'));
  expect(stats).toMatchObject({ formatVersion: 1, createdAt: '2026-01-02T03:04:05.000Z', primaryDataset: expect.any(String) });
  expect(stats.warnings.map((w: { code: string }) => w.code).sort()).toEqual(
    ['W_RUN_FAILED', 'W_RUN_PARTIAL', 'W_RUN_RUNNING', 'W_RUN_UNFINISHED', 'W_SUMMARY_CORRUPT', 'W_SUMMARY_VERSION'].sort(),
  );
  expect(stats.ranking.entries).toHaveLength(2);
  expect(stats.tests.length).toBeGreaterThan(0);
  // NaN is written as null, never as a string or 0
  expect(stats.rows.some((r: { std: unknown }) => r.std === null)).toBe(true);
  const csv = await readFile(join(out, 'aggregated.csv'), 'utf8');
  expect(csv.trimEnd().split('\n')).toHaveLength(stats.rows.length + 1);
  const arrow = tableFromIPC(await readFile(join(out, 'aggregated.arrow')));
  expect(arrow.numRows).toBe(stats.rows.length);
  expect((await readFile(join(out, 'runs.csv'), 'utf8')).trimEnd().split('\n')).toHaveLength(21);

  const html = await readFile(result.reportPath, 'utf8');
  expect(html).toContain('Content-Security-Policy');
  // nothing to load from elsewhere: no src/href to a network location
  expect(html).not.toMatch(/\s(src|href)\s*=\s*["']?(https?:)?\/\//i);
  expect(html).not.toMatch(/sourceMappingURL=/);
  for (const plot of PLOTS) expect(html).toContain(`id="chart-${plot.name}"`);
  expect(html).toContain('W_SUMMARY_CORRUPT');
  expect(html).toContain('out of memory while training');
  expect(html).toContain('tensorflow-cpu');
  expect(html).toContain('@font-face');
  // a table of contents by section that links every plot, and each drawn plot links its spec and data
  for (const plot of PLOTS) {
    expect(html).toContain(`<a href="#plot-${plot.name}">`);
    expect(html).toContain(`<a href="plots/${plot.name}.vl.json" data-plot-file="${plot.name}">`);
    expect(html).toContain(`<a href="plots/${plot.name}.data.json" data-plot-file="${plot.name}">`);
  }
  for (const section of ['Attack', 'Clean performance and calibration', 'Training', 'Detection and defence', 'Data'])
    expect(html).toContain(`>${section}</a>`);

  // the Parquet twins hold the same tables, read back through DuckDB
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const one = async (sql: string) => (await db.runAndReadAll(sql)).getRowObjectsJS()[0] as Record<string, unknown>;
  expect(
    await one(
      `SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE mean IS NULL)::INTEGER AS nulls FROM '${join(out, 'aggregated.parquet')}'`,
    ),
  ).toEqual({
    n: stats.rows.length,
    nulls: stats.rows.filter((r: { mean: unknown }) => r.mean === null).length,
  });
  expect(await one(`SELECT count(*)::INTEGER AS n, count(DISTINCT dir)::INTEGER AS dirs FROM '${join(out, 'runs.parquet')}'`)).toEqual({
    n: 20,
    dirs: 20,
  });
  const first = stats.rows[0] as { model: string; metric: string; mean: number };
  const row = await one(
    `SELECT mean FROM '${join(out, 'aggregated.parquet')}' WHERE model = '${first.model}' AND metric = '${first.metric}' ORDER BY poison_rate LIMIT 1`,
  );
  expect(row.mean).toBe(first.mean);
  // predictions: every run's predictions.arrow stacked (270 rows each in this tree), values as written
  expect(
    await one(
      `SELECT count(*)::INTEGER AS n, count(DISTINCT dir)::INTEGER AS runs, sum(triggered::INTEGER)::INTEGER AS triggered FROM '${join(out, 'predictions.parquet')}'`,
    ),
  ).toEqual({ n: 20 * 270, runs: 20, triggered: 20 * 30 });
  const arrowRun = tableFromIPC(await readFile(join(tmp, 'runs', 'mlp', 'rare_value', '0.05', 'seed_1', 'predictions.arrow')));
  const parquetRun = (
    await db.runAndReadAll(`SELECT p_target, stay_id FROM '${join(out, 'predictions.parquet')}' WHERE dir = 'mlp/rare_value/0.05/seed_1'`)
  ).getRowObjectsJS() as { p_target: number; stay_id: number }[];
  expect(parquetRun.map((r) => r.p_target)).toEqual(Array.from(arrowRun.getChild('p_target')!.toArray() as Float32Array));
  expect(parquetRun.map((r) => r.stay_id)).toEqual(Array.from(arrowRun.getChild('stay_id')!.toArray() as Int32Array));
  db.closeSync();
});

test('--no-parquet writes no Parquet file', async () => {
  const out = join(tmp, 'report-no-parquet');
  await buildReport({ runsDir: join(tmp, 'runs'), outDir: out, png: false, parquet: false, plots: PLOTS.slice(0, 1) });
  for (const f of ['aggregated.parquet', 'runs.parquet', 'predictions.parquet']) expect(existsSync(join(out, f))).toBe(false);
  expect(await readFile(join(out, 'report.html'), 'utf8')).not.toContain('predictions.parquet');
});

test('replaces an earlier report but never another directory or the runs', async () => {
  const out = join(tmp, 'report2');
  await buildReport({ runsDir: join(tmp, 'runs'), outDir: out, png: false });
  expect(existsSync(join(out, 'plots', 'asr_vs_rate.png'))).toBe(false);
  await buildReport({ runsDir: join(tmp, 'runs'), outDir: out, png: false, plots: PLOTS.slice(0, 1) });
  expect(existsSync(join(out, 'plots', 'cohort_flow.svg'))).toBe(false);

  const other = join(tmp, 'precious');
  await mkdir(other);
  await writeFile(join(other, 'notes.txt'), 'keep me');
  await expect(buildReport({ runsDir: join(tmp, 'runs'), outDir: other })).rejects.toMatchObject({ code: 'E_OUT_DIR' });
  await expect(buildReport({ runsDir: join(tmp, 'runs'), outDir: tmp })).rejects.toMatchObject({ code: 'E_OUT_DIR' });
  await expect(buildReport({ runsDir: join(tmp, 'runs'), outDir: join(tmp, 'runs') })).rejects.toMatchObject({ code: 'E_OUT_DIR' });
  expect(await readFile(join(other, 'notes.txt'), 'utf8')).toBe('keep me');
});

test('bad trees are clear errors', async () => {
  await expect(buildReport({ runsDir: join(tmp, 'missing'), outDir: join(tmp, 'r3') })).rejects.toMatchObject({ code: 'E_RUNS_NOT_FOUND' });
  const empty = join(tmp, 'empty');
  await mkdir(empty);
  await expect(buildReport({ runsDir: empty, outDir: join(tmp, 'r3') })).rejects.toMatchObject({ code: 'E_NO_RUNS' });
  const broken = join(tmp, 'broken', 'mlp', 'rare_value', '0.05', 'seed_0');
  await mkdir(broken, { recursive: true });
  await writeFile(join(broken, 'summary.json'), '{');
  await expect(buildReport({ runsDir: join(tmp, 'broken'), outDir: join(tmp, 'r3') })).rejects.toMatchObject({
    code: 'E_NO_COMPLETED_RUNS',
    name: 'DataError',
  });
  expect(existsSync(join(tmp, 'r3'))).toBe(false);
});
