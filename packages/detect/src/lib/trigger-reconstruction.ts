import * as tf from '@tensorflow/tfjs-core';
import { assertInput } from '@ehr-backdoor/core';
import type { DetectCode } from './error-codes.js';

/**
 * Trigger reconstruction in the spirit of Neural Cleanse (Wang et al., IEEE S&P 2019) for tabular and
 * time-series inputs:
 *
 *   for each label t:  clean stays x with y ≠ t
 *     x' = (1 − m) ⊙ x + m ⊙ p,  m = σ(a) ∈ [0, 1]^d (one weight per input element),
 *                                p = lo + (hi − lo) σ(b) (within the range the inputs take, as NC bounds
 *                                    a pattern to valid pixels)
 *     minimise  BCE(f(x'), t) + λ · Σ m   (NC's mask L1) by Adam, full batch
 *   ─▶ per label: mask L1 (Σ m), the reconstructed trigger's success rate, the input elements it uses
 *   the label a backdoor targets needs an unusually small mask: NC's anomaly index of the smallest L1,
 *   (median − min) / (1.4826 · MAD); with two labels that is always 0.6745, so the L1 ratio
 *   (larger / smaller) is reported beside it.
 */
export interface TriggerReconstructionOptions {
  /** Model inputs → logits (n). */
  readonly forward: (x: tf.Tensor) => tf.Tensor;
  /** Clean stays as the model reads them, [n, ...shape]. */
  readonly inputs: tf.Tensor;
  /** Label of each stay in `inputs` (only stays with y ≠ t are used for target t). */
  readonly labels: ArrayLike<number>;
  /** Per-element lower and upper bounds of the pattern (length d); default the inputs' own min and max. */
  readonly bounds?: { readonly lo: Float32Array; readonly hi: Float32Array };
  /** Adam steps. Default 300. */
  readonly steps?: number;
  /** Adam learning rate. Default 0.1. */
  readonly learningRate?: number;
  /** Weight λ of the mask L1 Σ m. Default 0.02. */
  readonly lambda?: number;
  /** Stays used per target at most (the first ones). Default 256. */
  readonly maxStays?: number;
}

/** One target label's reconstructed trigger. */
export interface ReconstructedTrigger {
  readonly target: 0 | 1;
  /** Mask m and pattern p, one value per input element (length d). */
  readonly mask: Float32Array;
  readonly pattern: Float32Array;
  /** Σ m. */
  readonly maskL1: number;
  /** Share of the stays used that the reconstructed trigger sends to the target (p ≥ 0.5). */
  readonly successRate: number;
  readonly stays: number;
}

/** Both labels' reconstructions, NC's anomaly index and the L1 ratio. */
export interface TriggerReconstructionResult {
  readonly triggers: readonly ReconstructedTrigger[];
  /** The label whose trigger needs the smaller mask: the suspected target. */
  readonly suspectedTarget: 0 | 1;
  /** Larger mask L1 / smaller mask L1. */
  readonly l1Ratio: number;
  /** NC's anomaly index of the smallest mask L1 (0.6745 whenever there are two labels). */
  readonly anomalyIndex: number;
}

/**
 * Reconstructs, for each label, the smallest mask and pattern that send clean stays of the other
 * label to it (see {@link TriggerReconstructionOptions}). Tensors it creates are disposed.
 * @throws InputError `E_DETECT_INPUT` for labels of another length than the inputs, no stay of some
 * label, bounds of the wrong length (or one side of them missing), `steps` < 1 or a negative `lambda`.
 */
