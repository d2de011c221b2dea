/**
 * Area under the ROC curve by the Mann–Whitney statistic, ties counted as one half (midranks), of the
 * validation logits that early stopping and the best-epoch choice compare. Internal to train: the study's
 * reported AUROC is metrics' `auroc(yTrue, pPositive)`, which train may not import (train depends only on
 * core and data, docs/development.md), and a second public `auroc` with the arguments the other way round
 * invited mix-ups.
 * With one class only the AUROC is undefined: NaN, with the reason, never 0.5 or a throw.
 */
export function validationAuroc(scores: ArrayLike<number>, labels: ArrayLike<number>): { value: number; reason?: string } {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i] ? 1 : 0;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) {
    return { value: NaN, reason: `AUROC needs both classes; got ${positives} positive and ${negatives} negative rows` };
  }
  if (order.some((i) => Number.isNaN(scores[i]))) return { value: NaN, reason: 'some scores are NaN' };
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const midrank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[order[k]]) rankSum += midrank;
    i = j + 1;
  }
  return { value: (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives) };
}
