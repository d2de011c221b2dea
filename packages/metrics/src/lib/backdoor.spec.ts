import { attackSuccessRate, bootstrapAsr, cleanAurocDrop, confidenceShift } from './backdoor.js';
import { WARNING } from './result.js';

describe('backdoor metrics', () => {
  // Target 1. Stay 3 has y = 1 = target and is excluded; stays 0, 1, 2, 4 are eligible.
  const y = [0, 0, 0, 1, 0];
  const pTriggered = [0.9, 0.4, 0.7, 0.95, 0.6];
  const pClean = [0.1, 0.2, 0.3, 0.8, 0.5];

  it('computes ASR over the triggered stays whose true label is not the target', () => {
    // Eligible p > 0.5: 0.9 ✓, 0.4 ✗, 0.7 ✓, 0.6 ✓ → 3/4.
    expect(attackSuccessRate(y, pTriggered)).toEqual({ value: 0.75, nEligible: 4, nSuccess: 3, nExcluded: 1 });
    // At threshold 0.65: 0.9 ✓, 0.7 ✓ → 2/4.
    expect(attackSuccessRate(y, pTriggered, { threshold: 0.65 }).value).toBe(0.5);
  });

  it('handles target label 0 through p(target) = 1 − p', () => {
    // y = [1, 1, 0], target 0: stays 0 and 1 eligible; predicted 0 iff p ≤ 0.5: 0.3 ✓, 0.6 ✗ → ½.
    expect(attackSuccessRate([1, 1, 0], [0.3, 0.6, 0.1], { targetLabel: 0 })).toEqual({
      value: 0.5,
      nEligible: 2,
      nSuccess: 1,
      nExcluded: 1,
    });
    // p(0) triggered = [0.7, 0.4], untriggered = [0.3, 0.2]: ((0.7 − 0.3) + (0.4 − 0.2)) / 2 = 0.3.
    expect(confidenceShift([1, 1, 0], [0.3, 0.6, 0.1], [0.7, 0.8, 0.2], { targetLabel: 0 }).value).toBeCloseTo(0.3, 15);
  });

  it('is NaN with a reason when every triggered stay already has the target label', () => {
    const asr = attackSuccessRate([1, 1], [0.9, 0.2]);
    expect(asr).toMatchObject({ value: Number.NaN, code: WARNING.noEligibleStay, nEligible: 0, nExcluded: 2 });
    expect(asr.reason).toMatch(/none of the 2 triggered stays/);
    expect(attackSuccessRate([], [])).toMatchObject({ value: Number.NaN, nEligible: 0, nExcluded: 0 });
    expect(confidenceShift([1], [0.9], [0.1])).toMatchObject({ value: Number.NaN, code: WARNING.noEligibleStay });
  });

  it('computes the paired confidence shift on the eligible stays', () => {
    // (0.9 − 0.1) + (0.4 − 0.2) + (0.7 − 0.3) + (0.6 − 0.5) = 0.8 + 0.2 + 0.4 + 0.1 = 1.5; / 4 = 0.375.
    expect(confidenceShift(y, pTriggered, pClean).value).toBeCloseTo(0.375, 15);
    expect(() => confidenceShift(y, pTriggered, [0.1, 0.2])).toThrow(expect.objectContaining({ code: 'E_METRICS_LENGTH_MISMATCH' }));
  });

  it('computes the clean-AUROC drop as reference minus own', () => {
    expect(cleanAurocDrop(0.85, 0.8).value).toBeCloseTo(0.05, 15);
    expect(cleanAurocDrop({ value: 0.8 }, { value: 0.82 }).value).toBeCloseTo(-0.02, 15);
    expect(cleanAurocDrop(undefined, 0.8)).toMatchObject({ value: Number.NaN, code: WARNING.missingReference });
    expect(cleanAurocDrop(null, 0.8).code).toBe(WARNING.missingReference);
    expect(cleanAurocDrop(Number.NaN, 0.8).code).toBe(WARNING.undefinedInput);
    expect(cleanAurocDrop(0.8, { value: Number.NaN, reason: 'one class' }).code).toBe(WARNING.undefinedInput);
    expect(() => cleanAurocDrop(1.2, 0.8)).toThrow(expect.objectContaining({ code: 'E_METRICS_INVALID_OPTION' }));
  });

  it('bootstraps ASR over the eligible stays, seeded', () => {
    const { asr, interval } = bootstrapAsr(y, pTriggered, { seed: 1, resamples: 500 });
    expect(asr.value).toBe(0.75);
    expect(interval).toMatchObject({ estimate: 0.75, validResamples: 500, stratified: false });
    // With 4 eligible stays the resampled rate takes values k/4.
    expect(interval.low * 4).toBeCloseTo(Math.round(interval.low * 4), 12);
    expect(interval.low).toBeLessThan(0.75);
    expect(interval.high).toBe(1);
    expect(bootstrapAsr(y, pTriggered, { seed: 1, resamples: 500 })).toEqual({ asr, interval });
    // Every eligible stay flipped: the interval collapses to [1, 1].
    expect(bootstrapAsr([0, 0, 0], [0.9, 0.8, 0.7]).interval).toMatchObject({ low: 1, high: 1 });
    expect(bootstrapAsr([1, 1], [0.9, 0.8]).interval).toMatchObject({ low: Number.NaN, code: WARNING.noEligibleStay });
  });

  it('resamples the eligible stays without stratifying, even when asked to', () => {
    // Stratifying by true label means nothing here: every eligible stay has the same (non-target) label.
    const { interval } = bootstrapAsr(y, pTriggered, { seed: 1, resamples: 500, stratified: true });
    expect(interval.stratified).toBe(false);
    expect(interval).toEqual(bootstrapAsr(y, pTriggered, { seed: 1, resamples: 500 }).interval);
  });

  it('judges p(target) > targetThreshold for either target, and names the target when nothing is eligible', () => {
    // Target 0, p(0) = 1 − p: triggered [0.7, 0.4] for the eligible stays (y = 1); above 0.5 only the first.
    expect(attackSuccessRate([1, 1, 0], [0.3, 0.6, 0.1], { targetLabel: 0, targetThreshold: 0.5 }).value).toBe(0.5);
    // Above 0.35 both; the threshold on p(label 1) is not used.
    expect(attackSuccessRate([1, 1, 0], [0.3, 0.6, 0.1], { targetLabel: 0, targetThreshold: 0.35, threshold: 0.01 }).value).toBe(1);
    expect(attackSuccessRate([0, 0], [0.3, 0.6], { targetLabel: 0 }).reason).toBe(
      'ASR is undefined: none of the 2 triggered stays has a true label other than the target 0.',
    );
  });

  it('rejects a target label other than 0 or 1', () => {
    expect(() => attackSuccessRate(y, pTriggered, { targetLabel: 2 })).toThrow(
      expect.objectContaining({ code: 'E_METRICS_INVALID_OPTION' }),
    );
  });

  it('names the array at fault in every input error', () => {
    const bad = [0.9, 0.4, 1.2, 0.95, 0.6];
    expect(() => attackSuccessRate(y, bad)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/^pTriggered\[2\] is 1\.2;/) }),
    );
    expect(() => bootstrapAsr(y, bad)).toThrow(expect.objectContaining({ message: expect.stringMatching(/^pTriggered\[2\] is 1\.2;/) }));
    expect(() => confidenceShift(y, bad, pClean)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/^pTriggered\[2\] is 1\.2;/) }),
    );
    expect(() => confidenceShift(y, pTriggered, bad)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/^pClean\[2\] is 1\.2;/) }),
    );
    expect(() => attackSuccessRate(y, [0.9])).toThrow(
      expect.objectContaining({
        message: 'yTrue has 5 entries but pTriggered has 1; they must describe the same stays in the same order.',
      }),
    );
    expect(() => confidenceShift(y, pTriggered, [0.1, 0.2])).toThrow(
      expect.objectContaining({
        message: 'pTriggered has 5 entries but pClean has 2; they must describe the same stays in the same order.',
      }),
    );
  });

  it('says why a confidence shift or a clean-AUROC drop is undefined', () => {
    expect(confidenceShift([1, 1], [0.9, 0.8], [0.1, 0.2]).reason).toBe(
      'confidence shift is undefined: no stay has a true label other than the target 1.',
    );
    expect(cleanAurocDrop(Number.NaN, 0.8).reason).toBe("clean-AUROC drop is undefined: the matching clean run's AUROC is NaN.");
    expect(cleanAurocDrop(0.8, Number.NaN).reason).toBe("clean-AUROC drop is undefined: this run's clean AUROC is NaN.");
  });

  it('accepts AUROCs of exactly 0 and 1 and names one outside [0, 1]', () => {
    expect(cleanAurocDrop(0, 1).value).toBe(-1);
    expect(cleanAurocDrop(1, 0).value).toBe(1);
    expect(() => cleanAurocDrop(-0.1, 0.8)).toThrow(
      expect.objectContaining({
        code: 'E_METRICS_INVALID_OPTION',
        message: 'referenceAuroc must be an AUROC in [0, 1] (or NaN), got -0.1.',
      }),
    );
    expect(() => cleanAurocDrop(0.8, { value: 1.5 })).toThrow(
      expect.objectContaining({ message: 'auroc must be an AUROC in [0, 1] (or NaN), got 1.5.' }),
    );
  });
});
