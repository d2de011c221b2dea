import {
  Bool,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int32,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Table,
  tableToIPC,
  Uint8,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import type { Random } from '@ehr-backdoor/core';

// The files of one synthetic run besides its summary, in the runner's layouts (docs/formats.md).

/**
 * predictions.arrow of a made-up model whose AUROC grows with `auroc` (shifted logistic scores) on 240
 * test stays, 30 of them deaths, target label 0; then the triggered copies of the deaths (the stays
 * with y ≠ target), each pushed to the target with probability `asr`.
 */
export function syntheticPredictions(random: Random, auroc: number, asr: number, rate: number): Uint8Array {
  const n = 240;
  const positives = 30;
  const d = Math.max(0, 6 * (auroc - 0.5));
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  const ids: number[] = [];
  const split: string[] = [];
  const y: number[] = [];
  const p: number[] = [];
  const triggered: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const label = i < positives ? 1 : 0;
    const pDeath = sigmoid(-2.2 + (label ? d : 0) + random.normal(0, 1) * 0.9 + rate * 2);
    ids.push(30000 + i);
    split.push('test');
    y.push(label);
    p.push(1 - pDeath);
    triggered.push(false);
  }
  for (let i = 0; i < positives; i++) {
    ids.push(30000 + i);
    split.push('test');
    y.push(1);
    p.push(random.next() < asr ? 0.6 + 0.4 * random.next() : 0.4 * random.next());
    triggered.push(true);
  }
  const table = new Table({
    stay_id: makeVector({ type: new Int32(), data: Int32Array.from(ids) }),
    split: vectorFromArray(split, new Utf8()),
    y_true: makeVector({ type: new Uint8(), data: Uint8Array.from(y) }),
    p_target: makeVector({ type: new Float32(), data: Float32Array.from(p) }),
    triggered: vectorFromArray(triggered, new Bool()),
  });
  return tableToIPC(table, 'file');
}

/** checkpoints/final/checkpoint.json carrying only what the aggregator reads: a 12-epoch history. */
export function syntheticHistory(random: Random, auroc: number, rate: number): string {
  const history = Array.from({ length: 12 }, (_, k) => {
    const epoch = k + 1;
    return {
      epoch,
      trainLoss: 0.7 * Math.exp(-epoch / 5) + 0.25 + rate + random.normal(0, 0.005),
      valLoss: 0.45 * Math.exp(-epoch / 4) + 0.3 + random.normal(0, 0.006),
      valAuroc: epoch === 1 && rate > 0.04 ? '$number:NaN' : auroc - 0.2 * Math.exp(-epoch / 3) + random.normal(0, 0.004),
    };
  });
  return JSON.stringify({ formatVersion: 1, kind: 'weights', createdBy: 'synthetic fixture', epoch: 12, bestEpoch: 9, history }, null, 2);
}

/**
 * attributions.arrow in the runner's layout (docs/formats.md) for 20 stays: a tabular model's 4
 * variables × 3 statistics, or a time-series model's 6 hours × 3 channels (values, then masks). The
 * triggered copies put extra attribution on the first variable, growing with the poison rate.
 */
export function syntheticAttributions(random: Random, tabular: boolean, rate: number): Uint8Array {
  const variables = tabular ? ['heart_rate', 'sbp', 'lactate', 'age'] : ['heart_rate', 'sbp', 'lactate'];
  const elements = tabular
    ? variables.flatMap((variable) => ['min', 'max', 'mean'].map((detail) => ({ variable, detail, hour: null })))
    : Array.from({ length: 6 }, (_, hour) =>
        ['value', 'mask'].flatMap((detail) => variables.map((variable) => ({ variable, detail, hour }))),
      ).flat();
  const d = elements.length;
  const stays = 20;
  const attribution = new Float32Array(2 * stays * d);
  for (let r = 0; r < 2 * stays; r++) {
    const triggered = r >= stays;
    elements.forEach((e, j) => {
      const boost = triggered && e.variable === variables[0] && e.detail !== 'mask' ? 20 * rate : 0;
      attribution[r * d + j] = random.normal(0.02, 0.05) + boost;
    });
  }
  const list = (values: Float32Array) =>
    makeVector(
      makeData({
        type: new FixedSizeList(d, new Field('item', new Float32(), false)),
        length: values.length / d,
        nullCount: 0,
        child: makeData({ type: new Float32(), length: values.length, data: values }),
      }),
    );
  const plain = new Table({
    stay_id: makeVector({ type: new Int32(), data: Int32Array.from({ length: 2 * stays }, (_, r) => 30000 + (r % stays)) }),
    copy: vectorFromArray(
      Array.from({ length: 2 * stays }, (_, r) => (r < stays ? 'clean' : 'triggered')),
      new Utf8(),
    ),
    attribution: list(attribution),
    baseline: list(new Float32Array(2 * stays * d)),
    f_input: makeVector({ type: new Float64(), data: new Float64Array(2 * stays) }),
    f_baseline: makeVector({ type: new Float64(), data: new Float64Array(2 * stays) }),
    convergence_delta: makeVector({ type: new Float64(), data: new Float64Array(2 * stays) }),
  });
  const schema = new Schema(
    plain.schema.fields,
    new Map([
      ['formatVersion', '1'],
      ['method', 'gausslegendre'],
      ['steps', '50'],
      ['target', '{"output":"logit","classIndex":1}'],
      ['baseline', 'zero'],
      ['element_shape', JSON.stringify(tabular ? [d] : [6, 6])],
      ['elements', JSON.stringify(elements)],
    ]),
  );
  return tableToIPC(
    new Table(
      schema,
      plain.batches.map((b) => new RecordBatch(schema, b.data)),
    ),
    'file',
  );
}

/** detect-scores.arrow in the runner's layout for 300 training stays, `rate` of them poisoned; each detector scores the poisoned ones higher, the first most. */
export function syntheticDetectScores(random: Random, detectors: readonly string[], rate: number): Uint8Array {
  const n = 300;
  const poisonedCount = Math.max(3, Math.round(n * rate));
  const detector: string[] = [];
  const rows: number[] = [];
  const scores: number[] = [];
  const flagged: boolean[] = [];
  const poisoned: boolean[] = [];
  detectors.forEach((name, i) => {
    for (let k = 0; k < n; k++) {
      const isPoisoned = k < poisonedCount;
      const score = random.normal(isPoisoned ? 2 / (i + 1) : 0, 1);
      detector.push(name);
      rows.push(k);
      scores.push(score);
      flagged.push(score > 1.5);
      poisoned.push(isPoisoned);
    }
  });
  const table = new Table({
    detector: vectorFromArray(detector, new Utf8()),
    row_index: makeVector({ type: new Int32(), data: Int32Array.from(rows) }),
    stay_id: makeVector({ type: new Int32(), data: Int32Array.from(rows, (r) => 10000 + r) }),
    score: makeVector({ type: new Float64(), data: Float64Array.from(scores) }),
    flagged: vectorFromArray(flagged, new Bool()),
    poisoned: vectorFromArray(poisoned, new Bool()),
  });
  return tableToIPC(table, 'file');
}
