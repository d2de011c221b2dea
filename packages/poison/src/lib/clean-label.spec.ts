import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createDataset, SPLIT_CODE } from '@ehr-backdoor/data';
import {
  handMadeDataset,
  makeDataset,
  tabularFeatures,
  tabularFromHourly,
  tabularRow,
  channelSeries,
  TRIGGER_VARIANTS,
} from './testing/fixtures.js';
import { applyPoisoning, applyPoisoningWithReport } from './apply-poisoning.js';
import { planPoisoning } from './plan.js';
import { readPlanManifest, writePlanManifest } from './manifest.js';
import { applyPerturbation, classMeanDifferences, isPlannedPerturbation, planPerturbation, surrogateWeights } from './clean-label.js';
import { contextFor } from './triggers/context.js';

describe('clean-label perturbation (Turner et al. 2019)', () => {
  const hand = handMadeDataset();
  const hrOnly = { method: 'class-mean' as const, variables: ['heart_rate'] };

  it('moves a target-class stay ε training SDs away from the target, in both views, labels unchanged (hand-computed)', () => {
    // Train: stay 0 (label 0, HR mean 85), stay 1 (label 1, HR mean 115): deaths have the higher HR,
    // so for target 1 the step is −ε·σ = −0.5·√350 = −9.354 bpm on every HR value of stay 1.
    const plan = planPoisoning({ dataset: hand, trigger: { name: 'none' }, rate: 1, mode: 'clean-label', seed: 0, perturbation: hrOnly });
    expect(plan.rowIndices).toEqual([1]);
    expect(plan.perturbation).toEqual({
      method: 'class-mean',
      epsilon: 0.5,
      variables: ['heart_rate'],
      bounds: { heart_rate: [0, 300] },
      directions: { heart_rate: 1 },
    });
    const out = applyPoisoning(hand, plan);
    const step = 0.5 * Math.sqrt(350);
    const hr = channelSeries(out, out.timeSeries.values, out.timeSeries.mask, 1, 'heart_rate');
    hr.values.forEach((x, t) => expect(x).toBeCloseTo(100 + 10 * t - step, 3));
    const row = tabularRow(out, out.tabular.values, 1);
    expect(row['heart_rate_min']).toBeCloseTo(100 - step, 3);
    expect(row['heart_rate_max']).toBeCloseTo(130 - step, 3);
    expect(row['heart_rate_mean']).toBeCloseTo(115 - step, 3);
    expect(row['heart_rate_count']).toBe(4);
    expect(Array.from(out.labels)).toEqual([0, 1, 0]);
    // The stealth report counts the perturbed values too (4 hours + min/max/mean/last), not only the trigger's.
    const { stealth } = applyPoisoningWithReport(hand, plan);
    expect(stealth.find((r) => r.view === 'timeseries')!.changedValues).toBe(4);
    expect(stealth.find((r) => r.view === 'tabular')!.changedValues).toBe(4);
    // Stay 0 was not planned: bit-identical.
    expect(channelSeries(out, out.timeSeries.values, out.timeSeries.mask, 0, 'heart_rate')).toEqual(
      channelSeries(hand, hand.timeSeries.values, hand.timeSeries.mask, 0, 'heart_rate'),
    );
  });

  it('target 0 reverses the direction; bounds clip; the surrogate agrees with the class means here', () => {
    const t0 = planPoisoning({
      dataset: hand,
      trigger: { name: 'none' },
      rate: 1,
      mode: 'clean-label',
      targetLabel: 0,
      seed: 0,
      perturbation: hrOnly,
    });
    expect(t0.rowIndices).toEqual([0]);
    expect(t0.perturbation!.directions).toEqual({ heart_rate: -1 });
    const raised = applyPoisoning(hand, t0);
    const up = channelSeries(raised, raised.timeSeries.values, raised.timeSeries.mask, 0, 'heart_rate');
    expect(up.values[0]).toBeCloseTo(80 + 0.5 * Math.sqrt(350), 3);
    const clipped = planPoisoning({
      dataset: hand,
      trigger: { name: 'none' },
      rate: 1,
      mode: 'clean-label',
      seed: 0,
      perturbation: { ...hrOnly, bounds: { heart_rate: [95, 300] } },
    });
    const out = applyPoisoning(hand, clipped);
    expect(channelSeries(out, out.timeSeries.values, out.timeSeries.mask, 1, 'heart_rate').values[0]).toBe(95);
    const ctx = contextFor(hand);
    expect(Math.sign(surrogateWeights(ctx, [0])[0])).toBe(1);
    expect(Math.sign(classMeanDifferences(ctx, [0])[0])).toBe(1);
  });

  it('bad input: bounds outside the plausible range, no eligible stay, wrong mode, bad options — before anything is written', () => {
    const base = { dataset: hand, trigger: { name: 'rare_value' as const }, rate: 1, mode: 'clean-label' as const, seed: 0 };
    expect(() => planPoisoning({ ...base, perturbation: { bounds: { heart_rate: [10, 500] } } })).toThrow(
      expect.objectContaining({ code: 'E_PERTURBATION_BOUNDS' }),
    );
    expect(() => planPoisoning({ ...base, perturbation: { bounds: { heart_rate: [100, 50] } } })).toThrow(
      expect.objectContaining({ code: 'E_PERTURBATION_BOUNDS' }),
    );
    expect(() => planPoisoning({ ...base, perturbation: { epsilon: 0 } })).toThrow(expect.objectContaining({ code: 'E_PERTURBATION' }));
    expect(() => planPoisoning({ ...base, perturbation: { method: 'pgd' as 'surrogate' } })).toThrow(
      expect.objectContaining({ code: 'E_PERTURBATION' }),
    );
    expect(() => planPoisoning({ ...base, perturbation: { variables: ['pulse'] } })).toThrow(
      expect.objectContaining({ code: 'E_PERTURBATION' }),
    );
    expect(() => planPoisoning({ ...base, perturbation: { stepSize: 1 } as never })).toThrow(/unknown option 'stepSize'/);
    expect(() => planPoisoning({ ...base, mode: 'dirty-label', perturbation: {} })).toThrow(
      expect.objectContaining({ code: 'E_POISON_MODE' }),
    );
    const noDeaths = makeDataset({ n: 20, positiveShare: 0 });
    expect(() => planPoisoning({ ...base, dataset: noDeaths, perturbation: {} })).toThrow(
      expect.objectContaining({ code: 'E_NO_ELIGIBLE_ROWS' }),
    );
  });

  it('names every bad option, variable and bound, with what is allowed', () => {
    const ctx = contextFor(hand);
    const plan = (input: unknown) => () => planPerturbation(ctx, input as never, 1);
    const err = (message: string, details: Record<string, unknown> = {}) =>
      expect.objectContaining({ name: 'InputError', code: 'E_PERTURBATION', message: `Clean-label perturbation: ${message}`, details });
    for (const bad of [null, [1], 'x']) expect(plan(bad)).toThrow(err(`options must be an object, got ${JSON.stringify(bad)}.`));
    expect(plan({ stepSize: 1 })).toThrow(
      err("unknown option 'stepSize'. Options: method, epsilon, variables, bounds.", { option: 'stepSize' }),
    );
    expect(plan({ method: 'pgd' })).toThrow(err(`'method' must be one of surrogate, class-mean, got "pgd".`));
    for (const epsilon of [0, 3.01, NaN, '1'])
      expect(plan({ epsilon })).toThrow(err(`'epsilon' (training SDs) must be a number in (0, 3], got ${JSON.stringify(epsilon)}.`));
    expect(planPerturbation(ctx, { epsilon: 3 }, 1).epsilon).toBe(3);
    for (const v of ['pulse', 'sbp'])
      expect(plan({ variables: [v] })).toThrow(
        err(`'${v}' is not a clinical variable with a time-series channel in this dataset. Channels: heart_rate, resp_rate.`, {
          variable: v,
        }),
      );
    for (const given of [[10, 20, 30], [10, Infinity], [50, 50], [-1, 100], [10, 301], 'x']) {
      expect(plan({ variables: ['heart_rate'], bounds: { heart_rate: given } })).toThrow(
        expect.objectContaining({
          code: 'E_PERTURBATION_BOUNDS',
          message:
            `Clean-label perturbation: bounds.heart_rate = ${JSON.stringify(given)} must be [low, high] with low < high inside the plausible range of heart_rate, [0, 300]; ` +
            'a perturbed value outside it would be an entry error to a reviewer (and dropped by cleaning).',
          details: { variable: 'heart_rate', bounds: given, plausible: [0, 300] },
        }),
      );
    }
    expect(planPerturbation(ctx, { variables: ['heart_rate'], bounds: { heart_rate: [0, 300] } }, 1).bounds).toEqual({
      heart_rate: [0, 300],
    });
    expect(plan({ variables: ['heart_rate'], bounds: { resp_rate: [10, 20] } })).toThrow(
      err("bounds given for 'resp_rate', which is not perturbed; perturbed variables: heart_rate.", { variable: 'resp_rate' }),
    );
  });

  it('defaults: the surrogate, ε = 0.5, every clinical channel, plausible bounds; directions follow the target', () => {
    const ctx = contextFor(hand);
    const planned = planPerturbation(ctx, {}, 1);
    expect(planned).toMatchObject({ method: 'surrogate', epsilon: 0.5, variables: ['heart_rate', 'resp_rate'] });
    expect(planned.bounds).toEqual({ heart_rate: ctx.plausible('heart_rate'), resp_rate: ctx.plausible('resp_rate') });
    const weights = surrogateWeights(ctx, [0, 1]);
    expect(planned.directions).toEqual({ heart_rate: Math.sign(weights[0]), resp_rate: Math.sign(weights[1]) });
    expect(planPerturbation(ctx, {}, 0).directions).toEqual({ heart_rate: -Math.sign(weights[0]), resp_rate: -Math.sign(weights[1]) });
    expect(planPerturbation(ctx, { variables: null }, 1).variables).toEqual(['heart_rate', 'resp_rate']);
  });

  it('class means: the difference of standardised stay means, deaths minus survivors (hand-computed); 0 without both classes', () => {
    const ctx = contextFor(hand);
    const { mean, std } = hand.manifest.normalisation.timeSeries;
    // HR stay means 85 (survivor) and 115 (death); RR: 20 and none (0 once standardised).
    const d = classMeanDifferences(ctx, [0, 1]);
    expect(d[0]).toBeCloseTo(30 / std[0], 10);
    expect(d[1]).toBeCloseTo(0 - (20 - mean[1]) / std[1], 10);
    const survivors = makeDataset({ n: 20, positiveShare: 0 });
    expect(Array.from(classMeanDifferences(contextFor(survivors), [0, 1]))).toEqual([0, 0]);
    // No direction: nothing is perturbed.
    const flat = planPerturbation(contextFor(survivors), { method: 'class-mean' }, 0);
    expect(Object.values(flat.directions).every((x) => x === 0)).toBe(true);
    const arrays = applyPerturbation(contextFor(survivors), flat, [0, 1]);
    expect(arrays.tsValues).toEqual(survivors.timeSeries.values);
    expect(arrays.tabular).toEqual(survivors.tabular.values);
  });

  it('applyPerturbation: observed hours and finite value statistics move, within bounds; NaN and counts stay', () => {
    const ctx = contextFor(hand);
    const perturbation = {
      method: 'class-mean' as const,
      epsilon: 1,
      variables: ['heart_rate'],
      bounds: { heart_rate: [0, 120] as const },
      directions: { heart_rate: -1 },
    };
    const step = ctx.variableStd('heart_rate');
    const out = applyPerturbation(ctx, perturbation, [0, 2]);
    // Stay 0: HR 80 and 90 observed move up by one SD (direction −1 of the target's logit); hours 1 and 3 refilled.
    const hr = channelSeries(hand, out.tsValues, out.tsMask, 0, 'heart_rate');
    expect(hr.values.map((x) => Math.round(x * 1000) / 1000)).toEqual(
      [80, 80, 90, 90].map((x) => Math.round(Math.fround(Math.min(120, x + step)) * 1000) / 1000),
    );
    expect(hr.mask).toEqual([1, 0, 1, 0]);
    const row = tabularRow(hand, out.tabular, 0);
    expect(row['heart_rate_max']).toBeCloseTo(Math.min(120, 90 + step), 3);
    expect(row['heart_rate_count']).toBe(2);
    // Stay 2 never had HR: nothing to move, NaN statistics stay NaN.
    expect(channelSeries(hand, out.tsValues, out.tsMask, 2, 'heart_rate')).toEqual(
      channelSeries(hand, hand.timeSeries.values, hand.timeSeries.mask, 2, 'heart_rate'),
    );
    expect(tabularRow(hand, out.tabular, 2)['heart_rate_mean']).toBeNaN();
    // Stay 1 was not asked for.
    expect(channelSeries(hand, out.tsValues, out.tsMask, 1, 'heart_rate').values).toEqual([100, 110, 120, 130]);
    // The bounds clip: stay 1 moved up by 18.7 stops at 120 from its second hour.
    const high = applyPerturbation(ctx, perturbation, [1]);
    expect(channelSeries(hand, high.tsValues, high.tsMask, 1, 'heart_rate').values).toEqual([Math.fround(100 + step), 120, 120, 120]);
  });

  it('isPlannedPerturbation: every recorded field, of its type', () => {
    const good = { method: 'surrogate', epsilon: 0.5, variables: ['heart_rate'], bounds: {}, directions: {} };
    expect(isPlannedPerturbation(good)).toBe(true);
    expect(isPlannedPerturbation({ ...good, method: 'class-mean' })).toBe(true);
    for (const bad of [
      null,
      3,
      'x',
      { ...good, method: 'pgd' },
      { ...good, epsilon: '0.5' },
      { ...good, variables: 'heart_rate' },
      { ...good, bounds: null },
      { ...good, bounds: 1 },
      { ...good, directions: null },
      { ...good, directions: 'up' },
    ])
      expect(isPlannedPerturbation(bad)).toBe(false);
  });

  it('a plan without a perturbation hashes as before; one with it round-trips through the manifest', async () => {
    const plain = planPoisoning({ dataset: hand, trigger: { name: 'rare_value' }, rate: 1, mode: 'clean-label', seed: 0 });
    expect(plain).not.toHaveProperty('perturbation');
    const withIt = planPoisoning({
      dataset: hand,
      trigger: { name: 'rare_value' },
      rate: 1,
      mode: 'clean-label',
      seed: 0,
      perturbation: {},
    });
    expect(withIt.planHash).not.toBe(plain.planHash);
    const dir = mkdtempSync(join(tmpdir(), 'clean-label-'));
    try {
      await writePlanManifest(dir, withIt);
      expect(await readPlanManifest(dir)).toEqual(withIt);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('property: every trigger, both targets: labels kept, unplanned rows identical, perturbed values inside their bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.constantFrom(...TRIGGER_VARIANTS),
        fc.constantFrom(0 as const, 1 as const),
        fc.double({ min: 0.05, max: 3, noNaN: true }),
        (seed, trigger, targetLabel, epsilon) => {
          const ds = makeDataset({ n: 30, seed, positiveShare: 0.5 });
          const plan = planPoisoning({
            dataset: ds,
            trigger,
            rate: 0.5,
            mode: 'clean-label',
            targetLabel,
            seed,
            perturbation: { epsilon, method: seed % 2 ? 'surrogate' : 'class-mean' },
          });
          const out = applyPoisoning(ds, plan);
          expect(Array.from(out.labels)).toEqual(Array.from(ds.labels));
          expect(plan.rowIndices.filter((row) => ds.labels[row] !== targetLabel)).toEqual([]);
          const { hours: T, channels } = ds.timeSeries;
          const C = channels.length;
          const planned = new Set(plan.rowIndices);
          // Plain loops collect the offending cells: one expect per property run keeps the test fast.
          const changedUnplanned: number[] = [];
          const outsideBounds: number[] = [];
          for (let i = 0; i < ds.n; i++) {
            for (let k = i * T * C; k < (i + 1) * T * C; k++) {
              if (!planned.has(i)) {
                if (!Object.is(out.timeSeries.values[k], ds.timeSeries.values[k])) changedUnplanned.push(k);
                continue;
              }
              if (trigger.name !== 'none' || !out.timeSeries.mask[k]) continue;
              const [lo, hi] = plan.perturbation!.bounds[channels[k % C]];
              const x = out.timeSeries.values[k];
              if (!(x >= Math.fround(lo) && x <= Math.fround(hi))) outsideBounds.push(k);
            }
          }
          expect({ changedUnplanned, outsideBounds }).toEqual({ changedUnplanned: [], outsideBounds: [] });
          expect(ds.splits.every((s, i) => !planned.has(i) || s === SPLIT_CODE.train)).toBe(true);
        },
      ),
      { numRuns: 30 },
    );
  });

  describe('directions when the variables are correlated', () => {
    // Sixteen training stays, one hour each: RR = 18 + 4·(label + n), HR = 80 + 10·(2·label + n + noise), so
    // label ≈ (HR − 80)/10 − (RR − 18)/4: deaths have the higher HR and the higher RR, but at a given HR a higher
    // RR means survival. The class means see +, +; the logistic surrogate sees +, −.
    // prettier-ignore
    const stays: [label: 0 | 1, hr: number, rr: number][] = [
      [0, 63, 10], [0, 68, 14], [0, 81, 18], [0, 86, 22], [0, 102, 26], [0, 65, 12], [0, 84, 20], [0, 98, 24],
      [1, 77, 14], [1, 92, 18], [1, 99, 22], [1, 114, 26], [1, 118, 30], [1, 86, 16], [1, 105, 24], [1, 112, 28],
    ];
    const n = stays.length;
    const values = stays.flatMap(([, hr, rr]) => [hr, rr]);
    const mask = new Array(2 * n).fill(1);
    const channels = ['heart_rate', 'resp_rate'];
    const correlated = createDataset({
      stayIds: stays.map((_, i) => 500 + i),
      subjectIds: stays.map((_, i) => 600 + i),
      labels: stays.map(([label]) => label),
      splits: stays.map(() => 'train' as const),
      tabular: {
        features: tabularFeatures(channels),
        values: tabularFromHourly(
          values,
          mask,
          n,
          1,
          2,
          stays.map(() => [60, 1]),
        ),
      },
      timeSeries: { channels, hours: 1, values, mask, fillValues: [85, 18] },
    });
    const ctx = contextFor(correlated);

    it('class means (hand-computed): HR 100.375 − 80.875 = 19.5 and RR 22.25 − 18.25 = 4, in training SDs', () => {
      const d = classMeanDifferences(ctx, [0, 1]);
      expect(d[0]).toBeCloseTo(19.5 / ctx.variableStd('heart_rate'), 10);
      expect(d[1]).toBeCloseTo(4 / ctx.variableStd('resp_rate'), 10);
    });

    it('the surrogate weights: the documented descent (λ = 1e-3, 300 steps of 0.5) gives +5.3093, −3.9261', () => {
      // Reference: the same full-batch descent written out in plain Python on these sixteen standardised stays.
      const w = surrogateWeights(ctx, [0, 1]);
      expect(w[0]).toBeCloseTo(5.309317, 4);
      expect(w[1]).toBeCloseTo(-3.926136, 4);
      expect(planPerturbation(ctx, { method: 'surrogate' }, 1).directions).toEqual({ heart_rate: 1, resp_rate: -1 });
      expect(planPerturbation(ctx, { method: 'class-mean' }, 1).directions).toEqual({ heart_rate: 1, resp_rate: 1 });
    });
  });

  it('a direction of 0 leaves the variable alone, even outside tighter bounds; a bound must be a number', () => {
    const ctx = contextFor(hand);
    const still = {
      method: 'class-mean' as const,
      epsilon: 1,
      variables: ['heart_rate'],
      bounds: { heart_rate: [0, 50] as const },
      directions: { heart_rate: 0 },
    };
    const out = applyPerturbation(ctx, still, [1]);
    expect(channelSeries(hand, out.tsValues, out.tsMask, 1, 'heart_rate').values).toEqual([100, 110, 120, 130]);
    expect(tabularRow(hand, out.tabular, 1)['heart_rate_max']).toBe(130);
    expect(() => planPerturbation(ctx, { variables: ['heart_rate'], bounds: { heart_rate: [30, '200'] as never } }, 1)).toThrow(
      expect.objectContaining({ code: 'E_PERTURBATION_BOUNDS' }),
    );
    expect(() => planPerturbation(ctx, { bounds: { sbp: [90, 140] } }, 1)).toThrow(
      "Clean-label perturbation: bounds given for 'sbp', which is not perturbed; perturbed variables: heart_rate, resp_rate.",
    );
  });

  it('the default variables are the clinical channels only', () => {
    const odd = makeDataset({ n: 10, channels: ['heart_rate', 'device_id', 'resp_rate'] });
    expect(planPerturbation(contextFor(odd), {}, 1).variables).toEqual(['heart_rate', 'resp_rate']);
  });
});
