import { handMadeDataset } from './testing/fixtures.js';
import { tabularStealth, timeSeriesStealth } from './stealth.js';
import { contextFor } from './triggers/context.js';

/**
 * The stealth counts on hand-made edits of the hand-made dataset (fixtures.ts). Training heart rate
 * hours 80, 90, …, 130: band P1–P99 (type 7) = [80.5, 129.5]; plausible range [0, 300]. Training
 * resp_rate hours: 20 only, so its band is [20, 20].
 */
describe('stealth reports', () => {
  const hand = handMadeDataset();
  const ctx = contextFor(hand);
  const { values, mask } = hand.timeSeries;
  const cell = (row: number, t: number, c: number) => (row * ctx.T + t) * ctx.C + c;

  it('time series: counts written values at the band and range edges, removals apart, forward fill not at all', () => {
    const after = { values: Float32Array.from(values), mask: Uint8Array.from(mask) };
    after.values[cell(1, 0, 0)] = 80.5; // the band's lower edge: inside
    after.values[cell(1, 1, 0)] = 129.5; // its upper edge: inside
    after.values[cell(1, 2, 0)] = 300; // the plausible maximum: plausible, outside the band
    after.values[cell(1, 3, 0)] = 300.5; // outside both
    after.mask[cell(1, 0, 1)] = 1; // RR 18 (the fill value) becomes a measurement: outside [20, 20]
    after.mask[cell(0, 0, 0)] = 0; // an observed HR removed
    after.values[cell(0, 2, 1)] = 21; // an unobserved cell refilled: not a measurement
    after.values[cell(2, 0, 0)] = 500; // a row that is not asked about
    const report = timeSeriesStealth(ctx, 'pattern', { values, mask }, after, [0, 1]);
    expect(report).toEqual({
      trigger: 'pattern',
      view: 'timeseries',
      rows: 2,
      changedRows: 2,
      changedValues: 5,
      outsidePlausible: 1,
      outsideTrainingP1P99: 3,
      shareOutsidePlausible: 1 / 5,
      shareOutsideTrainingP1P99: 3 / 5,
      removedValues: 1,
      perVariable: {
        heart_rate: { changed: 4, outsidePlausible: 1, outsideTrainingP1P99: 2 },
        resp_rate: { changed: 1, outsidePlausible: 0, outsideTrainingP1P99: 1 },
      },
    });
    // Just inside the edges by a float32 step the other way: outside.
    const edges = { values: Float32Array.from(values), mask: Uint8Array.from(mask) };
    edges.values[cell(1, 0, 0)] = 80.49;
    edges.values[cell(1, 1, 0)] = 129.51;
    edges.values[cell(1, 2, 0)] = -0.5;
    expect(timeSeriesStealth(ctx, 'pattern', { values, mask }, edges, [1])).toMatchObject({
      rows: 1,
      changedRows: 1,
      changedValues: 3,
      outsidePlausible: 1,
      outsideTrainingP1P99: 3,
    });
  });

  it('time series: nothing written gives NaN shares and a reason; the last row is read to its end', () => {
    const same = timeSeriesStealth(ctx, 'none', { values, mask }, { values, mask }, [0, 1, 2]);
    expect(same).toMatchObject({ rows: 3, changedRows: 0, changedValues: 0, removedValues: 0, reason: 'the trigger changed no value' });
    expect(same.shareOutsidePlausible).toBeNaN();
    expect(same.shareOutsideTrainingP1P99).toBeNaN();
    const removed = { values: Float32Array.from(values), mask: Uint8Array.from(mask) };
    removed.mask[cell(2, 3, 1)] = 0; // the very last cell of the last stay
    const report = timeSeriesStealth(ctx, 'missingness', { values, mask }, removed, [2]);
    expect(report).toMatchObject({ changedRows: 1, changedValues: 0, removedValues: 1, reason: 'the trigger only removed values' });
    expect(report.shareOutsidePlausible).toBeNaN();
    expect(report.perVariable).toEqual({});
  });

  it('tabular: value statistics count, counts and statics change rows but are not values, NaN is a removal', () => {
    const F = ctx.F;
    const j = (name: string) => hand.tabular.features.findIndex((f) => f.name === name);
    const before = hand.tabular.values;
    const after = Float32Array.from(before);
    // Training HR max: 90, 130 → band [90.4, 129.6]; HR last: 90, 130 → the same band.
    after[1 * F + j('heart_rate_max')] = 125; // inside
    after[1 * F + j('heart_rate_last')] = 500; // outside both
    after[1 * F + j('heart_rate_count')] = 9; // a count: the row changed, no value written
    after[0 * F + j('resp_rate_mean')] = NaN; // removed
    after[0 * F + F - 1] = 99; // a static feature
    after[2 * F + j('heart_rate_min')] = 1; // a test stay never measured: HR min NaN → 1, plausible, outside the band
    const report = tabularStealth(ctx, 'rare_value', before, after, [0, 1, 2]);
    expect(report).toEqual({
      trigger: 'rare_value',
      view: 'tabular',
      rows: 3,
      changedRows: 3,
      changedValues: 3,
      outsidePlausible: 1,
      outsideTrainingP1P99: 2,
      shareOutsidePlausible: 1 / 3,
      shareOutsideTrainingP1P99: 2 / 3,
      removedValues: 1,
      perVariable: { heart_rate: { changed: 3, outsidePlausible: 1, outsideTrainingP1P99: 2 } },
    });
    // NaN stays NaN (a never-measured statistic) is no change; a row with only a count changed is a changed row.
    const countOnly = Float32Array.from(before);
    countOnly[2 * F + j('heart_rate_count')] = 1;
    expect(tabularStealth(ctx, 'rare_value', before, countOnly, [2])).toMatchObject({
      changedRows: 1,
      changedValues: 0,
      removedValues: 0,
      reason: 'the trigger changed no value',
    });
    const onlyRemoved = Float32Array.from(before);
    onlyRemoved[1 * F + j('heart_rate_mean')] = NaN;
    expect(tabularStealth(ctx, 'missingness', before, onlyRemoved, [1])).toMatchObject({
      changedRows: 1,
      removedValues: 1,
      reason: 'the trigger only removed values',
    });
    expect(tabularStealth(ctx, 'none', before, before, [0, 1, 2])).toMatchObject({ changedRows: 0, changedValues: 0 });
  });

  it('the plausible minimum itself is plausible (HR 0)', () => {
    const after = { values: Float32Array.from(values), mask: Uint8Array.from(mask) };
    after.values[cell(1, 0, 0)] = 0;
    const report = timeSeriesStealth(ctx, 'pattern', { values, mask }, after, [1]);
    expect(ctx.plausible('heart_rate')[0]).toBe(0);
    expect(report.outsidePlausible).toBe(0);
    expect(report.outsideTrainingP1P99).toBe(1);
  });
});
