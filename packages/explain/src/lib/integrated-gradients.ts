import * as tf from '@tensorflow/tfjs-core';
import { assertInput, CompatibilityError } from '@ehr-backdoor/core';
import { IG_METHODS, minimumSteps, quadrature, type IgMethod } from './quadrature.js';
import { assertTarget, DEFAULT_TARGET, selectTarget, type IgTarget } from './target.js';
import type { ExplainCode } from './error-codes.js';

/**
 * Integrated gradients (Sundararajan et al. 2017) as Captum's `IntegratedGradients.attribute`:
 *
 *   validate ─▶ baseline ─▶ for each chunk of (example, step) pairs:
 *                              x' = b + α_k (x − b) built in float32;  g = ∂F(x')/∂x'  (one backward pass per chunk)
 *                              Σ_k w_k g  accumulated per example in float64
 *            ─▶ attribution = (x − b) ⊙ Σ_k w_k g
 *            ─▶ convergence delta = Σ attribution − (F(x) − F(b)), per example
 *
 * F is the target's value (a class logit or probability) of `forward`, which maps a batch to logits.
 * Gradients of ΣF over a batch are per-example gradients only because examples do not interact: the
 * model must be in inference mode (no batch statistics, no dropout).
 *
 * Gradient functions: tfjs-core's own table is unbundled ESM that Node cannot load from the CommonJS
 * build, so the train package registers the gradients of the kernels its networks use when it is
 * imported (this package's entry point imports it). A kernel without a gradient fails with E_IG_NO_GRADIENT.
 */
export type IgBaseline = 'zero' | 'train-mean' | tf.Tensor | number;

/**
 * Options of {@link integratedGradients}: the model's forward pass on normalised inputs, the inputs, and
 * the path integral's baseline, target output, quadrature method and number of steps.
 */
export interface IntegratedGradientsOptions {
  /** Normalised input batch → logits ([batch], [batch, 1] or [batch, K]). */
  readonly forward: (inputs: tf.Tensor) => tf.Tensor;
  /** [n, ...exampleShape], float32, finite. */
  readonly inputs: tf.Tensor;
  /** Default 'zero'. A tensor may be [n, ...], [1, ...] or exampleShape. */
  readonly baseline?: IgBaseline;
  /** One example's training mean (exampleShape or [1, ...exampleShape]); required for baseline 'train-mean'. */
  readonly trainMean?: tf.Tensor;
  /** Default logit of class 1. */
  readonly target?: IgTarget;
  /** Default 'gausslegendre'. */
  readonly method?: IgMethod;
  /** Default 50. */
  readonly steps?: number;
  /** (example, step) pairs per forward/backward pass; bounds memory. Default 2048. */
  readonly internalBatchSize?: number;
}

/**
 * Attributions of {@link integratedGradients} with their completeness check: per example, the
 * attributions should sum to F(input) − F(baseline); `delta` is how far they miss (Captum's convergence delta).
 */
export interface IgResult {
  /** Same layout as the inputs, row-major. */
  readonly attributions: Float32Array;
  /** The inputs' shape. */
  readonly shape: readonly number[];
  /** Per example: Σ attributions − (F(x) − F(baseline)). */
  readonly delta: Float64Array;
  /** Per example: the target output F at the input. */
  readonly forwardAtInput: Float64Array;
  /** Per example: the target output F at the baseline. */
  readonly forwardAtBaseline: Float64Array;
  readonly method: IgMethod;
  readonly steps: number;
  readonly target: IgTarget;
}

/** Integration points when `steps` is not given (50, Captum's default). */
export const DEFAULT_STEPS = 50;
/** (example, step) pairs per forward/backward pass when `internalBatchSize` is not given (2048). */
export const DEFAULT_INTERNAL_BATCH_SIZE = 2048;

interface Validated {
  readonly forward: (inputs: tf.Tensor) => tf.Tensor;
  readonly inputs: tf.Tensor;
  readonly method: IgMethod;
  readonly steps: number;
  readonly internalBatchSize: number;
  readonly target: IgTarget;
  readonly exampleShape: readonly number[];
}

