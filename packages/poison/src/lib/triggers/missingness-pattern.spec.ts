import { handMadeDataset, channelSeries } from '../testing/fixtures.js';
import { applyTriggerToTimeSeries, type TriggerInput } from './apply.js';
import { generateMissingnessPattern } from './missingness-pattern.js';
import { resolveTrigger } from './registry.js';

describe('missingness_pattern', () => {
  const ds = handMadeDataset();

  it('removes the marked observed measurements and forward-fills over them', () => {
    const trigger: TriggerInput = {
      name: 'missingness_pattern',
      params: {
        variables: ['heart_rate', 'resp_rate'],
        hours: 2,
        pattern: [
          [1, 1],
          [0, 1],
        ],
      },
    };
    const { values, mask, stealth } = applyTriggerToTimeSeries(ds, trigger, [1, 2]);
    expect(channelSeries(ds, values, mask, 1, 'heart_rate')).toEqual({ values: [100, 110, 110, 130], mask: [1, 1, 0, 1] });
    expect(channelSeries(ds, values, mask, 2, 'resp_rate')).toEqual({ values: [12, 14, 14, 14], mask: [1, 1, 0, 0] });
    // Cells already missing (stay 1 RR, stay 2 HR) stay as they were; nothing is made observed.
    expect(channelSeries(ds, values, mask, 1, 'resp_rate')).toEqual({ values: [18, 18, 18, 18], mask: [0, 0, 0, 0] });
    expect(stealth).toMatchObject({ changedValues: 0, removedValues: 3 });
  });

  it('generates a fixed pattern with round(density × cells) removals, recorded in the parameters', () => {
    const p = generateMissingnessPattern(12, 6, 0.5, 0);
    expect(p.flat().reduce((a, b) => a + b, 0)).toBe(36);
    expect(generateMissingnessPattern(12, 6, 0.5, 0)).toEqual(p);
    expect(resolveTrigger('missingness_pattern').params).toMatchObject({ hours: 12, pattern: p });
    expect(resolveTrigger('missingness_pattern', { hours: 2, variables: ['sbp'], density: 0.01 }).params).toMatchObject({
      pattern: [[expect.any(Number)], [expect.any(Number)]],
    });
  });

  it('rejects malformed patterns and windows longer than the view', () => {
    expect(() => resolveTrigger('missingness_pattern', { variables: ['sbp'], hours: 2, pattern: [[1], [2]] })).toThrow(
      expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }),
    );
    expect(() => resolveTrigger('missingness_pattern', { variables: ['sbp'], hours: 1, pattern: [[0]] })).toThrow(
      expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }),
    );
    expect(() =>
      applyTriggerToTimeSeries(ds, { name: 'missingness_pattern', params: { variables: ['heart_rate'], hours: 6 } }, [0]),
    ).toThrow(expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }));
  });
});
