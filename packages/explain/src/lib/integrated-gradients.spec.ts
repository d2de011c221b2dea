import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// The train package registers the gradients of the kernels its networks (and these tests) use.
import '@ehr-backdoor/train';
import { Random } from '@ehr-backdoor/core';
import { integratedGradients, trainMeanBaseline, type IntegratedGradientsOptions } from './integrated-gradients.js';
import { IG_METHODS } from './quadrature.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomMatrix(rng: Random, rows: number, cols: number): Float32Array {
  return Float32Array.from({ length: rows * cols }, () => rng.normal());
}

/** A ReLU MLP (F → hidden → 1 logit) fitted with a few hundred Adam steps on a non-linear rule. */
function trainTinyMlp(F: number, hidden: number) {
  const rng = Random.fromSeed(7, 'tiny-mlp');
  const n = 256;
  const xs = randomMatrix(rng, n, F);
  const ys = Float32Array.from({ length: n }, (_, i) => (xs[i * F] + xs[i * F + 1] ** 2 - xs[i * F + 2] > 0.5 ? 1 : 0));
  const w1 = tf.variable(
    tf.tensor2d(
      randomMatrix(rng, F, hidden).map((v) => v * Math.sqrt(2 / F)),
      [F, hidden],
    ),
  );
  const b1 = tf.variable(tf.zeros([hidden]));
  const w2 = tf.variable(
    tf.tensor2d(
      randomMatrix(rng, hidden, 1).map((v) => v * Math.sqrt(1 / hidden)),
      [hidden, 1],
    ),
  );
  const b2 = tf.variable(tf.zeros([1]));
  const forward = (x: tf.Tensor) =>
    tf.tidy(() => tf.reshape(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, w1), b1)), w2), b2), [x.shape[0]]));
  const x = tf.tensor2d(xs, [n, F]);
  const y = tf.tensor1d(ys);
  const optimizer = tf.train.adam(0.02);
  for (let step = 0; step < 300; step++) {
    tf.tidy(() => {
      optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(y, forward(x)));
    });
  }
  optimizer.dispose();
  return { forward, x, y, dispose: () => [w1, b1, w2, b2, x, y].forEach((t) => t.dispose()) };
}

function relativeDelta(result: { delta: Float64Array; forwardAtInput: Float64Array; forwardAtBaseline: Float64Array }): number {
  let num = 0;
  let den = 0;
  result.delta.forEach((d, i) => {
    num += Math.abs(d);
    den += Math.abs(result.forwardAtInput[i] - result.forwardAtBaseline[i]);
  });
  return num / den;
}

