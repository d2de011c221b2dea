import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { aggregateRuns, type Aggregation } from '../aggregate/aggregate.js';
import { collectRuns } from '../collect/collect-runs.js';
import { readDatasets, type DatasetInfo } from '../collect/datasets.js';
import { writeRun } from '../testing/run-dir.js';
import { writeSyntheticRunTree } from '../testing/synthetic-run-tree.js';
import { FONT_FAMILY } from './base.js';
import { PLOTS } from './registry.js';
import { renderPng, renderSvg } from './render.js';

let tmp: string;
let aggregation: Aggregation;
let dataset: DatasetInfo | undefined;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'aggr-plots-'));
  await writeSyntheticRunTree(join(tmp, 'runs'), { seeds: [0, 1] });
  const collection = await collectRuns(join(tmp, 'runs'));
  aggregation = aggregateRuns(collection);
  dataset = (await readDatasets(collection)).datasets[0];
});
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

describe.each(PLOTS.map((p) => [p.name, p] as const))('%s', (_name, plot) => {
  test('builds a spec that vega-lite compiles without warnings and vega renders with marks', async () => {
    const result = plot.build({ aggregation, dataset });
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
  const { messages } = compileStrict({ data: { values: [{ a: 1 }] }, mark: 'bar', encoding: { x: { field: 'a', type: 'quantitative' }, shape: { field: 'a', type: 'nominal' } } });
  expect(messages.join('\n')).toMatch(/shape/);
});

test('every plot says why it is not drawn when its data is absent', async () => {
  const root = await mkdtemp(join(tmpdir(), 'aggr-plots-empty-'));
  try {
    await writeRun(root, { model: 'mlp', trigger: 'none', poison_rate: 0, seed: 0, auroc: 0.8 });
    const a = aggregateRuns(await collectRuns(root));
    const outcomes = Object.fromEntries(PLOTS.map((p) => [p.name, p.build({ aggregation: a })]));
    for (const [name, r] of Object.entries(outcomes)) {
      expect('skipped' in r ? r.skipped : `drawn: ${name}`).toMatch(/\w/);
      expect('spec' in r).toBe(false);
    }
    expect(outcomes.detection_auroc_heatmap).toEqual({ skipped: expect.stringMatching(/--detect/) });
    expect(outcomes.cohort_flow).toEqual({ skipped: expect.stringMatching(/manifest/) });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('SVG text uses the shipped font and the PNG is drawn with it', async () => {
  const result = PLOTS[0].build({ aggregation, dataset });
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
