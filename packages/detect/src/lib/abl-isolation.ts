import { assertInput } from '@ehr-backdoor/core';
import { assertAssumedContamination } from './assumed-contamination.js';
import { topScoring, type DetectorResult } from './types.js';
import type { DetectCode } from './error-codes.js';

/**
 * Anti-Backdoor Learning's isolation step (Li et al., NeurIPS 2021): backdoored examples are learned
 * faster than clean ones, so after the first epochs of training their loss is unusually low.
 *
 *   train a fresh model for the first E epochs (the caller; the runner's default E = 2)
 *   ─▶ per-stay binary cross-entropy on the label as trained on
 *   ─▶ score = −loss (`tail: 'high'`: +loss); isolate (flag) the assumed contamination × n lowest-loss stays (the paper's
 *      isolation ratio p = 1 % is the default contamination)
 *
 * The paper trains the isolation epochs with local gradient ascent (loss flooding at γ = 0.5, so clean
 * stays are held back while the backdoor is learned) and then unlearns the isolated set; this is the
 * isolation alone, on the project's ordinary training loop, and its flagged stays go to the same
 * remove-and-retrain as every detector.
 */
export interface AblIsolationOptions {
  /** Per-stay training loss (BCE, nats) after the first epochs, length n. */
  readonly losses: ArrayLike<number>;
  /** The defender's assumed contamination in (0, 0.5): the isolation ratio. */
  readonly assumedContamination: number;
  /**
   * 'low' (default, the paper's): isolate the lowest-loss stays. 'high': the highest-loss ones, the
   * noisy-label reading (a flipped label is fitted late), for dirty-label attacks whose trigger is
   * not learned within the first epochs.
   */
  readonly tail?: 'low' | 'high';
  /** Training labels as trained on, length n: per-label loss summaries only. */
  readonly labels?: ArrayLike<number>;
}

/**
 * ABL's isolation over the training stays (see {@link AblIsolationOptions}).
 * @throws InputError `E_DETECT_INPUT` for no losses, a non-finite or negative loss, labels of another
 * length; `E_DETECT_CONTAMINATION` for an assumed contamination outside (0, 0.5).
 */
export function ablIsolation(options: AblIsolationOptions): DetectorResult {
  const { losses, labels } = options;
  const n = losses.length;
  assertInput<DetectCode>(n >= 1, 'E_DETECT_INPUT', () => 'abl_isolation needs the per-stay losses of an early model; none given.');
  assertAssumedContamination(options.assumedContamination, 'abl_isolation');
  assertInput<DetectCode>(
    !labels || labels.length === n,
    'E_DETECT_INPUT',
    () => `abl_isolation: ${labels?.length} labels for ${n} losses.`,
  );
  const tail = options.tail ?? 'low';
  assertInput<DetectCode>(
    tail === 'low' || tail === 'high',
    'E_DETECT_INPUT',
    () => `abl_isolation: tail must be low or high, got ${String(tail)}.`,
  );
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    assertInput<DetectCode>(
      Number.isFinite(losses[i]) && losses[i] >= 0,
      'E_DETECT_INPUT',
      () => `abl_isolation: loss of stay ${i} is ${losses[i]}; losses must be finite and ≥ 0.`,
    );
    scores[i] = tail === 'low' ? -losses[i] : losses[i];
  }
  const flagged = topScoring(
    scores,
    Array.from({ length: n }, (_, i) => i),
    Math.round(options.assumedContamination * n),
  ).sort((a, b) => a - b);
  const perLabel: Record<string, number>[] = [];
  for (const y of labels ? [0, 1] : []) {
    const members = Array.from({ length: n }, (_, i) => i).filter((i) => (labels as ArrayLike<number>)[i] === y);
    if (!members.length) continue;
    perLabel.push({
      label: y,
      n: members.length,
      meanLoss: members.reduce((s, i) => s + losses[i], 0) / members.length,
      isolated: flagged.filter((i) => (labels as ArrayLike<number>)[i] === y).length,
    });
  }
  return {
    detector: 'abl_isolation',
    scores,
    flagged: Int32Array.from(flagged),
    perLabel: perLabel.length ? perLabel : [{ n }],
    warnings: [],
  };
}

/** Binary cross-entropy (nats) of probabilities p against 0/1 labels, clipped as Keras does (1e-7). */
export function binaryCrossEntropy(p: ArrayLike<number>, labels: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: p.length }, (_, i) => {
    const q = Math.min(1 - 1e-7, Math.max(1e-7, p[i]));
    return labels[i] === 1 ? -Math.log(q) : -Math.log(1 - q);
  });
}
