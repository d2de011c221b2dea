import { createDataset } from './create-dataset.js';
import { fitNormalisation } from './normalisation.js';
import { SPLIT_CODE } from './types.js';

const { train, val, test } = SPLIT_CODE;

/**
 * Five stays, three in train. Every value outside train is far off (±50, 100, 1000), so statistics
 * fitted on more than the training rows are visibly wrong; unobserved cells hold 999.
 */
const splits = Uint8Array.from([train, val, train, test, train]);
// F = 3: feature 0 train values 1, 3, 5; feature 1 has a NaN in train; feature 2 is constant in train.
const tabular = Float32Array.from([1, NaN, 2, 100, 100, 100, 3, 4, 2, -50, -50, -50, 5, 8, 2]);
// T = 2 hours, C = 2 channels, row-major (stay, hour, channel).
const tsValues = Float32Array.from([10, 999, 999, 999, 1000, 1000, 1000, 1000, 999, 7, 20, 999, 1000, 1000, 1000, 1000, 999, 999, 999, 999]);
const mask = Uint8Array.from([1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0]);

describe('fitNormalisation', () => {
  it('uses the training rows only: mean and sample std per feature (NaN ignored) and per channel (observed cells)', () => {
    const stats = fitNormalisation(splits, tabular, 3, tsValues, mask, 2, 2);
    // Feature 0: 1, 3, 5 → mean 3, s = √((4 + 0 + 4) / 2) = 2. Feature 1: 4, 8 → mean 6, s = √8.
    // Feature 2: 2, 2, 2 → no spread, std 1 so normalising never divides by 0.
    expect(stats.tabular.mean).toEqual([3, 6, 2]);
    expect(stats.tabular.std[0]).toBeCloseTo(2, 12);
    expect(stats.tabular.std[1]).toBeCloseTo(Math.sqrt(8), 12);
    expect(stats.tabular.std[2]).toBe(1);
    // Channel 0: observed train cells 10 (stay 0, hour 0) and 20 (stay 2, hour 1) → mean 15, s = √50.
    // Channel 1: one observed train cell (7) → mean 7, std 1 (a single value has no spread).
    expect(stats.timeSeries.mean).toEqual([15, 7]);
    expect(stats.timeSeries.std[0]).toBeCloseTo(Math.sqrt(50), 12);
    expect(stats.timeSeries.std[1]).toBe(1);
  });

  it('gives mean 0 and std 1 to a feature or channel with no training value', () => {
    const stats = fitNormalisation(Uint8Array.from([val, train]), Float32Array.from([5, NaN]), 1, Float32Array.from([3, 4]), Uint8Array.from([1, 0]), 1, 1);
    expect(stats).toEqual({ tabular: { mean: [0], std: [1] }, timeSeries: { mean: [0], std: [1] } });
  });

  it('is what createDataset records in the manifest', () => {
    const dataset = createDataset({
      stayIds: [1, 2, 3, 4, 5],
      subjectIds: [1, 2, 3, 4, 5],
      labels: [0, 1, 0, 1, 0],
      splits,
      tabular: { features: ['a', 'b', 'c'].map((name) => ({ name, variable: name, stat: 'static' as const })), values: tabular },
      timeSeries: { channels: ['heart_rate', 'sbp'], hours: 2, values: tsValues, mask },
    });
    expect(dataset.manifest.normalisation).toEqual(fitNormalisation(splits, tabular, 3, tsValues, mask, 2, 2));
    expect(dataset.manifest.normalisation.tabular.mean[0]).toBe(3);
  });
});