describe('integratedGradients on a linear model', () => {
  const F = 6;
  const rng = Random.fromSeed(1, 'linear');
  const weights = Float32Array.from({ length: F }, () => rng.normal());
  let w: tf.Tensor2D;
  let bias: tf.Scalar;
  beforeAll(() => {
    w = tf.tensor2d(weights, [F, 1]);
    bias = tf.scalar(0.3);
  });
  const forward = (x: tf.Tensor) => tf.add(tf.matMul(x as tf.Tensor2D, w), bias);
  const xValues = randomMatrix(rng, 5, F);
  const bValues = randomMatrix(rng, 5, F);

  afterAll(() => [w, bias].forEach((t) => t.dispose()));

  it.each(IG_METHODS)('equals (x − baseline) · w for %s', async (method) => {
    const x = tf.tensor2d(xValues, [5, F]);
    const b = tf.tensor2d(bValues, [5, F]);
    const result = await integratedGradients({ forward, inputs: x, baseline: b, method, steps: 7, internalBatchSize: 4 });
    expect(result.shape).toEqual([5, F]);
    for (let i = 0; i < 5 * F; i++) expect(result.attributions[i]).toBeCloseTo((xValues[i] - bValues[i]) * weights[i % F], 5);
    result.delta.forEach((d) => expect(Math.abs(d)).toBeLessThan(1e-5));
    x.dispose();
    b.dispose();
  });

  it('explains the probability and the other class with the right signs', async () => {
    const x = tf.tensor2d(xValues, [5, F]);
    const logit0 = await integratedGradients({ forward, inputs: x, target: { output: 'logit', classIndex: 0 } });
    for (let i = 0; i < 5 * F; i++) expect(logit0.attributions[i]).toBeCloseTo(-xValues[i] * weights[i % F], 5);
    const probability = await integratedGradients({ forward, inputs: x, target: { output: 'probability', classIndex: 1 }, steps: 64 });
    probability.delta.forEach((d) => expect(Math.abs(d)).toBeLessThan(1e-4));
    probability.forwardAtBaseline.forEach((f) => expect(f).toBeCloseTo(1 / (1 + Math.exp(-0.3)), 6));
    x.dispose();
  });

  it('uses the training mean as baseline and broadcasts a one-example baseline', async () => {
    const x = tf.tensor2d(xValues, [5, F]);
    const train = tf.tensor2d(bValues, [5, F]);
    const mean = trainMeanBaseline(train);
    const viaMean = await integratedGradients({ forward, inputs: x, baseline: 'train-mean', trainMean: mean });
    const viaTensor = await integratedGradients({ forward, inputs: x, baseline: tf.reshape(mean, [F]) });
    const meanValues = await mean.data();
    for (let i = 0; i < 5 * F; i++) {
      expect(viaMean.attributions[i]).toBeCloseTo((xValues[i] - meanValues[i % F]) * weights[i % F], 5);
      expect(viaTensor.attributions[i]).toBeCloseTo(viaMean.attributions[i], 6);
    }
    [x, train, mean].forEach((t) => t.dispose());
  });

  it('handles inputs of higher rank (time series [n, T, C])', async () => {
    const T = 3;
    const C = 2;
    const x = tf.tensor3d(randomMatrix(rng, 4, T * C), [4, T, C]);
    const kernel = tf.tensor1d(Float32Array.from({ length: T * C }, (_, i) => i - 2));
    const seriesForward = (z: tf.Tensor) => tf.sum(tf.mul(tf.reshape(z, [z.shape[0], T * C]), kernel), 1);
    const result = await integratedGradients({ forward: seriesForward, inputs: x, internalBatchSize: 3, steps: 5 });
    const xv = await x.data();
    expect(result.shape).toEqual([4, T, C]);
    for (let i = 0; i < 4 * T * C; i++) expect(result.attributions[i]).toBeCloseTo(xv[i] * ((i % (T * C)) - 2), 5);
    [x, kernel].forEach((t) => t.dispose());
  });
});

describe('integratedGradients on a trained MLP', () => {
  let mlp: ReturnType<typeof trainTinyMlp>;
  beforeAll(() => {
    mlp = trainTinyMlp(8, 16);
  });
  afterAll(() => mlp.dispose());

  it('has relative convergence delta below 1 % at 50 steps, shrinking with more steps', async () => {
    const inputs = tf.slice(mlp.x, 0, 32);
    const at = async (steps: number, method: IntegratedGradientsOptions['method'] = 'gausslegendre') =>
      relativeDelta(await integratedGradients({ forward: mlp.forward, inputs, baseline: 'zero', steps, method }));
    const [d10, d50, d300] = [await at(10), await at(50), await at(300)];
    expect(d50).toBeLessThan(0.01);
    expect(d300).toBeLessThan(d50);
    expect(d50).toBeLessThan(d10);
    const [t10, t50, t300] = [await at(10, 'riemann_trapezoid'), await at(50, 'riemann_trapezoid'), await at(300, 'riemann_trapezoid')];
    expect(t300).toBeLessThan(t50);
    expect(t50).toBeLessThan(t10);
    inputs.dispose();
  });

  it('gives the same attributions whatever the internal batch size, and leaks no tensors', async () => {
    const inputs = tf.slice(mlp.x, 0, 9);
    const before = tf.memory().numTensors;
    const whole = await integratedGradients({ forward: mlp.forward, inputs, steps: 20 });
    const chunked = await integratedGradients({ forward: mlp.forward, inputs, steps: 20, internalBatchSize: 7, baseline: 0 });
    expect(tf.memory().numTensors).toBe(before);
    whole.attributions.forEach((a, i) => expect(chunked.attributions[i]).toBeCloseTo(a, 5));
    inputs.dispose();
  });
});

