import { Random } from '@ehr-backdoor/core';
import { inverseStandardNormal, stripTestTime } from './strip-test-time.js';

describe('STRIP at test time', () => {
  // A model that keys on feature 0 (a trigger value of 5 saturates it) and otherwise reads feature 1.
  const predict = (batch: Float32Array, rows: number) =>
    Float32Array.from({ length: rows }, (_, r) => 1 / (1 + Math.exp(-(4 * batch[r * 3] + 0.8 * batch[r * 3 + 1]))));
  const random = Random.fromSeed(3, 'strip-test-time-spec');
  const make = (rows: number, trigger: boolean) => ({
    values: Float32Array.from({ length: rows * 3 }, (_, k) => (k % 3 === 0 ? (trigger ? 5 : 0.2 * random.normal()) : random.normal())),
    rows,
    cols: 3,
  });
  const clean = make(200, false);
  const pool = make(100, false);

  it('accepts almost no triggered stay at a 1 % false-rejection rate', async () => {
    const result = await stripTestTime({ clean, triggered: make(100, true), pool, predict });
    expect(result.blends).toBe(100);
    expect(result.far).toBeLessThan(0.05);
    // The paper's normal fit to clean entropies misses their skew: the realised FRR exceeds the 1 % asked.
    expect(result.frr).toBeLessThanOrEqual(0.06);
    const empirical = await stripTestTime({ clean, triggered: make(100, true), pool, predict, thresholdRule: 'empirical' });
    expect(empirical.frr).toBeLessThanOrEqual(0.01);
    expect(empirical.far).toBeLessThan(0.05);
    expect(result.auroc).toBeGreaterThan(0.99);
  });

  it('accepts about 99 % of stays that carry no trigger (the clean case stays within its budget)', async () => {
    const result = await stripTestTime({ clean, triggered: make(300, false), pool, predict, thresholdRule: 'empirical', blends: 20 });
    expect(result.far).toBeGreaterThan(0.95);
    expect(result.frr).toBeLessThanOrEqual(0.01);
    expect(result.auroc).toBeGreaterThan(0.4);
    expect(result.auroc).toBeLessThan(0.6);
  });

  it('rejects bad settings with the option named', async () => {
    await expect(stripTestTime({ clean, triggered: clean, pool, predict, frr: 1 })).rejects.toThrow(/frr must be in \(0, 1\)/);
    await expect(stripTestTime({ clean, triggered: clean, pool, predict, blends: 0 })).rejects.toThrow(/blends must be an integer/);
    await expect(stripTestTime({ clean, triggered: { values: new Float32Array(4), rows: 2, cols: 2 }, pool, predict })).rejects.toThrow(
      /same width/,
    );
  });

  it('inverts the standard normal', () => {
    expect(inverseStandardNormal(0.01)).toBeCloseTo(-2.3263478740408408, 8);
    expect(inverseStandardNormal(0.5)).toBeCloseTo(0, 12);
    expect(inverseStandardNormal(0.975)).toBeCloseTo(1.959963984540054, 8);
  });
});
