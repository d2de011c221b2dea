import type { ConfidenceInterval } from './bootstrap.js';
import { intervalColumns } from './interval-columns.js';
import { WARNING, type MetricWarning } from './result.js';

const base: ConfidenceInterval = {
  estimate: 0.5,
  low: 0.4,
  high: 0.6,
  level: 0.95,
  resamples: 10,
  validResamples: 10,
  stratified: true,
  seed: 0,
};

describe('intervalColumns', () => {
  it('writes a defined interval as its two columns, with no warning', () => {
    const warnings: MetricWarning[] = [];
    expect(intervalColumns('auroc', base, warnings)).toEqual([0.4, 0.6]);
    expect(warnings).toEqual([]);
  });

  it('gives each NaN column one warning, even when only one end is NaN', () => {
    const warnings: MetricWarning[] = [];
    expect(intervalColumns('asr', { ...base, high: Number.NaN }, warnings)).toEqual([0.4, Number.NaN]);
    // Without a reason of its own the interval gets a generic one.
    expect(warnings).toEqual([
      { metric: 'asr_ci_low', code: WARNING.undefinedInput, message: 'the asr confidence interval is undefined.' },
      { metric: 'asr_ci_high', code: WARNING.undefinedInput, message: 'the asr confidence interval is undefined.' },
    ]);
  });

  it("keeps the interval's own reason and code, and notes a defined interval that rests on fewer resamples", () => {
    const warnings: MetricWarning[] = [];
    intervalColumns('auprc', { ...base, low: Number.NaN, high: Number.NaN, reason: 'one class', code: WARNING.oneClass }, warnings);
    intervalColumns(
      'auroc',
      { ...base, validResamples: 7, reason: 'rests on 7 of 10', code: WARNING.bootstrapDegenerateResamples },
      warnings,
    );
    expect(warnings).toEqual([
      { metric: 'auprc_ci_low', code: WARNING.oneClass, message: 'one class' },
      { metric: 'auprc_ci_high', code: WARNING.oneClass, message: 'one class' },
      { metric: 'auroc_ci', code: WARNING.bootstrapDegenerateResamples, message: 'rests on 7 of 10' },
    ]);
  });

  it('says when the bootstrap was switched off', () => {
    const warnings: MetricWarning[] = [];
    expect(intervalColumns('asr', undefined, warnings)).toEqual([Number.NaN, Number.NaN]);
    expect(warnings).toEqual([
      { metric: 'asr_ci_low', code: WARNING.notRequested, message: 'asr_ci_low was not computed: the bootstrap was switched off.' },
      { metric: 'asr_ci_high', code: WARNING.notRequested, message: 'asr_ci_high was not computed: the bootstrap was switched off.' },
    ]);
  });
});
