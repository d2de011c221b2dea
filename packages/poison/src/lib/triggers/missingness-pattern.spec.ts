import { handMadeDataset, channelSeries } from '../testing/fixtures.js';
import { applyTriggerToTimeSeries, type TriggerInput } from './apply.js';
import { generateMissingnessPattern } from './missingness-pattern.js';
import { Random } from '@ehr-backdoor/core';
import { resolveTrigger } from './registry.js';
import { lookalikeRate } from '../lookalike.js';

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

  it('says what a pattern must be; at least one removal, a given pattern is copied', () => {
    const base = { variables: ['sbp', 'dbp'], hours: 2 };
    const message = (given: unknown) =>
      `Trigger 'missingness_pattern': 'pattern' must be 2 rows (hours) of 2 zeros/ones (variables), got ${JSON.stringify(given)}.`;
    for (const bad of [
      [[1, 0]],
      [[1, 0], [0]],
      [[1, 0], 'x'],
      [
        [1, 0],
        [0, 0.5],
      ],
      'x',
      [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
    ]) {
      expect(() => resolveTrigger('missingness_pattern', { ...base, pattern: bad } as never)).toThrow(
        expect.objectContaining({ message: message(bad), details: { trigger: 'missingness_pattern', parameter: 'pattern' } }),
      );
    }
    expect(() =>
      resolveTrigger('missingness_pattern', {
        ...base,
        pattern: [
          [0, 0],
          [0, 0],
        ],
      }),
    ).toThrow(
      expect.objectContaining({
        message: "Trigger 'missingness_pattern': 'pattern' removes nothing; mark at least one cell with 1.",
        details: { trigger: 'missingness_pattern', parameter: 'pattern' },
      }),
    );
    const given = [
      [0, 0],
      [0, 1],
    ];
    const resolved = resolveTrigger('missingness_pattern', { ...base, pattern: given }).params;
    expect(resolved).toEqual({
      ...base,
      density: 0.5,
      patternSeed: 0,
      pattern: [
        [0, 0],
        [0, 1],
      ],
    });
    given[1][1] = 0;
    expect(resolved.pattern[1][1]).toBe(1);
    expect(resolveTrigger('missingness_pattern', { ...base, pattern: null } as never).params.pattern).toEqual(
      generateMissingnessPattern(2, 2, 0.5, 0),
    );
    expect(() => resolveTrigger('missingness_pattern', { density: 0 })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ parameter: 'density' }) }),
    );
    expect(() => resolveTrigger('missingness_pattern', { patternSeed: 0.5 })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ parameter: 'patternSeed' }) }),
    );
    expect(() => resolveTrigger('missingness_pattern', { hours: 0 })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ parameter: 'hours' }) }),
    );
  });

  it('generated patterns: the row-major cells the seed draws, at least one', () => {
    expect(
      generateMissingnessPattern(2, 3, 0.01, 0)
        .flat()
        .filter((x) => x === 1),
    ).toHaveLength(1);
    expect(generateMissingnessPattern(2, 3, 1, 0)).toEqual([
      [1, 1, 1],
      [1, 1, 1],
    ]);
    const p = generateMissingnessPattern(3, 2, 0.5, 4);
    expect(p).toHaveLength(3);
    expect(p.every((r) => r.length === 2)).toBe(true);
    const chosen = new Set(Random.fromSeed(4, 'missingness_pattern').sampleIndices(6, 3));
    expect(p.flat()).toEqual([0, 1, 2, 3, 4, 5].map((i) => (chosen.has(i) ? 1 : 0)));
    expect(generateMissingnessPattern(3, 2, 0.5, 5)).not.toEqual(p);
  });

  it('look-alike: every removed cell already unobserved (exact)', () => {
    const spec = {
      name: 'missingness_pattern' as const,
      params: {
        variables: ['heart_rate', 'resp_rate'],
        hours: 2,
        pattern: [
          [1, 0],
          [0, 1],
        ],
      },
    };
    // Removed cells: HR at hour 2, RR at hour 3. Stay 0: HR 90 at hour 2 (observed); stay 1: HR 120; stay 2: HR never, RR 18.
    const report = lookalikeRate(ds, spec);
    expect(report.tolerance).toBe("every one of the pattern's 2 removed cells already unobserved (exact)");
    expect(report.carriers).toBe(0);
    // HR at hour 3 only: stay 0 (– at hour 3) and stay 2 (never) carry it; stay 1 (130) does not.
    expect(
      lookalikeRate(ds, { name: 'missingness_pattern', params: { variables: ['heart_rate'], hours: 1, pattern: [[1]] } }).byLabel,
    ).toEqual([
      { stays: 2, carriers: 2, rate: 1 },
      { stays: 1, carriers: 0, rate: 0 },
    ]);
    expect(() => lookalikeRate(ds, { name: 'missingness_pattern', params: { variables: ['heart_rate'], hours: 5 } })).toThrow(
      /'hours' is 5/,
    );
    expect(() => lookalikeRate(ds, { name: 'missingness_pattern', params: { variables: ['sbp'], hours: 1 } })).toThrow(
      expect.objectContaining({ code: 'E_VARIABLE_NOT_IN_DATASET' }),
    );
  });

  it('look-alike: the marked cells are counted from the start of the pattern hours (hour 3 marked of the last 2)', () => {
    // RR: stay 0 observed at hour 1 only, stay 1 never, stay 2 at every hour: stays 0 and 1 already miss hour 3.
    const trigger: TriggerInput = { name: 'missingness_pattern', params: { variables: ['resp_rate'], hours: 2, pattern: [[0], [1]] } };
    expect(lookalikeRate(ds, trigger).carriers).toBe(2);
  });
});
