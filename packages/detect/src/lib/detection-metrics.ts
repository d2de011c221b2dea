/**
 * Detectors scored against the plan's true poisoned indices. Every function returns NaN with a reason
 * for degenerate input (no poisoned or no clean stay, nothing flagged) rather than throwing or 0.
 */
export interface Scored {
  readonly value: number;
  readonly reason?: string;
}

const nan = (reason: string): Scored => ({ value: NaN, reason });

/** 0/1 per stay from the poisoned row indices. */
export function truthMask(n: number, poisonedIndices: ArrayLike<number>): Uint8Array {
  const truth = new Uint8Array(n);
  for (let k = 0; k < poisonedIndices.length; k++) truth[poisonedIndices[k]] = 1;
  return truth;
}

/** Detection AUROC by the Mann–Whitney U statistic with average ranks for ties; NaN scores rank lowest. */
export function detectionAuroc(scores: ArrayLike<number>, truth: Uint8Array): Scored {
  const n = scores.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += truth[i];
  const negatives = n - positives;
  if (positives === 0) return nan('no poisoned training stay (poison rate 0): detection AUROC is undefined');
  if (negatives === 0) return nan('every training stay is poisoned: detection AUROC is undefined');
  const key = (i: number) => (Number.isNaN(scores[i]) ? -Infinity : scores[i]);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => key(a) - key(b));
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && key(order[end + 1]) === key(order[start])) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) if (truth[order[k]]) rankSum += rank;
    start = end + 1;
  }
  return { value: (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives) };
}

/**
 * Highest true-positive rate over thresholds whose false-positive rate is ≤ `maxFpr` (tied scores
 * enter together, so no threshold splits a tie).
 */
export function tprAtFpr(scores: ArrayLike<number>, truth: Uint8Array, maxFpr = 0.05): Scored {
  const n = scores.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += truth[i];
  const negatives = n - positives;
  if (positives === 0) return nan('no poisoned training stay: TPR is undefined');
  if (negatives === 0) return nan('no clean training stay: FPR is undefined');
  const key = (i: number) => (Number.isNaN(scores[i]) ? -Infinity : scores[i]);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => key(b) - key(a));
  let tp = 0;
  let fp = 0;
  let best = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && key(order[end + 1]) === key(order[start])) end++;
    for (let k = start; k <= end; k++) {
      if (truth[order[k]]) tp++;
      else fp++;
    }
    if (fp / negatives <= maxFpr) best = Math.max(best, tp / positives);
    else break;
    start = end + 1;
  }
  return { value: best };
}

/** Share of flagged stays that are truly poisoned. */
export function precisionAtFlagged(flagged: ArrayLike<number>, truth: Uint8Array): Scored {
  if (flagged.length === 0) return nan('the detector flagged no stay');
  let hits = 0;
  for (let k = 0; k < flagged.length; k++) hits += truth[flagged[k]];
  return { value: hits / flagged.length };
}

/** Share of poisoned stays that are flagged. */
export function recallAtFlagged(flagged: ArrayLike<number>, truth: Uint8Array): Scored {
  let positives = 0;
  for (const t of truth) positives += t;
  if (positives === 0) return nan('no poisoned training stay: recall is undefined');
  let hits = 0;
  for (let k = 0; k < flagged.length; k++) hits += truth[flagged[k]];
  return { value: hits / positives };
}

/**
 * BackdoorBench's defence effectiveness rating (Wu et al. 2022):
 *   DER = [max(0, ΔASR) − max(0, ΔACC) + 1] / 2,  ΔASR = ASR_before − ASR_after,  ΔACC = ACC_before − ACC_after.
 * 1 = the attack is removed at no clean cost; 0.5 = no change; 0 = clean accuracy lost with no ASR gain.
 * BackdoorBench's clean metric is the clean accuracy (C-Acc), and the runner passes exactly that (the clean
 * test accuracy before and after the defence); this function computes the formula for whichever metric the
 * caller passes on both sides. The clean AUROC after the defence is reported beside it, not folded into it.
 */
export function defenceEffectivenessRating(before: { asr: number; clean: number }, after: { asr: number; clean: number }): Scored {
  const values = [before.asr, after.asr, before.clean, after.clean];
  if (values.some((v) => !Number.isFinite(v))) return nan('ASR or clean metric before or after the defence is undefined');
  return { value: (Math.max(0, before.asr - after.asr) - Math.max(0, before.clean - after.clean) + 1) / 2 };
}