/** Captum's `_validate_input` and more: every option is checked before any gradient is computed. */
export function validateIgOptions(options: IntegratedGradientsOptions): Validated {
  assertInput<ExplainCode>(
    options !== null && typeof options === 'object',
    'E_IG_OPTIONS',
    () => 'integratedGradients needs an options object.',
  );
  const { forward, inputs } = options;
  assertInput<ExplainCode>(
    typeof forward === 'function',
    'E_IG_FORWARD',
    () => `forward must be a function (inputs tensor → logits), got ${typeof forward}.`,
  );
  assertInput<ExplainCode>(inputs instanceof tf.Tensor, 'E_IG_INPUTS', () => 'inputs must be a tf.Tensor of shape [n, ...exampleShape].');
  assertInput<ExplainCode>(!inputs.isDisposed, 'E_IG_INPUTS', () => 'inputs is a disposed tensor.');
  assertInput<ExplainCode>(inputs.dtype === 'float32', 'E_IG_INPUTS', () => `inputs must be float32, got ${inputs.dtype}.`);
  assertInput<ExplainCode>(
    inputs.rank >= 1 && inputs.shape[0] >= 1,
    'E_IG_INPUTS',
    () => `inputs must hold at least one example, got shape [${inputs.shape.join(', ')}].`,
  );
  const method = options.method ?? 'gausslegendre';
  assertInput<ExplainCode>(
    (IG_METHODS as readonly string[]).includes(method),
    'E_IG_METHOD',
    () => `Unknown method '${String(method)}'; choose one of ${IG_METHODS.join(', ')}.`,
  );
  const steps = options.steps ?? DEFAULT_STEPS;
  assertInput<ExplainCode>(
    Number.isInteger(steps) && steps >= minimumSteps(method),
    'E_IG_STEPS',
    () => `steps must be an integer ≥ ${minimumSteps(method)} for method ${method}, got ${String(steps)}.`,
  );
  const internalBatchSize = options.internalBatchSize ?? DEFAULT_INTERNAL_BATCH_SIZE;
  assertInput<ExplainCode>(
    Number.isInteger(internalBatchSize) && internalBatchSize >= 1,
    'E_IG_BATCH',
    () => `internalBatchSize must be an integer ≥ 1, got ${String(internalBatchSize)}.`,
  );
  const target = options.target ?? DEFAULT_TARGET;
  assertTarget(target);
  const exampleShape = inputs.shape.slice(1);
  const baseline = options.baseline ?? 'zero';
  const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;
  const fitsExample = (t: tf.Tensor, allowBatch: boolean) =>
    sameShape(t.shape, exampleShape) || sameShape(t.shape, [1, ...exampleShape]) || (allowBatch && sameShape(t.shape, inputs.shape));
  if (baseline === 'train-mean') {
    const mean = options.trainMean;
    assertInput<ExplainCode>(
      mean instanceof tf.Tensor && !mean.isDisposed,
      'E_IG_BASELINE',
      () => "baseline 'train-mean' needs trainMean: one example's mean over the training inputs (see trainMeanBaseline).",
    );
    assertInput<ExplainCode>(
      fitsExample(mean, false),
      'E_IG_BASELINE',
      () => `trainMean must have shape ${shapeText(exampleShape)} or ${shapeText([1, ...exampleShape])}, got ${shapeText(mean.shape)}.`,
    );
  } else if (typeof baseline === 'number') {
    assertInput<ExplainCode>(Number.isFinite(baseline), 'E_IG_BASELINE', () => `A numeric baseline must be finite, got ${baseline}.`);
  } else if (baseline instanceof tf.Tensor) {
    assertInput<ExplainCode>(!baseline.isDisposed, 'E_IG_BASELINE', () => 'baseline is a disposed tensor.');
    assertInput<ExplainCode>(
      fitsExample(baseline, true),
      'E_IG_BASELINE',
      () =>
        `baseline must have the inputs' shape ${shapeText(inputs.shape)}, ${shapeText([1, ...exampleShape])} or ${shapeText(exampleShape)}, got ${shapeText(baseline.shape)}.`,
    );
  } else {
    assertInput<ExplainCode>(
      baseline === 'zero',
      'E_IG_BASELINE',
      () => `baseline must be 'zero', 'train-mean', a number or a tensor, got ${String(baseline)}.`,
    );
  }
  return { forward, inputs, method, steps, internalBatchSize, target, exampleShape };
}

