import fc from 'fast-check';
import { hashJson, Random } from '@ehr-backdoor/core';
import { SPLIT_CODE } from '@ehr-backdoor/data';
import { handMadeDataset, makeDataset, TRIGGER_VARIANTS } from './testing/fixtures.js';
import { applyPoisoning } from './apply-poisoning.js';
import { planHashOf, planPoisoning } from './plan.js';
import { buildTriggeredTestSet } from './triggered-test-set.js';

describe('planPoisoning', () => {
  const ds = makeDataset({ n: 60 });
  const trainNonTarget = Array.from(ds.labels).filter((y, i) => ds.splits[i] === SPLIT_CODE.train && y !== 1).length;

  it('is deterministic by seed and records the exact count', () => {
    const a = planPoisoning({ dataset: ds, trigger: { name: 'rare_value' }, rate: 0.2, seed: 7 });
    const b = planPoisoning({ dataset: ds, trigger: { name: 'rare_value' }, rate: 0.2, seed: 7 });
    expect(b).toEqual(a);
    expect(a.count).toBe(Math.round(0.2 * trainNonTarget));
    expect(a.eligible).toBe(trainNonTarget);
    expect(a.trigger).toEqual({
      name: 'rare_value',
      params: { variable: 'heart_rate', value: 220, hours: 1, inRange: false, quantile: 0.98 },
    });
    expect(a.planHash).toMatch(/^[0-9a-f]{64}$/);
    const c = planPoisoning({ dataset: ds, trigger: { name: 'rare_value' }, rate: 0.2, seed: 8 });
    expect(c.rowIndices).not.toEqual(a.rowIndices);
    expect(c.planHash).not.toBe(a.planHash);
  });

  it('rate basis: a share of the eligible stays (default) or of the whole training split', () => {
    const trainSize = Array.from(ds.splits).filter((s) => s === SPLIT_CODE.train).length;
    const eligible = planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.2, seed: 3 });
    expect(eligible.rateBasis).toBe('eligible');
    const train = planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.2, seed: 3, rateBasis: 'train' });
    expect(train).toMatchObject({ rateBasis: 'train', trainSize, eligible: trainNonTarget, count: Math.round(0.2 * trainSize) });
    expect(train.planHash).not.toBe(eligible.planHash);
    // Every poisoned stay is still an eligible one.
    for (const row of train.rowIndices) expect(ds.labels[row]).toBe(0);
    expect(() => planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 1, seed: 3, rateBasis: 'train' })).toThrow(
      expect.objectContaining({ code: 'E_POISON_RATE_TOO_LARGE' }),
    );
    expect(() => planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.2, seed: 3, rateBasis: 'all' as never })).toThrow(
      expect.objectContaining({ code: 'E_RATE_BASIS' }),
    );
  });

  it('same seed, same plan and same poisoned dataset; the input dataset is never written to', () => {
    const snapshot = () => [
      Array.from(ds.labels),
      Array.from(ds.tabular.values),
      Array.from(ds.timeSeries.values),
      Array.from(ds.timeSeries.mask),
    ];
    const before = snapshot();
    fc.assert(
      fc.property(
        fc.constantFrom(...TRIGGER_VARIANTS),
        fc.double({ min: 0.1, max: 1, noNaN: true }),
        fc.integer(),
        (trigger, rate, seed) => {
          const a = planPoisoning({ dataset: ds, trigger, rate, seed });
          expect(planPoisoning({ dataset: ds, trigger: JSON.parse(JSON.stringify(trigger)), rate, seed })).toEqual(a);
          const x = applyPoisoning(ds, a);
          const y = applyPoisoning(ds, a);
          expect(x.manifest.contentHash).toBe(y.manifest.contentHash);
          buildTriggeredTestSet(ds, trigger);
        },
      ),
      { numRuns: 25 },
    );
    expect(snapshot()).toEqual(before);
  });

  it('exact counts, eligible rows only, for many (n, rate, mode, target)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 120 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom('dirty-label' as const, 'clean-label' as const),
        fc.constantFrom(0 as const, 1 as const),
        fc.integer(),
        (n, rate, mode, targetLabel, seed) => {
          const dataset = makeDataset({ n, hours: 2, channels: ['heart_rate'], seed: n });
          const eligible = Array.from({ length: n }, (_, i) => i).filter(
            (i) =>
              dataset.splits[i] === SPLIT_CODE.train &&
              (mode === 'dirty-label' ? dataset.labels[i] !== targetLabel : dataset.labels[i] === targetLabel),
          );
          const expected = Math.round(rate * eligible.length);
          const run = () => planPoisoning({ dataset, trigger: { name: 'none' }, rate, mode, targetLabel, seed });
          if (rate > 0 && expected === 0) {
            expect(run).toThrow(
              expect.objectContaining({ code: eligible.length === 0 ? 'E_NO_ELIGIBLE_ROWS' : 'E_POISON_RATE_TOO_SMALL' }),
            );
            return;
          }
          const plan = run();
          expect(plan.count).toBe(expected);
          expect(plan.rowIndices).toHaveLength(expected);
          expect(new Set(plan.rowIndices).size).toBe(expected);
          for (let k = 1; k < plan.rowIndices.length; k++) expect(plan.rowIndices[k]).toBeGreaterThan(plan.rowIndices[k - 1]);
          for (const row of plan.rowIndices) expect(eligible).toContain(row);
          expect(plan.stayIds).toEqual(plan.rowIndices.map((i) => dataset.stayIds[i]));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rate 0 is the clean baseline with any trigger', () => {
    const plan = planPoisoning({ dataset: ds, trigger: { name: 'temporal_pattern' }, rate: 0, seed: 1 });
    expect(plan).toMatchObject({ count: 0, rowIndices: [], stayIds: [] });
    const clean = applyPoisoning(ds, plan);
    expect(clean.tabular.values).toEqual(ds.tabular.values);
    expect(clean.labels).toEqual(ds.labels);
  });

  it('a rate that poisons no row names the rate, the split and the smallest useful rate', () => {
    const small = handMadeDataset(); // one training stay with label 0
    expect(() => planPoisoning({ dataset: small, trigger: { name: 'none' }, rate: 0.4, seed: 1 })).toThrow(
      expect.objectContaining({
        code: 'E_POISON_RATE_TOO_SMALL',
        message: expect.stringMatching(/rate 0\.4.*2 stays, 1 of them eligible.*0\.5/),
      }),
    );
    expect(planPoisoning({ dataset: small, trigger: { name: 'none' }, rate: 0.5, seed: 1 }).count).toBe(1);
  });

  it('names the problem, the eligible rows and the smallest useful rate in its errors', () => {
    // Clean-label with target 1 draws from the training positives: the hand-made set has one.
    const small = handMadeDataset();
    expect(() =>
      planPoisoning({ dataset: small, trigger: { name: 'none' }, rate: 0.4, mode: 'clean-label', targetLabel: 1, seed: 1 }),
    ).toThrow(
      expect.objectContaining({
        code: 'E_POISON_RATE_TOO_SMALL',
        message: expect.stringContaining('1 of them eligible (training stays with label = 1)'),
      }),
    );
    // Dirty-label, target 1: 60 stays, rate 0.01 of the eligible rows rounds to 0.
    const eligible = planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 1, seed: 1 }).eligible;
    expect(eligible).toBeGreaterThan(2);
    const rate = 0.4 / eligible;
    expect(() => planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate, seed: 1 })).toThrow(
      expect.objectContaining({
        code: 'E_POISON_RATE_TOO_SMALL',
        message: expect.stringContaining(`${eligible} of them eligible (training stays with label ≠ 1)`),
        details: { rate, trainSize: expect.any(Number), eligible, smallestRate: 0.5 / eligible },
      }),
    );
    const plan = (o: Record<string, unknown>) => () =>
      planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.1, seed: 1, ...o } as never);
    expect(plan({ rate: 1.5 })).toThrow('planPoisoning: rate must be a number in [0, 1], got 1.5.');
    expect(plan({ targetLabel: 2 })).toThrow('planPoisoning: targetLabel must be 0 or 1, got 2.');
    expect(plan({ mode: 'blended' })).toThrow('planPoisoning: mode must be one of dirty-label, clean-label, got blended.');
    expect(plan({ seed: 1.5 })).toThrow('planPoisoning: seed must be an integer, got 1.5.');
  });

  it('with no eligible stay, names the mode, target and training split, and how to fix it', () => {
    // Every stay survives: 12 training stays, none with label 1, so clean-label target 1 and
    // dirty-label target 0 have nothing to draw from, and the other mode or target has every stay.
    const survivors = makeDataset({ n: 20, positiveShare: 0 });
    const plan = (o: Record<string, unknown>) => () =>
      planPoisoning({ dataset: survivors, trigger: { name: 'none' }, rate: 0.25, seed: 1, ...o } as never);
    expect(plan({ mode: 'clean-label', targetLabel: 1 })).toThrow(
      expect.objectContaining({
        code: 'E_NO_ELIGIBLE_ROWS',
        message:
          'planPoisoning: clean-label with target 1 has no eligible rows (0 training stays with label = 1 among 12 training stays). ' +
          "Use mode 'dirty-label', targetLabel 0, or a dataset whose training split has stays with label = 1.",
        details: { rate: 0.25, trainSize: 12, eligible: 0, mode: 'clean-label', targetLabel: 1 },
      }),
    );
    expect(plan({ mode: 'dirty-label', targetLabel: 0 })).toThrow(
      expect.objectContaining({
        code: 'E_NO_ELIGIBLE_ROWS',
        message:
          'planPoisoning: dirty-label with target 0 has no eligible rows (0 training stays with label ≠ 0 among 12 training stays). ' +
          "Use mode 'clean-label', targetLabel 1, or a dataset whose training split has stays with label ≠ 0.",
        details: { rate: 0.25, trainSize: 12, eligible: 0, mode: 'dirty-label', targetLabel: 0 },
      }),
    );
    expect(plan({ mode: 'dirty-label', targetLabel: 1 })().count).toBe(3);
    expect(plan({ mode: 'clean-label', targetLabel: 0 })().count).toBe(3);
  });

  it('planHash: the canonical hash of every field, the default basis and an absent perturbation left out', () => {
    const plan = planPoisoning({ dataset: ds, trigger: { name: 'rare_value' }, rate: 0.2, seed: 7 });
    const { planHash, rateBasis, ...rest } = plan;
    expect(rateBasis).toBe('eligible');
    expect(planHash).toBe(hashJson(rest));
    expect(planHashOf({ ...rest, rateBasis })).toBe(planHash);
    const train = planPoisoning({ dataset: ds, trigger: { name: 'rare_value' }, rate: 0.2, seed: 7, rateBasis: 'train' });
    const { planHash: trainHash, ...trainBody } = train;
    expect(trainHash).toBe(hashJson(trainBody));
    const perturbed = planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.2, seed: 7, mode: 'clean-label', perturbation: {} });
    const { planHash: perturbedHash, rateBasis: _basis, ...perturbedBody } = perturbed;
    expect(perturbedBody.perturbation).toBeDefined();
    expect(perturbedHash).toBe(hashJson(perturbedBody));
    expect(perturbed).toMatchObject({
      mode: 'clean-label',
      rate: 0.2,
      seed: 7,
      targetLabel: 1,
      formatVersion: 1,
      views: ['tabular', 'timeseries'],
    });
    expect(plan).not.toHaveProperty('perturbation');
    expect(plan.stayIds).toEqual(plan.rowIndices.map((i) => ds.stayIds[i]));
    expect(plan.datasetContentHash).toBe(ds.manifest.contentHash);
    expect(plan.resolved).toEqual({ values: { heart_rate: 220 } });
  });

  it('names the basis, the split and the largest rate when the count exceeds the eligible stays', () => {
    const trainSize = Array.from(ds.splits).filter((x) => x === SPLIT_CODE.train).length;
    const count = Math.round(0.9 * trainSize);
    expect(() => planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.9, seed: 3, rateBasis: 'train' })).toThrow(
      expect.objectContaining({
        code: 'E_POISON_RATE_TOO_LARGE',
        message:
          `planPoisoning: rate 0.9 of the ${trainSize} training stays is ${count} stays, but only ${trainNonTarget} are eligible for dirty-label with target 1; ` +
          `the largest rate on basis 'train' is ${trainNonTarget / trainSize}.`,
        details: { rate: 0.9, trainSize, eligible: trainNonTarget },
      }),
    );
    // Exactly all eligible stays is allowed.
    expect(
      planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: trainNonTarget / trainSize, seed: 3, rateBasis: 'train' }).count,
    ).toBe(trainNonTarget);
    expect(() => planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.2, seed: 3, rateBasis: 'all' as never })).toThrow(
      'planPoisoning: rateBasis must be one of eligible, train, got all.',
    );
    expect(() => planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.2, seed: 3, perturbation: {} })).toThrow(
      expect.objectContaining({
        code: 'E_POISON_MODE',
        message:
          "planPoisoning: a perturbation belongs to the clean-label attack (it makes target-class stays harder to classify); use mode 'clean-label' or drop it.",
      }),
    );
  });

  it('draws the poisoned rows from the eligible rows with the seed\'s "poison-plan" stream', () => {
    const plan = planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.3, seed: 11 });
    const eligible = Array.from({ length: ds.n }, (_, i) => i).filter((i) => ds.splits[i] === SPLIT_CODE.train && ds.labels[i] !== 1);
    expect(plan.rowIndices).toEqual(
      Random.fromSeed(11, 'poison-plan')
        .sampleIndices(eligible.length, plan.count)
        .map((k) => eligible[k]),
    );
  });

  it('rejects bad rates, labels, modes, seeds, triggers and variables with their codes', () => {
    const plan = (o: Record<string, unknown>) => () =>
      planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.1, seed: 1, ...o } as never);
    for (const rate of [-0.1, 1.5, NaN, Infinity, '0.1'])
      expect(plan({ rate })).toThrow(expect.objectContaining({ code: 'E_POISON_RATE' }));
    expect(plan({ targetLabel: 2 })).toThrow(expect.objectContaining({ code: 'E_TARGET_LABEL' }));
    expect(plan({ mode: 'blended' })).toThrow(expect.objectContaining({ code: 'E_POISON_MODE' }));
    expect(plan({ seed: 1.5 })).toThrow(expect.objectContaining({ code: 'E_SEED' }));
    expect(plan({ trigger: { name: 'sticker' } })).toThrow(expect.objectContaining({ code: 'E_UNKNOWN_TRIGGER' }));
    expect(plan({ trigger: { name: 'rare_value', params: { variable: 'heartrate' } } })).toThrow(
      expect.objectContaining({ code: 'E_UNKNOWN_VARIABLE', message: expect.stringContaining('heart_rate') }),
    );
    expect(plan({ trigger: { name: 'rare_value', params: { variable: 'bilirubin' } } })).toThrow(
      expect.objectContaining({ code: 'E_VARIABLE_NOT_IN_DATASET' }),
    );
  });
});
