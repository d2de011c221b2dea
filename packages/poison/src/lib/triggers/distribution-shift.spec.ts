import { handMadeDataset, makeDataset, tabularRow, channelSeries } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries, type TriggerInput } from './apply.js';
import { resolveTrigger } from './registry.js';

describe('distribution_shift', () => {
  const ds = handMadeDataset();
  // Training HR observations 80, 90, 100, 110, 120, 130: mean 105, sample sd √350.
  const sd = Math.sqrt(350);

  it('additive: + amount × training sd on every value statistic and observed hour', () => {
    const trigger: TriggerInput = { name: 'distribution_shift', params: { variables: ['heart_rate'], amount: 1 } };
    const row = tabularRow(ds, applyTriggerToTabular(ds, trigger, [0]).values, 0);
    expect(row['heart_rate_min']).toBeCloseTo(80 + sd, 3);
    expect(row['heart_rate_mean']).toBeCloseTo(85 + sd, 3);
    expect(row['heart_rate_count']).toBe(2);
    const ts = applyTriggerToTimeSeries(ds, trigger, [0]);
    const hr = channelSeries(ds, ts.values, ts.mask, 0, 'heart_rate');
    [80, 80, 90, 90].forEach((x, t) => expect(hr.values[t]).toBeCloseTo(x + sd, 3));
    expect(hr.mask).toEqual([1, 0, 1, 0]);
  });

  it('multiplicative: × (1 + amount)', () => {
    const row = tabularRow(
      ds,
      applyTriggerToTabular(
        ds,
        { name: 'distribution_shift', params: { variables: ['heart_rate'], kind: 'multiplicative', amount: 0.1 } },
        [0],
      ).values,
      0,
    );
    expect(row['heart_rate_min']).toBeCloseTo(88, 4);
    expect(row['heart_rate_max']).toBeCloseTo(99, 4);
  });

  it('mean: the stay mean moves to training mean + amount × sd, keeping its spread', () => {
    const trigger: TriggerInput = { name: 'distribution_shift', params: { variables: ['heart_rate'], kind: 'mean', amount: 0 } };
    expect(tabularRow(ds, applyTriggerToTabular(ds, trigger, [0]).values, 0)).toMatchObject({
      heart_rate_min: 100,
      heart_rate_max: 110,
      heart_rate_mean: 105,
    });
    const ts = applyTriggerToTimeSeries(ds, trigger, [0]);
    expect(channelSeries(ds, ts.values, ts.mask, 0, 'heart_rate').values).toEqual([100, 100, 110, 110]);
  });

  it('draws round(fraction × variables) variables with the selection seed, the same every time', () => {
    const big = makeDataset({ n: 10 });
    const a = applyTriggerToTabular(big, { name: 'distribution_shift', params: { fraction: 0.25 } }, [0]).resolved['variables'] as string[];
    const b = applyTriggerToTimeSeries(big, { name: 'distribution_shift', params: { fraction: 0.25 } }, [1]).resolved['variables'];
    expect(a).toHaveLength(3);
    expect(b).toEqual(a);
  });

  it('rejects a multiplicative amount ≤ −1 and an unknown kind', () => {
    expect(() => resolveTrigger('distribution_shift', { kind: 'multiplicative', amount: -1 })).toThrow(
      expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }),
    );
    expect(() => resolveTrigger('distribution_shift', { kind: 'sideways' } as never)).toThrow(
      expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }),
    );
  });
});