describe('integratedGradients input validation', () => {
  const forward = (x: tf.Tensor) => tf.sum(x, 1);
  let x: tf.Tensor2D;
  beforeAll(() => {
    x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  });
  afterAll(() => x.dispose());

  const cases: [string, () => Partial<IntegratedGradientsOptions>, string][] = [
    ['zero steps', () => ({ steps: 0 }), 'E_IG_STEPS'],
    ['fractional steps', () => ({ steps: 2.5 }), 'E_IG_STEPS'],
    ['one Riemann step', () => ({ steps: 1, method: 'riemann_middle' }), 'E_IG_STEPS'],
    ['an unknown method', () => ({ method: 'simpson' as never }), 'E_IG_METHOD'],
    ['a bad internal batch size', () => ({ internalBatchSize: 0 }), 'E_IG_BATCH'],
    ['a mis-shaped baseline', () => ({ baseline: tf.zeros([3]) }), 'E_IG_BASELINE'],
    ['train-mean without trainMean', () => ({ baseline: 'train-mean' }), 'E_IG_BASELINE'],
    ['a non-finite numeric baseline', () => ({ baseline: NaN }), 'E_IG_BASELINE'],
    ['an unknown target output', () => ({ target: { output: 'softmax' as never, classIndex: 1 } }), 'E_IG_TARGET'],
    ['a negative class', () => ({ target: { output: 'logit', classIndex: -1 } }), 'E_IG_TARGET'],
    ['int inputs', () => ({ inputs: tf.tensor2d([1, 2], [1, 2], 'int32') }), 'E_IG_INPUTS'],
    ['no examples', () => ({ inputs: tf.zeros([0, 2]) }), 'E_IG_INPUTS'],
    ['NaN inputs', () => ({ inputs: tf.tensor2d([NaN, 1], [1, 2]) }), 'E_IG_NOT_FINITE'],
  ];

  it.each(cases)('rejects %s before computing a gradient', async (_name, make, code) => {
    let calls = 0;
    const counting = (z: tf.Tensor) => {
      calls++;
      return forward(z);
    };
    await expect(integratedGradients({ forward: counting, inputs: x, ...make() })).rejects.toMatchObject({ code });
    expect(calls).toBe(0);
  });
});

describe('integratedGradients (property)', () => {
  it('is exact on random linear models for every method and step count', async () => {
    const fc = (await import('fast-check')).default;
    const finite = fc.float({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }).chain((F) =>
          fc.record({
            w: fc.array(finite, { minLength: F, maxLength: F }),
            x: fc.array(finite, { minLength: F, maxLength: F }),
            b: fc.array(finite, { minLength: F, maxLength: F }),
          }),
        ),
        fc.constantFrom(...IG_METHODS),
        fc.integer({ min: 2, max: 12 }),
        async ({ w, x, b }, method, steps) => {
          const F = w.length;
          const weights = tf.tensor2d(w, [F, 1]);
          const inputs = tf.tensor2d(x, [1, F]);
          const baseline = tf.tensor2d(b, [1, F]);
          try {
            const result = await integratedGradients({
              forward: (z) => tf.matMul(z as tf.Tensor2D, weights),
              inputs,
              baseline,
              method,
              steps,
            });
            const xs = await inputs.data();
            const bs = await baseline.data();
            const ws = await weights.data();
            return (
              Array.from(result.attributions).every((a, j) => Math.abs(a - (xs[j] - bs[j]) * ws[j]) < 1e-4) &&
              Math.abs(result.delta[0]) < 1e-4
            );
          } finally {
            [weights, inputs, baseline].forEach((t) => t.dispose());
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
