import { computeBackdoorMetrics } from './backdoor-metrics.js';
import { bootstrapAsr } from './backdoor.js';
import { nullReasons, WARNING } from './result.js';

describe('computeBackdoorMetrics', () => {
  // Target 1; stay 3 (y = 1) is excluded from ASR and the confidence shift.
  const yTrue = [0, 0, 0, 1, 0];
  const pTriggered = [0.9, 0.4, 0.7, 0.95, 0.6];
  const pClean = [0.1, 0.2, 0.3, 0.8, 0.5];

  it('reports every backdoor metric in one flat row', () => {
    // ASR 3/4 (see backdoor.spec.ts); shift 1.5/4 = 0.375; clean AUROC: the positive (0.8) is above every
    // negative → 1, so the drop against 0.97 is −0.03; poisoned AUROC: 0.95 above every negative → 1;
    // poisoned accuracy: predictions [1, 0, 1, 1, 1] vs [0, 0, 0, 1, 0] → right at stays 1 and 3 → 2/5.
    const { metrics, warnings } = computeBackdoorMetrics(
      { yTrue, pTriggered, pClean, referenceCleanAuroc: 0.97 },
      { bootstrap: { seed: 1, resamples: 500 } },
    );
    expect(warnings).toEqual([]);
    expect(metrics).toMatchObject({
      asr: 0.75,
      asr_n_eligible: 4,
      asr_n_success: 3,
      asr_n_excluded: 1,
      poisoned_auroc: 1,
      poisoned_accuracy: 0.4,
    });
    expect(metrics.confidence_shift).toBeCloseTo(0.375, 15);
    expect(metrics.clean_auroc_drop).toBeCloseTo(-0.03, 15);
    const { interval } = bootstrapAsr(yTrue, pTriggered, { seed: 1, resamples: 500 });
    expect([metrics.asr_ci_low, metrics.asr_ci_high]).toEqual([interval.low, interval.high]);
  });

  it("takes this run's clean AUROC when given, and reasons for a missing reference", () => {
    const given = computeBackdoorMetrics({ yTrue, pTriggered, pClean, referenceCleanAuroc: 0.9, cleanAuroc: 0.85 }, { bootstrap: false });
    expect(given.metrics.clean_auroc_drop).toBeCloseTo(0.05, 15);
    const missing = computeBackdoorMetrics({ yTrue, pTriggered, pClean }, { bootstrap: false });
    expect(missing.metrics.clean_auroc_drop).toBeNaN();
    expect(nullReasons(missing.metrics, missing.warnings)).toEqual({
      clean_auroc_drop: expect.stringMatching(/no matching clean run/),
      asr_ci_low: expect.stringMatching(/switched off/),
      asr_ci_high: expect.stringMatching(/switched off/),
    });
  });

  it('gives NaN with reasons when no triggered stay is eligible', () => {
    const { metrics, warnings } = computeBackdoorMetrics({
      yTrue: [1, 1],
      pTriggered: [0.9, 0.8],
      pClean: [0.7, 0.6],
      referenceCleanAuroc: 0.8,
    });
    expect(metrics).toMatchObject({ asr_n_eligible: 0, asr_n_excluded: 2, poisoned_accuracy: 1 });
    const reasons = nullReasons(metrics, warnings);
    expect(Object.keys(reasons).sort()).toEqual([
      'asr',
      'asr_ci_high',
      'asr_ci_low',
      'clean_auroc_drop',
      'confidence_shift',
      'flip_rate',
      'poisoned_auroc',
    ]);
    expect(warnings.find((w) => w.metric === 'asr')?.code).toBe(WARNING.noEligibleStay);
  });

  it('rejects mismatched paired inputs before any work', () => {
    expect(() => computeBackdoorMetrics({ yTrue, pTriggered, pClean: [0.1] })).toThrow(
      expect.objectContaining({ code: 'E_METRICS_LENGTH_MISMATCH' }),
    );
    expect(() => computeBackdoorMetrics({ yTrue, pTriggered: [0.9, 0.4, 0.7, Number.NaN, 0.6], pClean })).toThrow(
      expect.objectContaining({ code: 'E_METRICS_INVALID_PROBABILITY', message: expect.stringMatching(/pTriggered\[3\]/) }),
    );
  });

  it('names each NaN metric in its warning', () => {
    // An empty test set: every metric is undefined, each with a warning under its own column.
    const { warnings } = computeBackdoorMetrics({ yTrue: [], pTriggered: [], pClean: [], referenceCleanAuroc: 0.8 }, { bootstrap: false });
    expect(warnings.map((w) => w.metric).sort()).toEqual(
      [
        'asr',
        'asr_ci_high',
        'asr_ci_low',
        'clean_auroc_drop',
        'confidence_shift',
        'flip_rate',
        'poisoned_accuracy',
        'poisoned_auroc',
      ].sort(),
    );
  });

  it('passes the decision and the bootstrap options on to the ASR and its interval', () => {
    // At threshold 0.65 only 0.9 and 0.7 of the eligible stays are predicted 1: ASR 2/4.
    const { metrics } = computeBackdoorMetrics(
      { yTrue, pTriggered, pClean },
      { threshold: 0.65, bootstrap: { seed: 3, resamples: 40, level: 0.5 } },
    );
    expect(metrics.asr).toBe(0.5);
    const { interval } = bootstrapAsr(yTrue, pTriggered, { threshold: 0.65, seed: 3, resamples: 40, level: 0.5 });
    expect(interval.resamples).toBe(40);
    expect([metrics.asr_ci_low, metrics.asr_ci_high]).toEqual([interval.low, interval.high]);
    // Target 0: p(0) triggered − p(0) clean over the stays with y = 1 (only stay 3): 0.05 − 0.2 = −0.15.
    expect(
      computeBackdoorMetrics({ yTrue, pTriggered, pClean }, { targetLabel: 0, bootstrap: false }).metrics.confidence_shift,
    ).toBeCloseTo(-0.15, 12);
  });

  it('judges every decision by p(target) > targetThreshold when one is given, ignoring threshold', () => {
    // p(target 1) > 0.65 predicts [1, 0, 1, 1, 0]: poisoned accuracy 3/5 (at threshold 0.1 it would be 1/5);
    // ASR over the eligible stays 0.9 ✓, 0.4, 0.7 ✓, 0.6 → 2/4; no eligible clean p is above 0.65, so all four can flip: 2/4.
    const { metrics, warnings } = computeBackdoorMetrics(
      { yTrue, pTriggered, pClean },
      { threshold: 0.1, targetThreshold: 0.65, bootstrap: { seed: 5, resamples: 50 } },
    );
    expect(metrics).toMatchObject({ poisoned_accuracy: 0.6, asr: 0.5, asr_n_success: 2, flip_rate: 0.5, flip_rate_n_base: 4 });
    const { interval } = bootstrapAsr(yTrue, pTriggered, { targetThreshold: 0.65, seed: 5, resamples: 50 });
    expect([metrics.asr_ci_low, metrics.asr_ci_high]).toEqual([interval.low, interval.high]);
    expect(warnings.map((w) => w.metric)).toEqual(['clean_auroc_drop']);
    expect(() => computeBackdoorMetrics({ yTrue, pTriggered, pClean }, { targetThreshold: 1.5 })).toThrow(
      'threshold must be a number in [0, 1], got 1.5.',
    );
  });

  it('names the array at fault', () => {
    expect(() => computeBackdoorMetrics({ yTrue, pTriggered, pClean: [0.1, 0.2, 0.3, 0.8, 2] })).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/^pClean\[4\] is 2;/) }),
    );
    expect(() => computeBackdoorMetrics({ yTrue: [0, 0, 0, 1, 0], pTriggered, pClean: [0.1] })).toThrow(
      expect.objectContaining({ message: 'yTrue has 5 entries but pClean has 1; they must describe the same stays in the same order.' }),
    );
  });
});
