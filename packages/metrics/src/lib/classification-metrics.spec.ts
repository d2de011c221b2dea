import { computeClassificationMetrics } from './classification-metrics.js';
import { bootstrapRankingMetrics } from './bootstrap.js';
import { nullReasons, WARNING } from './result.js';

describe('computeClassificationMetrics', () => {
  it('reports every clean metric in one flat row', () => {
    // y = [0, 0, 1, 1], p = [0.1, 0.4, 0.35, 0.8] (the sklearn documentation example):
    // AUROC 3/4, AP 5/6; p > 0.5 predicts [0, 0, 0, 1] → TP 1, FN 1, FP 0, TN 2: accuracy 3/4,
    // precision 1, recall ½, F1 2/3; Brier (0.01 + 0.16 + 0.4225 + 0.04) / 4 = 0.158125;
    // confidences [0.9, 0.6, 0.65, 0.8], right [1, 1, 0, 1]: bins 13, 8, 9, 11 (0.6 = 9/15 is an edge → 8)
    // → ECE = (0.1 + 0.4 + 0.65 + 0.2) / 4 = 0.3375.
    const { metrics, warnings } = computeClassificationMetrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], {
      bootstrap: { resamples: 200, stratified: true },
    });
    expect(warnings).toEqual([]);
    expect(metrics).toMatchObject({ n: 4, n_positive: 2, accuracy: 0.75, auroc: 0.75, precision: 1, recall: 0.5 });
    expect(metrics.auprc).toBeCloseTo(5 / 6, 15);
    expect(metrics.f1).toBeCloseTo(2 / 3, 15);
    expect(metrics.brier).toBeCloseTo(0.158125, 15);
    expect(metrics.ece).toBeCloseTo(0.3375, 15);
    expect(metrics.auroc_ci_low).toBeLessThanOrEqual(metrics.auroc);
    expect(metrics.auroc_ci_high).toBeGreaterThanOrEqual(metrics.auroc);
    expect(Object.keys(metrics)).toEqual([
      'n',
      'n_positive',
      'accuracy',
      'auroc',
      'auroc_ci_low',
      'auroc_ci_high',
      'auprc',
      'auprc_ci_low',
      'auprc_ci_high',
      'precision',
      'recall',
      'f1',
      'brier',
      'ece',
    ]);
  });

  it('honours the threshold and calibration-bin options', () => {
    // p > 0.3 predicts [0, 1, 1, 1] → TP 2, FP 1, TN 1, FN 0; with 2 bins every confidence
    // (0.9, 0.6, 0.65, 0.8) is in (0.5, 1]: ECE = |0.7375 − 3/4| = 0.0125.
    const { metrics } = computeClassificationMetrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], {
      threshold: 0.3,
      calibrationBins: 2,
      bootstrap: false,
    });
    expect(metrics).toMatchObject({ accuracy: 0.75, precision: 2 / 3, recall: 1, f1: 0.8 });
    expect(metrics.ece).toBeCloseTo(0.0125, 15);
    // No p > 0.9 and no positive: the reasons name the threshold that was used.
    const { warnings } = computeClassificationMetrics([0, 0], [0.1, 0.4], { threshold: 0.9, bootstrap: false });
    expect(warnings.find((w) => w.metric === 'precision')?.message).toBe(
      'precision is undefined: no stay has p > 0.9 (no predicted positive).',
    );
    expect(warnings.find((w) => w.metric === 'f1')?.message).toBe('F1 is undefined: the set has no positive stay and no stay has p > 0.9.');
  });

  it('draws a bootstrap interval with the default options when none are given', () => {
    const y = [0, 1, 0, 1, 1, 0, 0, 1, 0, 0];
    const p = [0.2, 0.7, 0.4, 0.4, 0.9, 0.1, 0.6, 0.8, 0.3, 0.5];
    const ci = bootstrapRankingMetrics(y, p);
    const { metrics, warnings } = computeClassificationMetrics(y, p);
    // The default, 1000 unstratified resamples: a few of them hold one class.
    expect(warnings.map((w) => w.message)).toEqual([ci.auroc.reason, ci.auprc.reason]);
    expect(ci.auroc.reason).toMatch(/ of 1000 bootstrap resamples/);
    expect([metrics.auroc_ci_low, metrics.auroc_ci_high, metrics.auprc_ci_low, metrics.auprc_ci_high]).toEqual([
      ci.auroc.low,
      ci.auroc.high,
      ci.auprc.low,
      ci.auprc.high,
    ]);
    expect(metrics.auroc_ci_low).toBeLessThan(metrics.auroc_ci_high);
  });

  it('uses the same resamples as bootstrapRankingMetrics for the same seed', () => {
    const y = [0, 1, 0, 1, 1, 0, 0, 1, 0, 0];
    const p = [0.2, 0.7, 0.4, 0.4, 0.9, 0.1, 0.6, 0.8, 0.3, 0.5];
    const { metrics } = computeClassificationMetrics(y, p, { bootstrap: { seed: 4, resamples: 100 } });
    const ci = bootstrapRankingMetrics(y, p, { seed: 4, resamples: 100 });
    expect([metrics.auroc_ci_low, metrics.auroc_ci_high, metrics.auprc_ci_low, metrics.auprc_ci_high]).toEqual([
      ci.auroc.low,
      ci.auroc.high,
      ci.auprc.low,
      ci.auprc.high,
    ]);
  });

  it('gives every NaN column a warning under its own name on one-class input', () => {
    const { metrics, warnings } = computeClassificationMetrics([0, 0, 0], [0.2, 0.7, 0.4]);
    expect(metrics).toMatchObject({ n: 3, n_positive: 0, accuracy: 2 / 3, precision: 0, f1: 0 });
    expect(metrics.brier).toBeCloseTo((0.04 + 0.49 + 0.16) / 3, 15);
    const nanColumns = Object.entries(metrics)
      .filter(([, v]) => Number.isNaN(v))
      .map(([k]) => k);
    expect(nanColumns.sort()).toEqual(
      ['auprc', 'auprc_ci_high', 'auprc_ci_low', 'auroc', 'auroc_ci_high', 'auroc_ci_low', 'recall'].sort(),
    );
    expect(warnings.map((w) => w.metric).sort()).toEqual(nanColumns.sort());
    expect(warnings.find((w) => w.metric === 'auroc')).toMatchObject({ code: WARNING.oneClass });
    expect(warnings.find((w) => w.metric === 'recall')).toMatchObject({ code: WARNING.noActualPositive });
    const reasons = nullReasons(metrics, warnings);
    expect(Object.keys(reasons).sort()).toEqual(nanColumns.sort());
    expect(reasons['auroc']).toMatch(/all 3 stays are negative/);
  });

  it('returns NaN rows with reasons, not zeros, on an empty set', () => {
    const { metrics, warnings } = computeClassificationMetrics([], []);
    for (const [column, value] of Object.entries(metrics)) {
      if (column === 'n' || column === 'n_positive') expect(value).toBe(0);
      else expect(value).toBeNaN();
    }
    // Every NaN column has its warning under its own name (the ci notes aside).
    expect(new Set(warnings.map((w) => w.metric))).toEqual(new Set(Object.keys(metrics).filter((c) => c !== 'n' && c !== 'n_positive')));
    expect(warnings.filter((w) => w.metric === 'accuracy')).toEqual([
      { metric: 'accuracy', code: WARNING.empty, message: expect.any(String) },
    ]);
  });

  it('marks skipped intervals when the bootstrap is off', () => {
    const { metrics, warnings } = computeClassificationMetrics([0, 1], [0.2, 0.7], { bootstrap: false });
    expect(metrics.auroc_ci_low).toBeNaN();
    expect(warnings).toEqual(
      ['auroc_ci_low', 'auroc_ci_high', 'auprc_ci_low', 'auprc_ci_high'].map((metric) =>
        expect.objectContaining({ metric, code: WARNING.notRequested }),
      ),
    );
  });

  it('notes an interval read from fewer resamples than drawn without hiding its value', () => {
    const { metrics, warnings } = computeClassificationMetrics([1, 0], [0.9, 0.1], { bootstrap: { resamples: 100, seed: 2 } });
    expect(metrics.auroc_ci_low).toBe(1);
    expect(warnings.map((w) => w.metric)).toEqual(['auroc_ci', 'auprc_ci']);
    expect(nullReasons(metrics, warnings)).toEqual({});
  });
});
