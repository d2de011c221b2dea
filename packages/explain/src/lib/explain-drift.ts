import * as tf from '@tensorflow/tfjs-core';
import { assertInput } from '@ehr-backdoor/core';
import { attributionDrift, type AttributionDrift, type AttributionDriftInput, type DriftColumns } from './attribution-drift.js';
import { attentionShift, type AttentionShift } from './attention-shift.js';
import { integratedGradients, type IgResult, type IntegratedGradientsOptions } from './integrated-gradients.js';
import { triggerMaskFromDiff } from './trigger-mask.js';
import type { ExplainCode } from './error-codes.js';

/**
 * The `explain` step of a run: integrated gradients on the clean and the triggered version of the same
 * stays, then their drift.
 *
 *   clean inputs ──IG──▶ clean attributions ─┐
 *                                            ├─▶ drift (distances, rank agreement, trigger ratio) ─▶ columns
 *   triggered   ──IG──▶ triggered attrib.  ─┘
 *   trigger mask: given, or where clean and triggered inputs differ
 *   attention (TabTransformer): per block, clean vs triggered ─▶ mean |Δ|, JS divergence, [CLS] shift
 */
export interface ExplainDriftOptions extends Omit<IntegratedGradientsOptions, 'inputs'>, Pick<AttributionDriftInput, 'groups' | 'topK'> {
  /** [n, ...exampleShape], normalised as the model expects. */
  readonly cleanInputs: tf.Tensor;
  /** The same stays with the trigger applied, same shape. */
  readonly triggeredInputs: tf.Tensor;
  /** 1 = trigger element; length d or n × d. Default: where clean and triggered inputs differ. */
  readonly triggerMask?: ArrayLike<number>;
  /** Names of the d elements of one example (reported with the group importances when no groups are given). */
  readonly featureNames?: readonly string[];
  /** TabTransformer: the attention weights of each block for a batch ([B, heads, L, L] each). The returned tensors are disposed here. */
  readonly attention?: (inputs: tf.Tensor) => readonly tf.Tensor[];
}

/** The explain columns of a run summary: the attribution-drift columns. */
export interface ExplainColumns extends DriftColumns {}

/**
 * The result of {@link explainAttributionDrift}: summary columns with reasons for NaN, the drift details,
 * both IG results and, for attention models, the attention shift per block.
 */
export interface ExplainDriftResult {
  readonly columns: ExplainColumns;
  readonly reasons: Readonly<Record<string, string>>;
  readonly drift: AttributionDrift;
  readonly clean: IgResult;
  readonly triggered: IgResult;
  /** Per attention block; absent for models without attention. */
  readonly attention?: readonly AttentionShift[];
  /** Mean |convergence delta| / mean |F(x) − F(b)| over both IG runs: how well the integral converged. */
  readonly relativeConvergenceDelta: number;
}

/**
 * Integrated gradients on the clean and triggered versions of the same stays, then their drift (and,
 * for attention models, the attention shift). See {@link ExplainDriftOptions}.
 * @throws InputError `E_IG_INPUTS` when the clean and triggered inputs differ in shape, `E_ATTENTION` when the
 * attention callback returns different block counts, and the errors of {@link integratedGradients} and
 * {@link attributionDrift}.
 */
export async function explainAttributionDrift(options: ExplainDriftOptions): Promise<ExplainDriftResult> {
  const { cleanInputs, triggeredInputs } = options;
  assertInput<ExplainCode>(
    cleanInputs instanceof tf.Tensor && triggeredInputs instanceof tf.Tensor,
    'E_IG_INPUTS',
    () => 'cleanInputs and triggeredInputs must be tensors.',
  );
  assertInput<ExplainCode>(
    cleanInputs.shape.length === triggeredInputs.shape.length && cleanInputs.shape.every((s, i) => s === triggeredInputs.shape[i]),
    'E_IG_INPUTS',
    () =>
      `cleanInputs [${cleanInputs.shape.join(', ')}] and triggeredInputs [${triggeredInputs.shape.join(', ')}] must have the same shape: the same stays, with and without the trigger.`,
  );
  const n = cleanInputs.shape[0];
  const d = cleanInputs.size / Math.max(1, n);
  assertInput<ExplainCode>(
    options.featureNames === undefined || options.featureNames.length === d,
    'E_DRIFT_GROUPS',
    () => `featureNames must name the ${d} elements of one example, got ${options.featureNames?.length}.`,
  );
  const ig = {
    forward: options.forward,
    baseline: options.baseline,
    trainMean: options.trainMean,
    target: options.target,
    method: options.method,
    steps: options.steps,
    internalBatchSize: options.internalBatchSize,
  };
  const clean = await integratedGradients({ ...ig, inputs: cleanInputs });
  const triggered = await integratedGradients({ ...ig, inputs: triggeredInputs });
  const triggerMask = options.triggerMask ?? triggerMaskFromDiff(await cleanInputs.data(), await triggeredInputs.data());
  const groups =
    options.groups ??
    (options.featureNames ? { index: Int32Array.from({ length: d }, (_, j) => j), names: options.featureNames } : undefined);
  const drift = attributionDrift({
    clean: clean.attributions,
    triggered: triggered.attributions,
    n,
    d,
    triggerMask,
    groups,
    topK: options.topK,
  });

  let attention: AttentionShift[] | undefined;
  if (options.attention) {
    const blocks = options.attention;
    // tidy keeps the returned blocks and frees whatever the callback computed on the way.
    const a = tf.tidy(() => [...blocks(cleanInputs)]);
    const b = tf.tidy(() => [...blocks(triggeredInputs)]);
    try {
      assertInput<ExplainCode>(
        a.length === b.length,
        'E_ATTENTION',
        () => `The attention callback returned ${a.length} blocks for clean and ${b.length} for triggered inputs.`,
      );
      attention = [];
      for (let k = 0; k < a.length; k++) attention.push(attentionShift(await a[k].data(), await b[k].data(), a[k].shape));
    } finally {
      [...a, ...b].forEach((t) => t.dispose());
    }
  }
  let num = 0;
  let den = 0;
  for (const r of [clean, triggered])
    r.delta.forEach((delta, i) => {
      num += Math.abs(delta);
      den += Math.abs(r.forwardAtInput[i] - r.forwardAtBaseline[i]);
    });
  return {
    columns: drift.columns,
    reasons: drift.reasons,
    drift,
    clean,
    triggered,
    attention,
    relativeConvergenceDelta: den > 0 ? num / den : NaN,
  };
}
