import { attributionDrift } from './attribution-drift.js';

describe('attributionDrift', () => {
  it('computes every measure on a hand case', () => {
    const drift = attributionDrift({ clean: [1, 0, -1], triggered: [1, 2, -1], n: 1, d: 3, triggerMask: [0, 1, 0], topK: 2 });
    expect(drift.columns.explain_attr_l1).toBeCloseTo(2, 12);
    expect(drift.columns.explain_attr_l2).toBeCloseTo(2, 12);
    expect(drift.columns.explain_attr_cosine).toBeCloseTo(1 - 2 / Math.sqrt(12), 12);
    expect(drift.columns.explain_trigger_attribution_ratio).toBeCloseTo(0.5, 12);
    expect(drift.cleanTriggerAttributionRatio).toBe(0);
    expect(drift.triggerElementShare).toBeCloseTo(1 / 3, 12);
    // |clean| = [1, 0, 1], |triggered| = [1, 2, 1]: two discordant pairs, one pair tied in both.
    expect(drift.columns.explain_kendall_tau).toBeCloseTo(-1, 12);
    expect(drift.columns.explain_topk_overlap).toBe(0.5);
    expect(drift.reasons).toEqual({});
  });

  it('averages over stays, takes per-stay masks and groups elements', () => {
    const drift = attributionDrift({
      clean: [1, 1, 0, 0, 2, 2, 0, 0],
      triggered: [1, 1, 3, 3, 2, 2, 0, 4],
      n: 2,
      d: 4,
      triggerMask: [0, 0, 1, 1, 0, 0, 0, 1],
      groups: { index: [0, 0, 1, 1], names: ['a', 'b'] },
    });
    expect(Array.from(drift.perStay.triggerRatio)).toEqual([6 / 8, 4 / 8]);
    expect(drift.columns.explain_trigger_attribution_ratio).toBeCloseTo(0.625, 12);
    expect(drift.columns.explain_attr_l1).toBeCloseTo((6 + 4) / 2, 12);
    expect(Array.from(drift.groupImportance.clean)).toEqual([3, 0]);
    expect(Array.from(drift.groupImportance.triggered)).toEqual([3, 5]);
    expect(drift.topK).toBe(2);
  });

  it('returns NaN with a reason where a measure is undefined', () => {
    const drift = attributionDrift({ clean: [0, 0], triggered: [1, 0], n: 1, d: 2, triggerMask: [0, 0] });
    expect(drift.columns.explain_attr_cosine).toBeNaN();
    expect(drift.columns.explain_trigger_attribution_ratio).toBeNaN();
    expect(drift.columns.explain_kendall_tau).toBeNaN();
    expect(Object.keys(drift.reasons).sort()).toEqual(['explain_attr_cosine', 'explain_kendall_tau', 'explain_trigger_attribution_ratio']);
  });

  it('rejects inconsistent shapes with stable codes', () => {
    expect(() => attributionDrift({ clean: [1, 2], triggered: [1], n: 1, d: 2 })).toThrow(
      expect.objectContaining({ code: 'E_DRIFT_SHAPE' }),
    );
    expect(() => attributionDrift({ clean: [1, 2], triggered: [1, 2], n: 1, d: 2, triggerMask: [1, 0, 1] })).toThrow(
      expect.objectContaining({ code: 'E_DRIFT_MASK' }),
    );
    expect(() => attributionDrift({ clean: [1, 2], triggered: [1, 2], n: 1, d: 2, groups: { index: [0, 2], names: ['a', 'b'] } })).toThrow(
      expect.objectContaining({ code: 'E_DRIFT_GROUPS' }),
    );
    expect(() => attributionDrift({ clean: [1, 2], triggered: [1, 2], n: 1, d: 2, topK: 0 })).toThrow(
      expect.objectContaining({ code: 'E_DRIFT_TOPK' }),
    );
  });
});
