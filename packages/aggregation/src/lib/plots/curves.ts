/**
 * Curves from one run's predictions, and their average over seeds at fixed abscissae so that runs with
 * different test sets (or thresholds) can be averaged and the report stays small.
 *
 * ROC points are sklearn's `roc_curve(drop_intermediate=False)`; precision–recall points are
 * `precision_recall_curve` read as interpolated precision (the highest precision at any recall ≥ r),
 * the usual way to draw and average PR curves.
 */
export interface Curve {
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/** Thresholds in descending score order, ties merged: cumulative true and false positives at each. */
function cumulativeCounts(
  yTrue: ArrayLike<number>,
  score: ArrayLike<number>,
): { tp: number[]; fp: number[]; positives: number; negatives: number } {
  const order = Array.from({ length: yTrue.length }, (_, i) => i).sort((a, b) => score[b] - score[a]);
  const tp: number[] = [];
  const fp: number[] = [];
  let t = 0;
  let f = 0;
  for (let k = 0; k < order.length; k++) {
    if (yTrue[order[k]] === 1) t++;
    else f++;
    if (k === order.length - 1 || score[order[k + 1]] !== score[order[k]]) {
      tp.push(t);
      fp.push(f);
    }
  }
  return { tp, fp, positives: t, negatives: f };
}

/** ROC curve (x: false-positive rate, y: true-positive rate) from (0, 0); undefined with one class. */
export function rocCurve(yTrue: ArrayLike<number>, score: ArrayLike<number>): Curve | undefined {
  const { tp, fp, positives, negatives } = cumulativeCounts(yTrue, score);
  if (positives === 0 || negatives === 0) return undefined;
  return { x: Float64Array.from([0, ...fp.map((v) => v / negatives)]), y: Float64Array.from([0, ...tp.map((v) => v / positives)]) };
}

/** Precision–recall curve (x: recall, y: precision) at every threshold; undefined without positives. */
export function prCurve(yTrue: ArrayLike<number>, score: ArrayLike<number>): Curve | undefined {
  const { tp, fp, positives } = cumulativeCounts(yTrue, score);
  if (positives === 0) return undefined;
  return { x: Float64Array.from(tp, (v) => v / positives), y: Float64Array.from(tp, (v, i) => v / (v + fp[i])) };
}

/** Trapezoidal area under a curve given in increasing x (the AUROC of an ROC curve). */
export function areaUnder(curve: Curve): number {
  let area = 0;
  for (let i = 1; i < curve.x.length; i++) area += ((curve.x[i] - curve.x[i - 1]) * (curve.y[i] + curve.y[i - 1])) / 2;
  return area;
}

/**
 * TPR of an ROC curve at each FPR of `grid` (Fawcett's vertical averaging needs a common grid): linear
 * between the curve's points; at an FPR the curve passes vertically, the highest TPR there.
 */
export function rocAt(curve: Curve, grid: readonly number[]): number[] {
  return grid.map((g) => {
    let j = 0;
    while (j + 1 < curve.x.length && curve.x[j + 1] <= g) j++;
    if (curve.x[j] === g || j + 1 >= curve.x.length) return curve.y[j];
    const t = (g - curve.x[j]) / (curve.x[j + 1] - curve.x[j]);
    return curve.y[j] + t * (curve.y[j + 1] - curve.y[j]);
  });
}

/** Interpolated precision at each recall of `grid`: the highest precision at any recall ≥ r (0 beyond the last). */
export function interpolatedPrecisionAt(curve: Curve, grid: readonly number[]): number[] {
  return grid.map((r) => {
    let best = 0;
    for (let i = 0; i < curve.x.length; i++) if (curve.x[i] >= r - 1e-12 && curve.y[i] > best) best = curve.y[i];
    return best;
  });
}

/** `n + 1` evenly spaced points of [0, 1]. */
export function unitGrid(n: number): number[] {
  return Array.from({ length: n + 1 }, (_, i) => i / n);
}

/** One bin of a reliability diagram of p(target): how often the target is the true label at that predicted probability. */
export interface ReliabilityPoint {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean p(target) of the stays in the bin. */
  readonly predicted: number;
  /** Share of them whose true label is the target. */
  readonly observed: number;
}

/**
 * Reliability diagram of p(target) in `bins` equal-width bins of [0, 1] (the last closed), over the
 * pooled stays of several runs; empty bins are left out.
 */
export function reliabilityOfTarget(
  parts: readonly { readonly isTarget: ArrayLike<number>; readonly pTarget: ArrayLike<number> }[],
  bins = 10,
): ReliabilityPoint[] {
  const count = new Float64Array(bins);
  const sum = new Float64Array(bins);
  const hits = new Float64Array(bins);
  for (const part of parts) {
    for (let i = 0; i < part.pTarget.length; i++) {
      const p = part.pTarget[i];
      const b = Math.min(bins - 1, Math.floor(p * bins));
      count[b]++;
      sum[b] += p;
      hits[b] += part.isTarget[i];
    }
  }
  const out: ReliabilityPoint[] = [];
  for (let b = 0; b < bins; b++) {
    if (count[b] > 0)
      out.push({ lower: b / bins, upper: (b + 1) / bins, count: count[b], predicted: sum[b] / count[b], observed: hits[b] / count[b] });
  }
  return out;
}
