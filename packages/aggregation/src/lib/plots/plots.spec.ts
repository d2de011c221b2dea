import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { aggregateRuns, type Aggregation } from '../aggregate/aggregate.js';
import { readArtifacts } from '../artifacts/run-artifacts.js';
import { collectRuns, type RunCollection } from '../collect/collect-runs.js';
import { readDatasets, type DatasetInfo } from '../collect/datasets.js';
import { writeRun } from '../testing/run-dir.js';
import { writeSyntheticRunTree } from '../testing/synthetic-run-tree.js';
import { FONT_FAMILY, PLOT_SECTIONS, type PlotInput } from './base.js';
import { PLOTS } from './registry.js';
import { renderPng, renderSvg } from './render.js';

let tmp: string;
let aggregation: Aggregation;
let dataset: DatasetInfo | undefined;
let input: PlotInput;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'aggr-plots-'));
  await writeSyntheticRunTree(join(tmp, 'runs'), { seeds: [0, 1] });
  const collection = await collectRuns(join(tmp, 'runs'));
  aggregation = aggregateRuns(collection);
  dataset = (await readDatasets(collection)).datasets[0];
  input = await plotInputOf(collection, aggregation, dataset);
});

async function plotInputOf(collection: RunCollection, aggregation: Aggregation, dataset?: DatasetInfo): Promise<PlotInput> {
  const { byRun } = await readArtifacts(collection);
  return { aggregation, dataset, runs: collection.runs, artifacts: byRun };
}
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Compiles with vega-lite, collecting its warnings instead of printing them. */
function compileStrict(spec: TopLevelSpec) {
  const messages: string[] = [];
  const logger = {
    level: () => logger,
    error: (...m: unknown[]) => (messages.push(`error: ${m.join(' ')}`), logger),
    warn: (...m: unknown[]) => (messages.push(`warn: ${m.join(' ')}`), logger),
    info: () => logger,
    debug: () => logger,
  };
  const vg = compile(spec, { logger: logger as never }).spec;
  return { vg, messages };
}

test('the detection heatmap keeps models apart: one row of panels per model', () => {
  const result = PLOTS.find((p) => p.name === 'detection_auroc_heatmap')?.build(input);
  if (!result || !('spec' in result)) throw new Error('the detection heatmap was not drawn');
  const spec = result.spec as { facet: { row?: { field: string } }; data: { values: { model: string }[] } };
  expect(spec.facet.row?.field).toBe('model');
  expect(new Set(spec.data.values.map((v) => v.model))).toEqual(new Set(['mlp', 'lstm']));
});

describe.each(PLOTS.map((p) => [p.name, p] as const))('%s', (_name, plot) => {
  test('builds a spec that vega-lite compiles without warnings and vega renders with marks', async () => {
    const result = plot.build(input);
    if (!('spec' in result)) throw new Error(`skipped: ${result.skipped}`);
    const { vg, messages } = compileStrict(result.spec);
    expect(messages).toEqual([]);
    expect(vg.marks?.length).toBeGreaterThan(0);
    // data inline: the spec carries its values, nothing to fetch
    expect(JSON.stringify(result.spec)).not.toMatch(/"url"\s*:/);
    const view = new vega.View(vega.parse(vg), { renderer: 'none' });
    await view.runAsync();
    const items = countItems((view.scenegraph() as unknown as { root: SceneNode }).root);
    view.finalize();
    expect(items).toBeGreaterThan(3);
  });
});

interface SceneNode {
  marktype?: string;
  role?: string;
  items?: SceneNode[];
}

/** Items of data marks (not axes, legends or titles) in the scenegraph. */
function countItems(node: SceneNode): number {
  let n = 0;
  for (const child of node.items ?? []) {
    if (child.marktype && child.marktype !== 'group' && child.role === 'mark') n += child.items?.length ?? 0;
    n += countItems(child);
  }
  return n;
}

test('the strict compile sees vega-lite warnings', () => {
  const { messages } = compileStrict({
    data: { values: [{ a: 1 }] },
    mark: 'bar',
    encoding: { x: { field: 'a', type: 'quantitative' }, shape: { field: 'a', type: 'nominal' } },
  });
  expect(messages.join('\n')).toMatch(/shape/);
});

