import { assertInput } from '@ehr-backdoor/core';
import type { EhrDataset } from '@ehr-backdoor/data';
import type { TrainedModel } from '@ehr-backdoor/train';
import {
  maskByVariable,
  reconstructTrigger,
  type TriggerReconstructionOptions,
  type TriggerReconstructionResult,
} from './trigger-reconstruction.js';
import type { DetectCode } from './error-codes.js';

/**
 * {@link reconstructTrigger} on a trained model and the defender's clean stays (e.g. the validation
 * split), with each label's mask summed per clinical variable: tabular features by their variable,
 * time-series elements by channel (value and measured flag together).
 */
export interface ModelTriggerReconstructionOptions
  extends Pick<TriggerReconstructionOptions, 'steps' | 'learningRate' | 'lambda' | 'maxStays'> {
  readonly model: TrainedModel;
  readonly dataset: EhrDataset;
  /** Clean rows of `dataset` the defender holds. */
  readonly rows: ArrayLike<number>;
}

/** The reconstruction with, per label, its mask weight per variable (largest first). */
export interface ModelTriggerReconstructionResult extends TriggerReconstructionResult {
  readonly variables: readonly { readonly target: 0 | 1; readonly ranking: readonly { variable: string; weight: number }[] }[];
}

/**
 * Neural-Cleanse-style trigger reconstruction of a trained model (see {@link ModelTriggerReconstructionOptions}).
 * @throws InputError `E_DETECT_INPUT` for fewer than 2 rows; and those of {@link reconstructTrigger}.
 */
export async function runModelTriggerReconstruction(options: ModelTriggerReconstructionOptions): Promise<ModelTriggerReconstructionResult> {
  const { model, dataset } = options;
  const rows = Int32Array.from(options.rows);
  assertInput<DetectCode>(
    rows.length >= 2,
    'E_DETECT_INPUT',
    () => `trigger reconstruction needs at least 2 clean stays, got ${rows.length}.`,
  );
  const norm = model.normalisation;
  const inputs = model.prepareInputs(dataset, rows);
  try {
    const result = await reconstructTrigger({
      forward: (x) => model.forwardLogits(x),
      inputs,
      labels: Uint8Array.from(rows, (r) => dataset.labels[r]),
      steps: options.steps,
      learningRate: options.learningRate,
      lambda: options.lambda,
      maxStays: options.maxStays,
    });
    const variableOfFeature = new Map(dataset.tabular.features.map((f) => [f.name, f.variable]));
    const C = norm.names.length;
    const variableOf =
      norm.view === 'tabular'
        ? (k: number) => variableOfFeature.get(norm.names[k]) ?? norm.names[k]
        : (k: number) => norm.names[(k % (2 * C)) % C];
    return { ...result, variables: result.triggers.map((t) => ({ target: t.target, ranking: maskByVariable(t.mask, variableOf) })) };
  } finally {
    inputs.dispose();
  }
}

/** Share of the true trigger variables among the top |true| variables of a ranking (scoring only). */
export function namesTriggerVariables(ranking: readonly { variable: string }[], trueVariables: readonly string[]): number {
  if (trueVariables.length === 0) return NaN;
  const top = new Set(ranking.slice(0, trueVariables.length).map((r) => r.variable));
  return trueVariables.filter((v) => top.has(v)).length / trueVariables.length;
}
