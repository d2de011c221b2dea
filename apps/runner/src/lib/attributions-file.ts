import {
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
  Utf8,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import { writeFileAtomic, BugError } from '@ehr-backdoor/core';
import type { EhrDataset } from '@ehr-backdoor/data';
import type { ModelDriftResult } from '@ehr-backdoor/explain';
import type { TrainedModel } from '@ehr-backdoor/train';

/**
 * attributions.arrow (`explain --save-attributions`): the raw integrated-gradients attributions behind
 * explain.json, for Captum-style analyses elsewhere. One row per explained stay and copy (the clean
 * stay, then the same stay with the trigger), each with its attribution vector, the baseline it was
 * integrated from, F(input), F(baseline) and the convergence delta Σ attribution − (F(input) − F(baseline)).
 *
 * Vectors are fixed-size lists over the model's input elements in the model's own (normalised) input
 * layout; the schema metadata `elements` names each one: `{variable, detail, hour}` where detail is the
 * statistic for tabular models and `value` or `mask` for time-series models (hour null for tabular).
 */
export const ATTRIBUTIONS_FORMAT_VERSION = 1;

export interface AttributionElement {
  readonly variable: string;
  /** Tabular: the statistic (min, max, mean, last, count, static). Time series: `value` or `mask`. */
  readonly detail: string;
  /** Time series: the hour of the window (0-based); null for tabular inputs. */
  readonly hour: number | null;
}

/** What each element of the model's input is: tabular features, or hours × (values, masks) of the channels. */
export function attributionElements(model: TrainedModel, dataset: EhrDataset): AttributionElement[] {
  const norm = model.normalisation;
  if (norm.view === 'tabular') {
    const byName = new Map(dataset.tabular.features.map((f) => [f.name, f]));
    return norm.names.map((name) => ({ variable: byName.get(name)?.variable ?? name, detail: byName.get(name)?.stat ?? name, hour: null }));
  }
  const C = norm.names.length;
  const out: AttributionElement[] = [];
  for (let t = 0; t < norm.hours; t++)
    for (let k = 0; k < 2 * C; k++) out.push({ variable: norm.names[k % C], detail: k < C ? 'value' : 'mask', hour: t });
  return out;
}

function listVector(values: Float32Array, d: number): Vector {
  const child = makeData({ type: new Float32(), length: values.length, data: values });
  return makeVector(
    makeData({ type: new FixedSizeList(d, new Field('item', new Float32(), false)), length: values.length / d, nullCount: 0, child }),
  );
}

/**
 * Writes the attributions of an {@link explainModelDrift} result for `stayIds` (in the order explained)
 * atomically to `path`; `baseline` is the baseline input (length d) the integral started from.
 */
export async function writeAttributions(
  path: string,
  input: {
    result: ModelDriftResult;
    stayIds: ArrayLike<number>;
    elements: readonly AttributionElement[];
    baseline: Float32Array;
    baselineKind: string;
  },
): Promise<void> {
  const { result, stayIds, elements, baseline } = input;
  const n = stayIds.length;
  const d = elements.length;
  if (result.clean.attributions.length !== n * d || result.triggered.attributions.length !== n * d || baseline.length !== d) {
    throw new BugError(
      `attributions of ${result.clean.attributions.length} values do not match ${n} stays × ${d} elements; this is a bug.`,
    );
  }
  const attribution = new Float32Array(2 * n * d);
  attribution.set(result.clean.attributions, 0);
  attribution.set(result.triggered.attributions, n * d);
  const baselines = new Float32Array(2 * n * d);
  for (let r = 0; r < 2 * n; r++) baselines.set(baseline, r * d);
  const both = (a: ArrayLike<number>, b: ArrayLike<number>) => Float64Array.from([...Array.from(a), ...Array.from(b)]);
  const ids = Int32Array.from([...Array.from(stayIds), ...Array.from(stayIds)]);
  const columns = {
    stay_id: makeVector({ type: new Int32(), data: ids }),
    copy: vectorFromArray([...Array<string>(n).fill('clean'), ...Array<string>(n).fill('triggered')], new Utf8()),
    attribution: listVector(attribution, d),
    baseline: listVector(baselines, d),
    f_input: makeVector({ type: new Float64(), data: both(result.clean.forwardAtInput, result.triggered.forwardAtInput) }),
    f_baseline: makeVector({ type: new Float64(), data: both(result.clean.forwardAtBaseline, result.triggered.forwardAtBaseline) }),
    convergence_delta: makeVector({ type: new Float64(), data: both(result.clean.delta, result.triggered.delta) }),
  };
  const plain = new Table(columns);
  const metadata = new Map<string, string>([
    ['formatVersion', String(ATTRIBUTIONS_FORMAT_VERSION)],
    ['method', result.clean.method],
    ['steps', String(result.clean.steps)],
    ['target', JSON.stringify(result.clean.target)],
    ['baseline', input.baselineKind],
    ['element_shape', JSON.stringify(result.clean.shape.slice(1))],
    ['elements', JSON.stringify(elements)],
  ]);
  const schema = new Schema(plain.schema.fields, metadata);
  const table = new Table(
    schema,
    plain.batches.map((b) => new RecordBatch(schema, b.data)),
  );
  await writeFileAtomic(path, tableToIPC(table, 'file'));
}
