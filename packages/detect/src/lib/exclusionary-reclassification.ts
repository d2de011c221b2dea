import { assertInput } from '@ehr-backdoor/core';
import { rowsByLabel } from './matrix.js';
import type { DetectorResult } from './types.js';
import type { DetectCode } from './error-codes.js';

/**
 * Activation clustering's second check (Chen et al. 2019 §4.2, ART's `ex_re_threshold`):
 *
 *   for each label whose smaller cluster was flagged:
 *     train a model without that cluster ─▶ classify the cluster's stays
 *     ratio = #predicted as their training label / #predicted as the other label
 *     ratio < threshold ─▶ the cluster stays flagged (its stays look like another class: poison)
 *     otherwise         ─▶ unflagged (the model still learns their label without them: legitimate)
 *
 * Reclassification needs a training loop, so the caller supplies it: `reclassify(excluded)` trains on
 * the training stays minus `excluded` (positions into the detector's arrays) and returns the predicted
 * labels of the excluded stays.
 */
export interface ExclusionaryReclassificationOptions {
  /** Activation clustering's result on the same training stays. */
  readonly result: DetectorResult;
  /** Training labels as trained on, length n. */
  readonly labels: ArrayLike<number>;
  /** Trains without `excluded` and returns the predicted labels (0/1) of the `excluded` stays, in order. */
  readonly reclassify: (excluded: Int32Array) => Promise<ArrayLike<number>>;
  /** The cluster stays flagged when own-label / other-label predictions fall below this. Default 1. */
  readonly threshold?: number;
}

/**
 * Keeps only the flagged clusters that a model trained without them assigns mostly to another label;
 * their scores keep the +1 of a flagged cluster, unflagged clusters lose it (ranking within a label
 * is unchanged). Per label the ratio and the decision are added to `perLabel`.
 * @throws InputError `E_DETECT_INPUT` for a result that is not activation clustering's, labels of
 * another length, a threshold ≤ 0, or `reclassify` returning a wrong number of predictions.
 */
export async function exclusionaryReclassification(options: ExclusionaryReclassificationOptions): Promise<DetectorResult> {
  const { result, labels } = options;
  const threshold = options.threshold ?? 1;
  assertInput<DetectCode>(
    result.detector === 'activation_clustering',
    'E_DETECT_INPUT',
    () => `exclusionary reclassification applies to activation_clustering, not ${result.detector}.`,
  );
  assertInput<DetectCode>(
    labels.length === result.scores.length,
    'E_DETECT_INPUT',
    () => `exclusionary reclassification: ${labels.length} labels for ${result.scores.length} scored stays.`,
  );
  assertInput<DetectCode>(
    Number.isFinite(threshold) && threshold > 0,
    'E_DETECT_INPUT',
    () => `exclusionary reclassification: threshold must be > 0, got ${threshold}.`,
  );
  const flaggedSet = new Set(result.flagged);
  const scores = Float64Array.from(result.scores);
  const kept: number[] = [];
  const perLabel = result.perLabel.map((p) => ({ ...p }));
  for (const [label, rows] of rowsByLabel(labels)) {
    const cluster = Int32Array.from(Array.from(rows).filter((i) => flaggedSet.has(i)));
    if (cluster.length === 0) continue;
    const predicted = await options.reclassify(cluster);
    assertInput<DetectCode>(
      predicted.length === cluster.length,
      'E_DETECT_INPUT',
      () => `exclusionary reclassification: reclassify returned ${predicted.length} predictions for ${cluster.length} stays.`,
    );
    let own = 0;
    for (let k = 0; k < predicted.length; k++) if (predicted[k] === label) own++;
    const other = cluster.length - own;
    const ratio = other === 0 ? Infinity : own / other;
    const poisonous = ratio < threshold;
    if (poisonous) kept.push(...cluster);
    else for (const i of cluster) scores[i] -= 1;
    const entry = perLabel.find((p) => p.label === label);
    if (entry)
      Object.assign(entry, {
        reclassifiedOwnLabel: own,
        reclassifiedOtherLabel: other,
        reclassificationRatio: ratio,
        poisonedAfterReclassification: poisonous,
      });
  }
  return { ...result, scores, flagged: Int32Array.from(kept.sort((a, b) => a - b)), perLabel };
}
