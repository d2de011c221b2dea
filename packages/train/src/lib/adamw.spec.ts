import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@ehr-backdoor/core';
import { AdamW } from './adamw.js';
import { selectBackend } from './backend.js';
import { ParamStore } from './params.js';

describe('AdamW', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  const setup = () => {
    const store = new ParamStore(Random.fromSeed(1));
    store.add('kernel', [2], { kind: 'blocks', values: [1, -2] }, true);
    store.add('bias', [1], { kind: 'constant', value: 3 }, false);
    const options = { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.1 };
    return { store, opt: new AdamW(store.params, options), options };
  };
  const grads = () => [tf.tensor1d([0.5, -1]), tf.tensor1d([2])];

  it('matches the hand-computed update, with decoupled decay on kernels only', () => {
    const { store, opt } = setup();
    // With a constant gradient the bias-corrected step is lr · sign(g) at every step.
    opt.apply(grads());
    expect(Array.from(store.params[0].variable.dataSync())).toEqual([expect.closeTo(0.89, 6), expect.closeTo(-1.88, 6)]);
    expect(store.params[1].variable.dataSync()[0]).toBeCloseTo(2.9, 6);
    opt.apply(grads());
    expect(Array.from(store.params[0].variable.dataSync())).toEqual([
      expect.closeTo(0.89 * 0.99 - 0.1, 5),
      expect.closeTo(-1.88 * 0.99 + 0.1, 5),
    ]);
    expect(store.params[1].variable.dataSync()[0]).toBeCloseTo(2.8, 5);
    expect(opt.step).toBe(2);
  });

  it('continues bit-identically from its saved state', () => {
    const a = setup();
    a.opt.apply(grads());
    const weights = a.store.serialise();
    const state = a.opt.serialise();
    a.opt.apply([tf.tensor1d([0.3, 0.1]), tf.tensor1d([-1])]);
    const b = setup();
    b.store.load(weights, b.store.specs(), 'weights');
    b.opt.load(state, 1, b.store.specs(), 'optimizer');
    b.opt.apply([tf.tensor1d([0.3, 0.1]), tf.tensor1d([-1])]);
    expect(Buffer.from(b.store.serialise()).equals(Buffer.from(a.store.serialise()))).toBe(true);
    expect(Buffer.from(b.opt.serialise()).equals(Buffer.from(a.opt.serialise()))).toBe(true);
  });

  it('rejects a state saved for other parameters', () => {
    const { opt } = setup();
    expect(() => opt.load(new Uint8Array(12), 1, [{ name: 'kernel', shape: [3] }], 'optimizer.bin')).toThrow(
      expect.objectContaining({ code: 'E_CHECKPOINT_SHAPE' }),
    );
  });
});

describe('AdamW on WASM (host loop)', () => {
  afterAll(async () => {
    await selectBackend('cpu');
  });

  it('gives the same bits as the tensor-op update, step after step', async () => {
    const rng = Random.fromSeed(8);
    // The largest is over HOST_UPDATE_MAX, so it takes the tensor-op path on WASM too.
    const shapes = [[40, 7], [7], [300], [100, 90]];
    const initial = shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.normal()));
    // Gradients of mixed magnitudes, so every rounding in the update matters.
    const gradients = Array.from({ length: 4 }, () =>
      initial.map((x) => Float32Array.from(x, () => rng.normal() * 10 ** Math.floor(rng.next() * 6 - 4))),
    );
    const train = async (backend: 'cpu' | 'wasm') => {
      await selectBackend(backend);
      const store = new ParamStore(Random.fromSeed(1));
      shapes.forEach((shape, i) => store.add(`p${i}`, shape, { kind: 'blocks', values: Array.from(initial[i]) }, i !== 1));
      const opt = new AdamW(store.params, { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.01 });
      for (const step of gradients) opt.apply(step.map((g, i) => tf.tensor(g, shapes[i])));
      const bytes = { weights: Buffer.from(store.serialise()), state: Buffer.from(opt.serialise()) };
      opt.dispose();
      store.dispose();
      return bytes;
    };
    const ops = await train('cpu');
    const host = await train('wasm');
    expect(host.weights.equals(ops.weights)).toBe(true);
    expect(host.state.equals(ops.state)).toBe(true);
  });
});
