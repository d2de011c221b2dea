import { createDataset } from '@ehr-backdoor/data';
import { handMadeDataset, makeDataset } from '../testing/fixtures.js';
import { assertVariables, contextFor, TriggerContext } from './context.js';

/**
 * The hand-made dataset (fixtures.ts) with a tabular-only variable: the time-series view keeps only
 * heart_rate, the tabular view has heart_rate and resp_rate (resp_rate's training means: 20 and none).
 */
function tabularOnlyResp() {
  const hand = handMadeDataset();
  const { hours: T, values, mask } = hand.timeSeries;
  const hrValues = values.filter((_, k) => k % 2 === 0);
  const hrMask = mask.filter((_, k) => k % 2 === 0);
  return createDataset({
    stayIds: [101, 102, 103],
    subjectIds: [1, 2, 3],
    labels: [0, 1, 0],
    splits: ['train', 'train', 'test'],
    tabular: { features: hand.tabular.features, values: hand.tabular.values },
    timeSeries: { channels: ['heart_rate'], hours: T, values: hrValues, mask: hrMask, fillValues: [85] },
  });
}

describe('TriggerContext', () => {
  const hand = handMadeDataset();
  const ctx = new TriggerContext(hand);
  const feature = (name: string) => hand.tabular.features.findIndex((f) => f.name === name);

  it('knows both layouts, the tabular features of each variable and the training rows', () => {
    expect([ctx.F, ctx.T, ctx.C]).toEqual([hand.tabular.features.length, 4, 2]);
    expect(ctx.featuresOf.get('heart_rate')).toEqual({
      min: feature('heart_rate_min'),
      max: feature('heart_rate_max'),
      mean: feature('heart_rate_mean'),
      last: feature('heart_rate_last'),
      count: feature('heart_rate_count'),
    });
    // Static features are not clinical variables with statistics.
    expect([...ctx.featuresOf.keys()]).toEqual(['heart_rate', 'resp_rate']);
    expect([...ctx.channelOf]).toEqual([
      ['heart_rate', 0],
      ['resp_rate', 1],
    ]);
    expect(ctx.trainRows).toEqual([0, 1]);
    expect(ctx.datasetVariables()).toEqual(['heart_rate', 'resp_rate']);
  });

  it('plausible ranges from the manifest, the variable table, or unbounded', () => {
    expect(ctx.plausible('heart_rate')).toEqual([0, 300]);
    expect(ctx.plausible('sbp')).toEqual(contextFor(tabularOnlyResp()).plausible('sbp'));
    expect(ctx.plausible('sbp')[1]).toBeGreaterThan(ctx.plausible('sbp')[0]);
    expect(ctx.plausible('no_such_variable')).toEqual([-Infinity, Infinity]);
  });

  it('sorted finite training values per tabular feature and observed training hours per channel (hand-computed)', () => {
    expect(Array.from(ctx.tabularTrainingValues(feature('heart_rate_mean')))).toEqual([85, 115]);
    expect(Array.from(ctx.tabularTrainingValues(feature('heart_rate_max')))).toEqual([90, 130]);
    // Stay 1 never had RR: its NaN statistics are left out; the test stay is never counted.
    expect(Array.from(ctx.tabularTrainingValues(feature('resp_rate_last')))).toEqual([20]);
    expect(Array.from(ctx.tabularTrainingValues(feature('resp_rate_count')))).toEqual([0, 1]);
    expect(ctx.tabularTrainingValues(-1)).toHaveLength(0);
    expect(ctx.tabularTrainingValues(ctx.F)).toHaveLength(0);
    expect(Array.from(ctx.tabularTrainingValues(ctx.F - 1))).toHaveLength(2);
    expect(Array.from(ctx.channelTrainingValues(0))).toEqual([80, 90, 100, 110, 120, 130]);
    expect(Array.from(ctx.channelTrainingValues(1))).toEqual([20]);
    // Asked in the other order, from a fresh context: the same values (computed once for every column).
    const fresh = new TriggerContext(hand);
    expect(Array.from(fresh.channelTrainingValues(1))).toEqual([20]);
    expect(Array.from(fresh.channelTrainingValues(0))).toEqual([80, 90, 100, 110, 120, 130]);
    expect(fresh.channelTrainingValues(0)).toBe(fresh.channelTrainingValues(0));
    expect(Array.from(fresh.tabularTrainingValues(feature('heart_rate_min')))).toEqual([80, 100]);
  });

  it('training quantiles (type 7) from the channel, else the tabular mean feature; none is an error naming the fix', () => {
    expect(ctx.variableQuantile('heart_rate', 0.5)).toBe(105);
    expect(ctx.variableQuantile('heart_rate', 0.98)).toBeCloseTo(129, 10);
    expect(ctx.variableQuantile('heart_rate', 0)).toBe(80);
    const tabOnly = contextFor(tabularOnlyResp());
    expect(tabOnly.channelOf.has('resp_rate')).toBe(false);
    expect(tabOnly.variableQuantile('resp_rate', 0.5)).toBe(20);
    expect(tabOnly.variableQuantile('heart_rate', 1)).toBe(130);
    for (const variable of ['sbp', 'no_such_variable']) {
      expect(() => tabOnly.variableQuantile(variable, 0.5)).toThrow(
        expect.objectContaining({
          code: 'E_NO_TRAINING_VALUES',
          message: `The training split has no observed values of '${variable}', so an in-range trigger value cannot be chosen; give an explicit value instead.`,
        }),
      );
    }
  });

  it('training mean and SD from the channel statistics, else the tabular mean feature, else 0 and 1', () => {
    const norm = hand.manifest.normalisation;
    expect(ctx.variableMean('resp_rate')).toBe(norm.timeSeries.mean[1]);
    expect(ctx.variableStd('resp_rate')).toBe(norm.timeSeries.std[1]);
    expect(ctx.variableMean('heart_rate')).toBe(norm.timeSeries.mean[0]);
    const data = tabularOnlyResp();
    const tabOnly = contextFor(data);
    const j = data.tabular.features.findIndex((f) => f.name === 'resp_rate_mean');
    expect(tabOnly.variableMean('resp_rate')).toBe(data.manifest.normalisation.tabular.mean[j]);
    expect(tabOnly.variableStd('resp_rate')).toBe(data.manifest.normalisation.tabular.std[j]);
    expect(tabOnly.variableMean('resp_rate')).not.toBe(tabOnly.variableMean('heart_rate'));
    expect(tabOnly.variableMean('sbp')).toBe(0);
    expect(tabOnly.variableStd('sbp')).toBe(1);
  });

  it('contextFor: one context per dataset object', () => {
    expect(contextFor(hand)).toBe(contextFor(hand));
    expect(contextFor(hand)).not.toBe(contextFor(handMadeDataset()));
    expect(contextFor(hand).dataset).toBe(hand);
  });

  it('assertVariables: unknown names and names the asked views lack, with the dataset variables', () => {
    const tabOnly = contextFor(tabularOnlyResp());
    const both = { tabular: true, timeseries: true };
    expect(() => assertVariables(tabOnly, ['heart_rate'], 'T', both)).not.toThrow();
    expect(() => assertVariables(tabOnly, ['resp_rate'], 'T', { tabular: true, timeseries: false })).not.toThrow();
    expect(() => assertVariables(tabOnly, ['resp_rate'], 'T', { tabular: false, timeseries: false })).not.toThrow();
    expect(() => assertVariables(tabOnly, ['heart_rate', 'resp_rate'], 'Trigger x', both)).toThrow(
      expect.objectContaining({
        code: 'E_VARIABLE_NOT_IN_DATASET',
        message: "Trigger x: the dataset has no time-series channels for 'resp_rate'. Variables in this dataset: heart_rate, resp_rate.",
        details: { variable: 'resp_rate' },
      }),
    );
    expect(() => assertVariables(tabOnly, ['sbp'], 'T', both)).toThrow(
      expect.objectContaining({
        code: 'E_VARIABLE_NOT_IN_DATASET',
        message:
          "T: the dataset has no tabular features and no time-series channels for 'sbp'. Variables in this dataset: heart_rate, resp_rate.",
      }),
    );
    expect(() => assertVariables(tabOnly, ['sbp'], 'T', { tabular: true, timeseries: false })).toThrow(
      "T: the dataset has no tabular features for 'sbp'.",
    );
    const unknown = () => assertVariables(tabOnly, ['heart_rate', 'pulse'], 'T', both);
    expect(unknown).toThrow(expect.objectContaining({ code: 'E_UNKNOWN_VARIABLE', details: { variable: 'pulse' } }));
    expect(unknown).toThrow(/^T: unknown clinical variable 'pulse'\. Available variables: heart_rate, .*resp_rate.*\.$/);
  });

  it('channelTrainingValues: each channel its own observed training hours, when channels are observed unevenly', () => {
    const data = makeDataset({ n: 15, hours: 6, seed: 3 });
    const { hours: T, channels, values, mask } = data.timeSeries;
    const C = channels.length;
    const ctx = new TriggerContext(data);
    channels.forEach((_, c) => {
      const expected: number[] = [];
      for (const i of ctx.trainRows) for (let t = 0; t < T; t++) if (mask[(i * T + t) * C + c]) expected.push(values[(i * T + t) * C + c]);
      expect(Array.from(ctx.channelTrainingValues(c))).toEqual(Array.from(Float32Array.from(expected).sort()));
    });
  });
});