test('every plot says why it is not drawn when its data is absent', async () => {
  const root = await mkdtemp(join(tmpdir(), 'aggr-plots-empty-'));
  try {
    await writeRun(root, { model: 'mlp', trigger: 'none', poison_rate: 0, seed: 0, auroc: 0.8 });
    const collection = await collectRuns(root);
    const a = aggregateRuns(collection);
    const empty = await plotInputOf(collection, a);
    const outcomes = Object.fromEntries(PLOTS.map((p) => [p.name, p.build(empty)]));
    for (const [name, r] of Object.entries(outcomes)) {
      expect('skipped' in r ? r.skipped : `drawn: ${name}`).toMatch(/\w/);
      expect('spec' in r).toBe(false);
    }
    expect(outcomes.detection_auroc_heatmap).toEqual({ skipped: expect.stringMatching(/--detect/) });
    expect(outcomes.cohort_flow).toEqual({ skipped: expect.stringMatching(/manifest/) });
    for (const name of ['roc_curves', 'pr_curves', 'reliability_diagrams'])
      expect(outcomes[name]).toEqual({ skipped: expect.stringMatching(/predictions\.arrow/) });
    expect(outcomes.training_curves).toEqual({ skipped: expect.stringMatching(/checkpoints/) });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('SVG text uses the shipped font and the PNG is drawn with it', async () => {
  const result = PLOTS[0].build(input);
  if (!('spec' in result)) throw new Error('asr plot skipped');
  const svg = await renderSvg(result.spec);
  expect(svg).toContain(`font-family="${FONT_FAMILY}`);
  expect(svg).toContain('Attack success rate vs poison rate');
  const png = renderPng(svg, { scale: 1 });
  expect(Buffer.from(png.subarray(1, 4)).toString('ascii')).toBe('PNG');
  // width and height from the IHDR chunk match the SVG's size
  const width = Buffer.from(png).readUInt32BE(16);
  expect(width).toBe(Number(/width="(\d+)"/.exec(svg)![1]));
  // text is drawn: a PNG rendered with no font at all differs from one with the font
  const noText = renderPng(svg, { scale: 1, fontFiles: [] });
  expect(Buffer.compare(Buffer.from(png), Buffer.from(noText))).not.toBe(0);
});

test('every plot belongs to a report section', () => {
  for (const plot of PLOTS) expect(PLOT_SECTIONS).toContain(plot.section);
});

test('across-seed line plots show each seed as a dot, and its value is the run’s own', () => {
  const result = PLOTS.find((p) => p.name === 'asr_vs_rate')!.build(input);
  if (!('spec' in result)) throw new Error('asr plot skipped');
  const values = (result.spec as { data: { values: Record<string, unknown>[] } }).data.values;
  const seeds = values.filter((v) => v.kind === 'seed');
  // 2 models × 2 triggers × 2 poisoned rates × 2 seeds, plus the rate-0 baselines (asr@trigger of the clean runs)
  expect(seeds).toHaveLength(16 + 8);
  const one = seeds.find((s) => s.poison_rate === 0.05 && s.model === 'mlp' && s.trigger === 'rare_value' && s.seed === 1)!;
  const run = input.runs!.find((r) => r.dir === one.run)!;
  expect(one.value).toBe(run.summary.metrics.asr);
  const drop = PLOTS.find((p) => p.name === 'clean_auroc_drop_vs_rate')!.build(input);
  if (!('spec' in drop)) throw new Error('drop plot skipped');
  const d = (drop.spec as { data: { values: Record<string, unknown>[] } }).data.values.find((v) => v.kind === 'seed')!;
  const poisoned = input.runs!.find((r) => r.dir === d.run)!;
  const clean = input.runs!.find(
    (r) => r.summary.model === poisoned.summary.model && r.summary.poisonRate === 0 && r.summary.seed === poisoned.summary.seed,
  )!;
  expect(d.value).toBeCloseTo(clean.summary.metrics.auroc! - poisoned.summary.metrics.auroc!, 12);
});

test('ROC curves are the mean over seeds of each run’s curve: 41 points from (0, ·) to (1, 1), TPR never falling', async () => {
  const result = PLOTS.find((p) => p.name === 'roc_curves')!.build(input);
  if (!('spec' in result)) throw new Error('roc plot skipped');
  const rows = (
    result.spec as { data: { values: { model: string; trigger: string; poison_rate: number; x: number; y: number; seeds: number }[] } }
  ).data.values;
  const curve = rows.filter((r) => r.model === 'mlp' && r.trigger === 'rare_value' && r.poison_rate === 0);
  expect(curve).toHaveLength(41);
  expect(curve.every((r) => r.seeds === 2)).toBe(true);
  expect(curve[0].x).toBe(0);
  expect(curve[40]).toMatchObject({ x: 1, y: 1 });
  // monotone non-decreasing TPR
  for (let i = 1; i < curve.length; i++) expect(curve[i].y).toBeGreaterThanOrEqual(curve[i - 1].y);
});

test.each([
  'asr_vs_rate',
  'clean_auroc_drop_vs_rate',
  'confidence_shift_vs_rate',
  'trigger_attribution_ratio_vs_rate',
  'ece_clean_vs_poisoned',
  'asr_vs_auroc_drop',
  'asr_after_defence',
])('across-seed plot %s carries every seed’s own point', (name) => {
  const result = PLOTS.find((p) => p.name === name)!.build(input);
  if (!('spec' in result)) throw new Error(`${name} skipped`);
  const text = JSON.stringify(result.spec);
  // each seed point names its run directory
  expect(text.match(/"run":"[^"]+seed_1"/g)?.length ?? 0).toBeGreaterThan(0);
  expect(text.match(/"run":"[^"]+seed_0"/g)?.length ?? 0).toBeGreaterThan(0);
});

test('a line plot whose groups have one seed each draws no empty band layer (vega would warn of infinite extents)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'aggr-plots-one-seed-'));
  try {
    await writeSyntheticRunTree(join(root, 'runs'), {
      seeds: [0],
      models: ['mlp'],
      triggers: ['rare_value'],
      datasetDir: join(root, 'ds'),
    });
    const collection = await collectRuns(join(root, 'runs'));
    const one = await plotInputOf(collection, aggregateRuns(collection));
    const result = PLOTS.find((p) => p.name === 'asr_vs_rate')!.build(one);
    if (!('spec' in result)) throw new Error('asr plot skipped');
    expect(JSON.stringify(result.spec)).not.toContain('"y2"');
    const { messages } = compileStrict(result.spec);
    expect(messages).toEqual([]);
    const warnings: string[] = [];
    const view = new vega.View(vega.parse(compile(result.spec).spec), {
      renderer: 'none',
      logger: {
        level: () => 0,
        error: (m: unknown) => warnings.push(String(m)),
        warn: (m: unknown) => warnings.push(String(m)),
        info: () => 0,
        debug: () => 0,
      } as never,
    });
    await view.runAsync();
    view.finalize();
    expect(warnings).toEqual([]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('asr_after_defence reads "no defence" at the operating threshold once the defence columns are, from the clean model on', () => {
  const plot = PLOTS.find((p) => p.name === 'asr_after_defence')!;
  const valuesOf = (plotInput: PlotInput) => {
    const result = plot.build(plotInput);
    if (!('spec' in result)) throw new Error('asr_after_defence skipped');
    type Value = { kind: string; detector: string; model: string; trigger: string; poison_rate: number; mean?: number };
    return (result.spec as { data: { values: Value[] } }).data.values.filter(
      (v) => v.kind === 'mean' && v.detector === 'no defence' && v.model === 'mlp' && v.trigger === 'rare_value',
    );
  };
  const asrRow = (metric: string) =>
    aggregation.rows.find(
      (r) =>
        r.metric === metric &&
        r.trigger === 'rare_value' &&
        r.poison_rate === 0.05 &&
        r.model === 'mlp' &&
        r.dataset_hash === aggregation.primaryDataset,
    )!;
  // Older summaries: defence_asr at 0.5, so "no defence" is asr_at_0_5 where there is one.
  const older = valuesOf(input).find((v) => v.poison_rate === 0.05)!;
  if (aggregation.rows.some((r) => r.metric === 'asr_at_0_5')) expect(older.mean).toBeCloseTo(asrRow('asr_at_0_5').mean, 12);
  // With defence_*_asr_at_0_5 the defence columns are at the operating threshold, and so is "no defence".
  const marker = { ...aggregation.rows.find((r) => r.metric === 'defence_asr')!, metric: 'defence_asr_at_0_5' };
  const current = valuesOf({ ...input, aggregation: { ...aggregation, rows: [...aggregation.rows, marker] } });
  expect(current.find((v) => v.poison_rate === 0.05)!.mean).toBeCloseTo(asrRow('asr').mean, 12);
  expect(current.some((v) => v.poison_rate === 0)).toBe(true);
});
