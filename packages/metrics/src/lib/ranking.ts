import type { Labels, Probabilities } from './validate.js';

/**
 * Stays sorted by descending score once, with tied scores grouped. AUROC and average precision are then
 * one linear walk over the groups, and a bootstrap resample is just a weight (its multiplicity) per stay:
 * 1000 resamples cost 1000 walks, not 1000 sorts.
 */
export interface Ranking {
  /** Stay indices by descending score. */
  readonly order: Uint32Array;
  /** Group g is order[groupStart[g] .. groupStart[g + 1]); the last entry is n. */
  readonly groupStart: Uint32Array;
  readonly groups: number;
}

export function rankByScore(scores: Probabilities): Ranking {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const s = Float64Array.from(scores);
  order.sort((a, b) => s[b]! - s[a]!);
  const starts: number[] = [];
  for (let k = 0; k < n; k++) if (k === 0 || s[order[k]!] !== s[order[k - 1]!]) starts.push(k);
  starts.push(n);
  return { order, groupStart: Uint32Array.from(starts), groups: starts.length - 1 };
}

/** Per-stay multiplicity; `undefined` means every stay once. */
export type Weights = ArrayLike<number> | undefined;

/** Weighted counts of positives and negatives. */
export function classTotals(yTrue: Labels, weights: Weights): { positives: number; negatives: number } {
  let positives = 0;
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const w = weights === undefined ? 1 : weights[i]!;
    positives += w * yTrue[i]!;
    total += w;
  }
  return { positives, negatives: total - positives };
}

/**
 * Area under the ROC curve through the tie groups (ties give diagonal segments, i.e. the trapezoidal
 * rule, which equals the Mann–Whitney U with mid-ranks and sklearn's roc_auc_score).
 * Twice the area is accumulated in integers (exact below 2^53), and divided once at the end.
 * Requires positives > 0 and negatives > 0.
 */
export function aurocOfRanking(ranking: Ranking, yTrue: Labels, weights: Weights, positives: number, negatives: number): number {
  const { order, groupStart, groups } = ranking;
  let tp = 0;
  let twiceArea = 0;
  for (let g = 0; g < groups; g++) {
    let dtp = 0;
    let dfp = 0;
    for (let k = groupStart[g]!; k < groupStart[g + 1]!; k++) {
      const i = order[k]!;
      const w = weights === undefined ? 1 : weights[i]!;
      if (yTrue[i] === 1) dtp += w;
      else dfp += w;
    }
    twiceArea += dfp * (2 * tp + dtp);
    tp += dtp;
  }
  return twiceArea / (2 * positives * negatives);
}

/**
 * Average precision as sklearn defines it: AP = Σ_k (R_k − R_{k−1}) · P_k over the distinct score
 * thresholds in descending order, a step function with no interpolation. Requires positives > 0.
 */
export function averagePrecisionOfRanking(ranking: Ranking, yTrue: Labels, weights: Weights, positives: number): number {
  const { order, groupStart, groups } = ranking;
  let tp = 0;
  let fp = 0;
  let sum = 0;
  for (let g = 0; g < groups; g++) {
    let dtp = 0;
    for (let k = groupStart[g]!; k < groupStart[g + 1]!; k++) {
      const i = order[k]!;
      const w = weights === undefined ? 1 : weights[i]!;
      if (yTrue[i] === 1) dtp += w;
      else fp += w;
    }
    tp += dtp;
    // A threshold that adds no positive leaves recall unchanged and contributes nothing.
    if (dtp > 0) sum += dtp * (tp / (tp + fp));
  }
  return sum / positives;
}