/**
 * Integrated gradients (Sundararajan et al. 2017) as Captum computes them: the gradient of the target
 * output along the straight path from baseline to input, integrated with `method` at `steps` points, times
 * (input − baseline). Every option is checked before any gradient is computed.
 * @throws InputError `E_IG_OPTIONS`, `E_IG_FORWARD`, `E_IG_INPUTS`, `E_IG_METHOD`, `E_IG_STEPS`, `E_IG_BATCH`,
 * `E_IG_BASELINE` or `E_IG_TARGET` for the option it names; `E_IG_OUTPUT_SHAPE` when `forward` returns another
 * shape than [batch], [batch, 1] or [batch, K]; `E_IG_NOT_FINITE` for non-finite inputs or baseline;
 * `E_IG_NO_GRADIENT` when a kernel of the model has no registered gradient.
 */
export async function integratedGradients(options: IntegratedGradientsOptions): Promise<IgResult> {
  const { forward, inputs, method, steps, internalBatchSize, target, exampleShape } = validateIgOptions(options);
  const n = inputs.shape[0];
  const size = exampleShape.reduce((a, b) => a * b, 1);
  const baseline = resolveBaseline(options, inputs);
  try {
    const finite = tf.tidy(() => tf.stack([tf.all(tf.isFinite(inputs)), tf.all(tf.isFinite(baseline))]));
    const [inputsFinite, baselineFinite] = await readAndDispose(finite);
    assertInput<ExplainCode>(
      inputsFinite,
      'E_IG_NOT_FINITE',
      () => 'inputs contain NaN or ±Infinity; impute and normalise them as the model does before explaining.',
    );
    assertInput<ExplainCode>(baselineFinite, 'E_IG_NOT_FINITE', () => 'the baseline contains NaN or ±Infinity.');

    const { alphas, weights } = quadrature(method, steps);
    const perExampleBaseline = baseline.shape[0] === n && n > 1;
    const [xValues, bValues] = [await inputs.data(), await baseline.data()];
    const summed = new Float64Array(n * size);
    const total = n * steps;
    // Pair r is example ⌊r / steps⌋ at step r mod steps: a chunk covers consecutive examples' paths.
    // The path points are built here and uploaded once per chunk: tf.gather of the rows costs several
    // times the gradient pass itself on the WASM backend.
    const scaled = new Float32Array(Math.min(internalBatchSize, total) * size);
    for (let start = 0; start < total; start += internalBatchSize) {
      const rows = Math.min(internalBatchSize, total - start);
      for (let r = 0; r < rows; r++) {
        const e = Math.floor((start + r) / steps);
        const alpha = alphas[(start + r) % steps];
        const xo = e * size;
        const bo = perExampleBaseline ? xo : 0;
        const o = r * size;
        for (let j = 0; j < size; j++) {
          const b = bValues[bo + j];
          scaled[o + j] = b + alpha * (xValues[xo + j] - b);
        }
      }
      const gradients = withGradientHint(() =>
        tf.tidy(() => {
          const path = tf.tensor(scaled.subarray(0, rows * size), [rows, ...exampleShape]);
          return tf.grad((z: tf.Tensor) => tf.sum(selectTarget(forward(z), target)))(path);
        }),
      );
      const g = (await readAndDispose(gradients)) as Float32Array;
      for (let r = 0; r < rows; r++) {
        const w = weights[(start + r) % steps];
        const out = Math.floor((start + r) / steps) * size;
        const src = r * size;
        for (let j = 0; j < size; j++) summed[out + j] += w * g[src + j];
      }
    }

    const attributions = new Float32Array(n * size);
    const attributionSums = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const bBase = perExampleBaseline ? i * size : 0;
      let s = 0;
      for (let j = 0; j < size; j++) {
        const a = (xValues[i * size + j] - bValues[bBase + j]) * summed[i * size + j];
        attributions[i * size + j] = a;
        s += a;
      }
      attributionSums[i] = s;
    }
    const forwardAtInput = await targetValues(forward, inputs, target, internalBatchSize);
    const broadcastBaseline = perExampleBaseline ? baseline : tf.tidy(() => tf.tile(baseline, [n, ...exampleShape.map(() => 1)]));
    const forwardAtBaseline = await targetValues(forward, broadcastBaseline, target, internalBatchSize);
    if (broadcastBaseline !== baseline) broadcastBaseline.dispose();
    const delta = new Float64Array(n);
    for (let i = 0; i < n; i++) delta[i] = attributionSums[i] - (forwardAtInput[i] - forwardAtBaseline[i]);
    return { attributions, shape: [...inputs.shape], delta, forwardAtInput, forwardAtBaseline, method, steps, target };
  } finally {
    if (baseline !== options.baseline) baseline.dispose();
  }
}

