import fc from 'fast-check';
import { SPLIT_CODE, type EhrDataset } from '@ehr-backdoor/data';
import { handMadeDataset, makeDataset, TRIGGER_VARIANTS } from './testing/fixtures.js';
import { lookalikeRate } from './lookalike.js';
import { applyTriggerToTimeSeries } from './triggers/apply.js';
import { fittedPatternDistance } from './triggers/temporal-pattern.js';
import { contextFor, type TriggerContext } from './triggers/context.js';
import type { LookalikeCheck } from './triggers/params.js';
import { resolveTrigger, triggerDefinition } from './triggers/registry.js';
import type { TriggerSpec } from './triggers/types.js';

describe('natural look-alikes', () => {
  const hand = handMadeDataset();

  it('rare_value: at or beyond the value, within a quarter of the training SD, in at least `hours` hours', () => {
    // Training HR: 80, 90, 100, 110, 120, 130 (median 105, variance 350): tolerance √350 / 4 = 4.677.
    const one = lookalikeRate(hand, { name: 'rare_value', params: { value: 125 } });
    expect(one).toMatchObject({ stays: 3, carriers: 1, rate: 1 / 3 });
    expect(one.byLabel).toEqual([
      { stays: 2, carriers: 0, rate: 0 },
      { stays: 1, carriers: 1, rate: 1 },
    ]);
    expect(one.tolerance).toContain('heart_rate ≥ 125 ± 4.677');
    // 120 < 125 − 4.677: only one hour meets it, two are asked for.
    expect(lookalikeRate(hand, { name: 'rare_value', params: { value: 125, hours: 2 } }).carriers).toBe(0);
    expect(lookalikeRate(hand, { name: 'rare_value', params: { value: 120, hours: 2 } }).carriers).toBe(1);
    // Below the median the direction turns: HR ≤ 85 + 4.677 holds for stay 0's 80 only.
    expect(lookalikeRate(hand, { name: 'rare_value', params: { value: 85 } }).carriers).toBe(1);
  });

  it('missingness and missingness_pattern are exact', () => {
    const rr = lookalikeRate(hand, { name: 'missingness', params: { variables: ['resp_rate'] } });
    expect(rr).toMatchObject({ carriers: 1, stays: 3 });
    expect(rr.byLabel[1].carriers).toBe(1);
    // Pattern: HR removed at the last hour. Stay 0 (HR –, at hour 3) and stay 2 (never HR) carry it.
    const mp = lookalikeRate(hand, { name: 'missingness_pattern', params: { variables: ['heart_rate'], hours: 1, pattern: [[1]] } });
    expect(mp.carriers).toBe(2);
  });

  it('temporal_pattern: the fitted amplitude of stay 1 is 26 / √185 = 1.912', () => {
    // Earlier mean 105, deviations 15 and 25 on the ramp 0.5, 1: α̂ = (7.5 + 25) / 1.25 = 26; Σ = 185.
    const spec = resolveTrigger('temporal_pattern', { variables: ['heart_rate'], hours: 2, shape: 'ramp' });
    const ctx = contextFor(hand);
    expect(fittedPatternDistance(ctx, hand.timeSeries.values, hand.timeSeries.mask, 1, [0], spec.params)).toBeCloseTo(
      26 / Math.sqrt(185),
      6,
    );
    // Stay 0: earlier mean 80, 90 at the ramp's 0.5: α̂ = 20, Σ = 80, amplitude 20 / √80 = 2.236.
    expect(fittedPatternDistance(ctx, hand.timeSeries.values, hand.timeSeries.mask, 0, [0], spec.params)).toBeCloseTo(
      20 / Math.sqrt(80),
      6,
    );
    expect(lookalikeRate(hand, spec).carriers).toBe(2); // both ≥ 2 / 2
    expect(lookalikeRate(hand, { name: 'temporal_pattern', params: { ...spec.params, distance: 4 } }).carriers).toBe(1);
    expect(lookalikeRate(hand, { name: 'temporal_pattern', params: { ...spec.params, distance: 5 } }).carriers).toBe(0);
  });

  it('none carries nothing and says so; a split restricts the stays', () => {
    const none = lookalikeRate(hand, { name: 'none' });
    expect(none.rate).toBeNaN();
    expect(none.reason).toMatch(/changes nothing/);
    expect(lookalikeRate(hand, { name: 'missingness', params: { variables: ['resp_rate'] } }, 'test')).toMatchObject({
      stays: 1,
      carriers: 0,
    });
    expect(lookalikeRate(hand, { name: 'rare_value' }, 'val')).toMatchObject({ stays: 0, reason: 'the val split has no stay' });
    expect(() => lookalikeRate(hand, { name: 'rare_value' }, 'holdout' as 'all')).toThrow(
      expect.objectContaining({ code: 'E_LOOKALIKE_SPLIT' }),
    );
  });

  it('none: no stay, no carrier, no tolerance, and the reason; an unknown split is named', () => {
    expect(lookalikeRate(hand, { name: 'none' }, 'train')).toEqual({
      trigger: 'none',
      params: {},
      split: 'train',
      stays: 0,
      carriers: 0,
      rate: NaN,
      tolerance: 'none',
      byLabel: [
        { stays: 0, carriers: 0, rate: NaN },
        { stays: 0, carriers: 0, rate: NaN },
      ],
      reason: "'none' changes nothing, so no stay can carry it",
    });
    expect(() => lookalikeRate(hand, { name: 'none' }, 'holdout' as 'all')).toThrow(
      'lookalikeRate: split must be one of all, train, val, test, got holdout.',
    );
    const train = lookalikeRate(hand, { name: 'missingness', params: { variables: ['resp_rate'] } }, 'train');
    expect(train).toMatchObject({ trigger: 'missingness', split: 'train', stays: 2, carriers: 1, rate: 0.5 });
    expect(train).not.toHaveProperty('reason');
    expect(train.byLabel).toEqual([
      { stays: 1, carriers: 0, rate: 0 },
      { stays: 1, carriers: 1, rate: 1 },
    ]);
  });

  it('property: counts add up per label and split, and the exact triggers are carried by every stay they were applied to', () => {
    const exact = new Set(['rare_value', 'missingness', 'hybrid', 'pattern', 'missingness_pattern']);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(...TRIGGER_VARIANTS), (seed, variant) => {
        const ds = makeDataset({ n: 20, seed });
        const all = lookalikeRate(ds, variant);
        if (variant.name === 'none') return;
        expect(all.byLabel[0].stays + all.byLabel[1].stays).toBe(ds.n);
        expect(all.byLabel[0].carriers + all.byLabel[1].carriers).toBe(all.carriers);
        const perSplit = (['train', 'val', 'test'] as const).map((s) => lookalikeRate(ds, variant, s).carriers);
        expect(perSplit.reduce((a, b) => a + b, 0)).toBe(all.carriers);
        if (!exact.has(variant.name)) return;
        const rows = Array.from({ length: ds.n }, (_, i) => i).filter((i) => ds.splits[i] === SPLIT_CODE.train);
        const { values, mask } = applyTriggerToTimeSeries(ds, variant, rows);
        const check = carriesOf(ds, resolveTrigger(variant.name, variant.params as never));
        for (const row of rows) expect(check(values, mask, row)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});

/** The trigger's look-alike test built on the clean dataset (its training statistics), to apply to triggered arrays. */
function carriesOf(ds: EhrDataset, spec: TriggerSpec): (values: Float32Array, mask: Uint8Array, row: number) => boolean {
  const definition = triggerDefinition(spec.name) as unknown as { lookalike: (c: TriggerContext, p: unknown) => LookalikeCheck };
  return definition.lookalike(contextFor(ds), spec.params).carries;
}
