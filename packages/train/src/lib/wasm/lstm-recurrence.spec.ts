import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from '../backend.js';
import { registerGradients } from '../gradients.js';
import { recurrence } from '../models/lstm.js';
import { lstmRecurrence, lstmRecurrenceAvailable } from './lstm-recurrence.js';

describe('lstmRecurrence', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    registerGradients();
  });

  /** h_T and the gradients of ⟨upstream, h_T⟩ with respect to zx and wh, as arrays. */
  const run = (f: (zx: tf.Tensor3D, wh: tf.Tensor2D) => tf.Tensor2D, T: number, H: number, B: number, seed: number) => {
    const rng = Random.fromSeed(seed);
    const filled = (n: number, scale: number) => Float32Array.from({ length: n }, () => rng.normal() * scale);
    return tf.tidy(() => {
      const zx = tf.tensor3d(filled(B * T * 4 * H, 1.5), [B, T, 4 * H]);
      const wh = tf.tensor2d(filled(H * 4 * H, 0.4), [H, 4 * H]);
      const upstream = tf.tensor2d(filled(B * H, 1), [B, H]);
      const value = f(zx, wh);
      const [dzx, dwh] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor3D, b as tf.Tensor2D), upstream)))([
        zx,
        wh,
      ]);
      return [value, dzx, dwh].map((t) => Array.from(t.dataSync()));
    });
  };

  it('is available on the WASM backend of tfjs 4.22', () => {
    expect(lstmRecurrenceAvailable()).toBe(true);
  });

  it.each([
    [1, 3, 2],
    [5, 8, 3],
    [24, 16, 33],
    [24, 64, 128],
  ])('equals the tensor-op recurrence bit for bit, h_T and both gradients (T %i, H %i, B %i)', (T, H, B) => {
    const fused = run(lstmRecurrence, T, H, B, T * 1000 + H);
    const stock = run(recurrence, T, H, B, T * 1000 + H);
    expect(fused.map((a) => a.length)).toEqual([H * B, T * 4 * H * B, H * 4 * H]);
    expect(fused).toEqual(stock);
    // Not vacuous: the gradient reaches the first hour of every stay, and most recurrent weights.
    const firstHour = (b: number) => fused[1].slice(b * T * 4 * H, (b * T + 1) * 4 * H);
    expect(Array.from({ length: B }, (_, b) => firstHour(b).some((v) => v !== 0))).toEqual(new Array(B).fill(true));
    expect(fused[2].every((v) => Number.isFinite(v))).toBe(true);
    if (T > 1) expect(fused[2].filter((v) => v !== 0).length).toBeGreaterThan(0.9 * fused[2].length);
  });

  it('agrees with the CPU backend to float32 tolerance', async () => {
    const fused = run(lstmRecurrence, 12, 8, 5, 7);
    await selectBackend('cpu');
    try {
      const cpu = run(recurrence, 12, 8, 5, 7);
      fused.forEach((values, part) =>
        values.forEach((v, k) => expect(Math.abs(v - cpu[part][k])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(cpu[part][k])))),
      );
    } finally {
      await selectBackend('wasm');
    }
    expect(lstmRecurrenceAvailable()).toBe(true);
  });

  it('frees every temporary of the forward and backward passes', () => {
    const before = tf.memory().numTensors;
    const backend = tf.backend() as { numDataIds(): number };
    const dataBefore = backend.numDataIds();
    run(lstmRecurrence, 4, 4, 2, 1);
    expect(tf.memory().numTensors).toBe(before);
    expect(backend.numDataIds()).toBe(dataBefore);
  });

  /** h_T of f at evaluation's sizes, as bytes. */
  const lastHidden = (f: (zx: tf.Tensor3D, wh: tf.Tensor2D) => tf.Tensor2D, T: number, H: number, B: number, seed: number) => {
    const rng = Random.fromSeed(seed);
    const filled = (n: number, scale: number) => Float32Array.from({ length: n }, () => rng.normal() * scale);
    return tf.tidy(() => {
      const value = f(tf.tensor3d(filled(B * T * 4 * H, 1.5), [B, T, 4 * H]), tf.tensor2d(filled(H * 4 * H, 0.4), [H, 4 * H]));
      return Buffer.from((value.dataSync() as Float32Array).slice().buffer);
    });
  };

  it.each([
    [1, 3, 2],
    [12, 16, 1024],
    [24, 64, 77],
  ])('gives evaluation the tensor-op h_T bit for bit, without a backward pass (T %i, H %i, B %i)', (T, H, B) => {
    expect(lastHidden(lstmRecurrence, T, H, B, T + H + B).equals(lastHidden(recurrence, T, H, B, T + H + B))).toBe(true);
  });

  it('puts its tape back: training after evaluation, at other sizes, keeps its bits and frees everything', () => {
    const before = tf.memory().numTensors;
    const backend = tf.backend() as { numDataIds(): number };
    const dataBefore = backend.numDataIds();
    lastHidden(lstmRecurrence, 5, 8, 300, 3);
    expect(run(lstmRecurrence, 5, 8, 3, 4)).toEqual(run(recurrence, 5, 8, 3, 4));
    lastHidden(lstmRecurrence, 5, 8, 3, 5);
    expect(tf.memory().numTensors).toBe(before);
    expect(backend.numDataIds()).toBe(dataBefore);
  });
});
