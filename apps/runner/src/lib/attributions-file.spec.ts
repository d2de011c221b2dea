import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import type { EhrDataset } from '@ehr-backdoor/data';
import type { ModelDriftResult } from '@ehr-backdoor/explain';
import type { TrainedModel } from '@ehr-backdoor/train';
import { attributionElements, writeAttributions } from './attributions-file.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'runner-attr-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const ig = (attributions: number[], fIn: number[], fBase: number[]) => ({
  attributions: Float32Array.from(attributions),
  shape: [2, 3],
  forwardAtInput: Float64Array.from(fIn),
  forwardAtBaseline: Float64Array.from(fBase),
  // Captum's convergence delta: Σ attribution − (F(x) − F(b)), per stay
  delta: Float64Array.from([0, 1].map((s) => attributions.slice(3 * s, 3 * s + 3).reduce((a, b) => a + b, 0) - (fIn[s] - fBase[s]))),
  method: 'gausslegendre',
  steps: 50,
  target: { output: 'logit', classIndex: 1 },
});

test('writes one row per stay and copy with its attribution, baseline, F values and convergence delta, and names every element', async () => {
  const result = {
    clean: ig([0.1, 0.2, 0.3, -0.1, 0, 0.5], [1, 0.5], [0.2, 0.2]),
    triggered: ig([1, 0, 0, 0.5, 0.5, 0], [2, 1.1], [0.2, 0.2]),
  } as unknown as ModelDriftResult;
  const path = join(tmp, 'attributions.arrow');
  const elements = [
    { variable: 'heart_rate', detail: 'min', hour: null },
    { variable: 'heart_rate', detail: 'max', hour: null },
    { variable: 'age', detail: 'static', hour: null },
  ];
  await writeAttributions(path, { result, stayIds: [11, 12], elements, baseline: Float32Array.from([0, 0, 0]), baselineKind: 'zero' });
  const t = tableFromIPC(await readFile(path));
  expect(t.numRows).toBe(4);
  expect(t.getChild('stay_id')!.toArray()).toEqual(Int32Array.from([11, 12, 11, 12]));
  expect([...t.getChild('copy')!]).toEqual(['clean', 'clean', 'triggered', 'triggered']);
  expect(Array.from(t.getChild('attribution')!.get(3)!.toArray() as Float32Array)).toEqual(Array.from(Float32Array.from([0.5, 0.5, 0])));
  expect(Array.from(t.getChild('baseline')!.get(0)!.toArray() as Float32Array)).toEqual([0, 0, 0]);
  expect(t.getChild('f_input')!.get(2)).toBe(2);
  expect(t.getChild('convergence_delta')!.get(2)).toBeCloseTo(1 - (2 - 0.2), 12);
  const md = t.schema.metadata;
  expect(JSON.parse(md.get('elements')!)).toEqual(elements);
  expect(Object.fromEntries([...md].filter(([k]) => k !== 'elements'))).toEqual({
    formatVersion: '1',
    method: 'gausslegendre',
    steps: '50',
    target: '{"output":"logit","classIndex":1}',
    baseline: 'zero',
    element_shape: '[3]',
  });
});

test('elements of a time-series model: hours × (values, masks) of each channel, in the model’s input order', () => {
  const model = { normalisation: { view: 'timeseries', names: ['hr', 'sbp'], hours: 2 } } as unknown as TrainedModel;
  expect(attributionElements(model, {} as EhrDataset)).toEqual([
    { variable: 'hr', detail: 'value', hour: 0 },
    { variable: 'sbp', detail: 'value', hour: 0 },
    { variable: 'hr', detail: 'mask', hour: 0 },
    { variable: 'sbp', detail: 'mask', hour: 0 },
    { variable: 'hr', detail: 'value', hour: 1 },
    { variable: 'sbp', detail: 'value', hour: 1 },
    { variable: 'hr', detail: 'mask', hour: 1 },
    { variable: 'sbp', detail: 'mask', hour: 1 },
  ]);
});

test('a result that does not match the stays and elements is a bug, and nothing is written', async () => {
  const result = {
    clean: ig([0.1, 0.2, 0.3, -0.1, 0, 0.5], [1, 0.5], [0.2, 0.2]),
    triggered: ig([1, 0, 0, 0.5, 0.5, 0], [2, 1.1], [0.2, 0.2]),
  } as unknown as ModelDriftResult;
  const path = join(tmp, 'bad.arrow');
  await expect(
    writeAttributions(path, { result, stayIds: [11], elements: [], baseline: new Float32Array(0), baselineKind: 'zero' }),
  ).rejects.toThrow(/this is a bug/);
  await expect(readFile(path)).rejects.toMatchObject({ code: 'ENOENT' });
});
