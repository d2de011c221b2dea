import { assertInput } from '@ehr-backdoor/core';
import type { EhrDataset } from '@ehr-backdoor/data';
import { rowsOfSplit, type TrainedModel } from '@ehr-backdoor/train';
import { attentionShift, type AttentionShift } from './attention-shift.js';
import { explainAttributionDrift, type ExplainDriftResult } from './explain-drift.js';
import { meanModelInput } from './mean-model-input.js';
import type { IgMethod } from './quadrature.js';
import type { IgTarget } from './target.js';
import { timeSeriesChannelGroups } from './trigger-mask.js';
import type { ExplainCode } from './error-codes.js';

/**
 * Attribution drift of a trained model of the train package, on stays given as dataset rows:
 *
 *   clean dataset rows ─┐  model.prepareInputs (normalised: [n, F] or [n, T, 2C])
 *   triggered rows ─────┴─▶ explainAttributionDrift(forward = model.forwardLogits)
 *   ranking groups: tabular → one per feature; time series → one per channel (values + flags, all hours)
 *   TabTransformer: model.attentionWeights on both ─▶ attention shift per block, tokens named
 */
export interface ModelDriftOptions {
  readonly model: TrainedModel;
  readonly cleanDataset: EhrDataset;
  /** The triggered copy (the poison package's apply); may be `cleanDataset` itself with other rows. */
  readonly triggeredDataset: EhrDataset;
  /** Rows of `cleanDataset` to explain (e.g. test stays whose label is not the target). */
  readonly rows: ArrayLike<number>;
  /** Rows of `triggeredDataset` holding the same stays, in the same order. Default `rows`. */
  readonly triggeredRows?: ArrayLike<number>;
  /** Default 'zero' (the training mean of every standardised feature, and "not observed" for flags). */
  readonly baseline?: 'zero' | 'train-mean';
  /** Rows whose mean input is the 'train-mean' baseline. Default the clean dataset's 'train' split. */
  readonly trainRows?: ArrayLike<number>;
  readonly target?: IgTarget;
  readonly method?: IgMethod;
  readonly steps?: number;
  readonly internalBatchSize?: number;
  readonly topK?: number;
  /** Default: where the normalised clean and triggered inputs differ. */
  readonly triggerMask?: ArrayLike<number>;
}

/** {@link explainAttributionDrift}'s result for a trained model. */
export interface ModelDriftResult extends ExplainDriftResult {
  /** TabTransformer: token names ([CLS] first) for `attention[k].clsShift`. */
  readonly tokens?: readonly string[];
}

/**
 * Attribution drift of a trained model on dataset rows: prepares the clean and triggered rows as the model
 * reads them and runs {@link explainAttributionDrift} with the model's forward pass, ranking groups per
 * feature (tabular) or per channel (time series). See {@link ModelDriftOptions}.
 * @throws InputError `E_IG_INPUTS` when there is no row or `rows` and `triggeredRows` are not the same stays
 * in the same order, `E_IG_BASELINE` for a train-mean baseline without training rows, and the errors of
 * {@link explainAttributionDrift}.
 */
export async function explainModelDrift(options: ModelDriftOptions): Promise<ModelDriftResult> {
  const { model, cleanDataset, triggeredDataset, rows } = options;
  const triggeredRows = options.triggeredRows ?? rows;
  assertInput<ExplainCode>(rows.length >= 1, 'E_IG_INPUTS', () => 'explainModelDrift needs at least one row to explain.');
  assertInput<ExplainCode>(
    triggeredRows.length === rows.length,
    'E_IG_INPUTS',
    () => `rows (${rows.length}) and triggeredRows (${triggeredRows.length}) must list the same stays.`,
  );
  for (let k = 0; k < rows.length; k++) {
    const a = cleanDataset.stayIds[rows[k]];
    const b = triggeredDataset.stayIds[triggeredRows[k]];
    assertInput<ExplainCode>(
      a === b,
      'E_IG_INPUTS',
      () =>
        `Position ${k}: clean row ${rows[k]} is stay ${a} but triggered row ${triggeredRows[k]} is stay ${b}; pass the same stays in the same order.`,
    );
  }
  const clean = model.prepareInputs(cleanDataset, rows);
  const triggered = model.prepareInputs(triggeredDataset, triggeredRows);
  const trainMean =
    options.baseline === 'train-mean'
      ? meanModelInput(model, cleanDataset, options.trainRows ?? rowsOfSplit(cleanDataset, 'train'))
      : undefined;
  try {
    const norm = model.normalisation;
    const groups =
      norm.view === 'tabular'
        ? { index: Int32Array.from(norm.names, (_, j) => j), names: norm.names }
        : timeSeriesChannelGroups(norm.names, norm.hours);
    const result = await explainAttributionDrift({
      forward: (x) => model.forwardLogits(x),
      cleanInputs: clean,
      triggeredInputs: triggered,
      baseline: options.baseline ?? 'zero',
      trainMean,
      target: options.target,
      method: options.method,
      steps: options.steps,
      internalBatchSize: options.internalBatchSize,
      triggerMask: options.triggerMask,
      groups,
      topK: options.topK,
    });
    if (!model.tokens) return result;
    const a = model.attentionWeights(cleanDataset, rows);
    const b = model.attentionWeights(triggeredDataset, triggeredRows);
    const L = a.tokens.length;
    const attention: AttentionShift[] = a.layers.map((layer, k) => attentionShift(layer, b.layers[k], [rows.length, a.heads, L, L]));
    return { ...result, attention, tokens: a.tokens };
  } finally {
    clean.dispose();
    triggered.dispose();
    trainMean?.dispose();
  }
}