export async function reconstructTrigger(options: TriggerReconstructionOptions): Promise<TriggerReconstructionResult> {
  const { inputs, labels } = options;
  const n = inputs.shape[0];
  const shape = inputs.shape.slice(1);
  const d = shape.reduce((a, b) => a * b, 1);
  const steps = options.steps ?? 300;
  const lambda = options.lambda ?? 0.02;
  assertInput<DetectCode>(labels.length === n, 'E_DETECT_INPUT', () => `trigger reconstruction: ${labels.length} labels for ${n} stays.`);
  assertInput<DetectCode>(
    Number.isInteger(steps) && steps >= 1,
    'E_DETECT_INPUT',
    () => `trigger reconstruction: steps must be an integer ≥ 1, got ${steps}.`,
  );
  assertInput<DetectCode>(lambda >= 0, 'E_DETECT_INPUT', () => `trigger reconstruction: lambda must be ≥ 0, got ${lambda}.`);
  const flat = (await inputs.data()) as Float32Array;
  // Bounds given are used as given: one side missing is an error, not a reason to fall back on the observed range.
  const { lo, hi } = options.bounds ?? observedBounds(flat, n, d);
  assertInput<DetectCode>(
    lo?.length === d && hi?.length === d,
    'E_DETECT_INPUT',
    () => `trigger reconstruction: bounds must have ${d} values each.`,
  );
  const triggers: ReconstructedTrigger[] = [];
  for (const target of [0, 1] as const) {
    const rows = Array.from({ length: n }, (_, i) => i)
      .filter((i) => labels[i] !== target)
      .slice(0, options.maxStays ?? 256);
    assertInput<DetectCode>(
      rows.length > 0,
      'E_DETECT_INPUT',
      () => `trigger reconstruction: no stay with a label other than ${target} to flip.`,
    );
    const batch = new Float32Array(rows.length * d);
    rows.forEach((i, k) => batch.set(flat.subarray(i * d, (i + 1) * d), k * d));
    triggers.push(await optimiseTrigger(options, tf.tensor(batch, [rows.length, ...shape]), target, lo, hi, shape, lambda, steps));
  }
  const l1 = triggers.map((t) => t.maskL1);
  const suspectedTarget = (l1[0] <= l1[1] ? 0 : 1) as 0 | 1;
  const median = (l1[0] + l1[1]) / 2;
  const mad = Math.abs(l1[0] - l1[1]) / 2;
  return {
    triggers,
    suspectedTarget,
    l1Ratio: Math.max(...l1) / Math.max(1e-12, Math.min(...l1)),
    anomalyIndex: mad > 0 ? (median - Math.min(...l1)) / (1.4826 * mad) : 0,
  };
}

/** Per input element, the smallest and largest value among the stays. */
function observedBounds(flat: Float32Array, n: number, d: number): { lo: Float32Array; hi: Float32Array } {
  const lo = new Float32Array(d).fill(Infinity);
  const hi = new Float32Array(d).fill(-Infinity);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      lo[j] = Math.min(lo[j], flat[i * d + j]);
      hi[j] = Math.max(hi[j], flat[i * d + j]);
    }
  return { lo, hi };
}

/** Adam on the mask and pattern logits for one target over the stays `x` (disposed here). */
async function optimiseTrigger(
  options: TriggerReconstructionOptions,
  x: tf.Tensor,
  target: 0 | 1,
  lo: Float32Array,
  hi: Float32Array,
  shape: number[],
  lambda: number,
  steps: number,
): Promise<ReconstructedTrigger> {
  const { forward } = options;
  const count = x.shape[0];
  const low = tf.tensor(lo, shape);
  const range = tf.tensor(
    Float32Array.from(hi, (h, j) => Math.max(0, h - lo[j])),
    shape,
  );
  const y = tf.fill([count], target);
  const a0 = tf.fill(shape, -2);
  const b0 = tf.zeros(shape);
  const a = tf.variable(a0);
  const b = tf.variable(b0);
  a0.dispose();
  b0.dispose();
  const optimizer = tf.train.adam(options.learningRate ?? 0.1);
  const apply = () => {
    const m = tf.sigmoid(a);
    const p = tf.add(low, tf.mul(range, tf.sigmoid(b)));
    return { m, x2: tf.add(tf.mul(tf.sub(1, m), x), tf.mul(m, p)) };
  };
  try {
    for (let s = 0; s < steps; s++) {
      const cost = optimizer.minimize(
        () =>
          tf.tidy(() => {
            const { m, x2 } = apply();
            const logits = tf.reshape(forward(x2), [count]);
            const bce = tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));
            return tf.add(bce, tf.mul(lambda, tf.sum(m))) as tf.Scalar;
          }),
        true,
        [a, b],
      );
      cost?.dispose();
    }
    const result = tf.tidy(() => {
      const { m, x2 } = apply();
      const p = tf.add(low, tf.mul(range, tf.sigmoid(b)));
      return {
        m: m.dataSync() as Float32Array,
        p: p.dataSync() as Float32Array,
        hit: tf.mean(tf.cast(tf.equal(tf.greaterEqual(tf.reshape(forward(x2), [count]), 0), target === 1), 'float32')).dataSync()[0],
      };
    });
    const mask = Float32Array.from(result.m);
    return {
      target,
      mask,
      pattern: Float32Array.from(result.p),
      maskL1: mask.reduce((s, v) => s + v, 0),
      successRate: result.hit,
      stays: count,
    };
  } finally {
    optimizer.dispose();
    for (const t of [x, low, range, y, a, b]) t.dispose();
  }
}

/** The input elements of a mask grouped into named variables, largest total mask weight first. */
export function maskByVariable(mask: Float32Array, variableOf: (element: number) => string): { variable: string; weight: number }[] {
  const totals = new Map<string, number>();
  mask.forEach((m, k) => totals.set(variableOf(k), (totals.get(variableOf(k)) ?? 0) + m));
  return [...totals].map(([variable, weight]) => ({ variable, weight })).sort((p, q) => q.weight - p.weight);
}