/** The mean training example, [1, ...exampleShape]: the 'train-mean' baseline. */
export function trainMeanBaseline(trainInputs: tf.Tensor): tf.Tensor {
  assertInput<ExplainCode>(
    trainInputs instanceof tf.Tensor && trainInputs.rank >= 1 && trainInputs.shape[0] >= 1,
    'E_IG_BASELINE',
    () => 'trainMeanBaseline needs a non-empty [n, ...] tensor of training inputs.',
  );
  return tf.tidy(() => tf.mean(trainInputs, 0, true));
}

/** F at each example (the target's value), computed in chunks. */
export async function targetValues(
  forward: (x: tf.Tensor) => tf.Tensor,
  inputs: tf.Tensor,
  target: IgTarget,
  batchSize: number,
): Promise<Float64Array> {
  const n = inputs.shape[0];
  const out = new Float64Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const rows = Math.min(batchSize, n - start);
    const values = tf.tidy(() => selectTarget(forward(tf.slice(inputs, start, rows)), target));
    out.set(await readAndDispose(values), start);
  }
  return out;
}

/** A tensor the caller owns: [1 or n, ...exampleShape]. Returns the given tensor itself when it already fits. */
function resolveBaseline(options: IntegratedGradientsOptions, inputs: tf.Tensor): tf.Tensor {
  const exampleShape = inputs.shape.slice(1);
  const baseline = options.baseline ?? 'zero';
  if (baseline === 'zero') return tf.zeros([1, ...exampleShape]);
  if (typeof baseline === 'number') return tf.fill([1, ...exampleShape], baseline);
  const given = baseline === 'train-mean' ? (options.trainMean as tf.Tensor) : baseline;
  if (given.rank === inputs.rank && baseline !== 'train-mean') return given;
  return tf.reshape(given, [given.rank === inputs.rank ? given.shape[0] : 1, ...exampleShape]);
}

function withGradientHint<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const kernel = /gradient function not found for (\w+)/.exec(message)?.[1];
    if (!kernel) throw error;
    throw new CompatibilityError<ExplainCode>(
      'E_IG_NO_GRADIENT',
      `The model uses the kernel ${kernel}, which has no registered gradient. Import @ehr-backdoor/train (it registers the gradients of its networks' kernels) or register one with tf.registerGradient.`,
      { kernel },
      { cause: error },
    );
  }
}

async function readAndDispose(t: tf.Tensor): Promise<tf.TypedArray> {
  try {
    return await t.data();
  } finally {
    t.dispose();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
