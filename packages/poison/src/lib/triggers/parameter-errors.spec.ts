import { InputError } from '@ehr-backdoor/core';
import type { DatasetView } from '@ehr-backdoor/data';
import { assertTriggerSupportsView, resolveTrigger, triggerDefinition, TRIGGER_NAMES } from './registry.js';
import { partialViewsDataset } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries, type TriggerInput } from './apply.js';
import { lookalikeRate } from '../lookalike.js';

// A study file's typo in a trigger's parameters must point at the trigger and the key. Each trigger
// names itself in its own resolver, so each is checked here, key by key.
function refusal(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError, none was thrown');
}

describe('trigger parameter errors', () => {
  for (const name of TRIGGER_NAMES) {
    const defaults = triggerDefinition(name).defaults as Record<string, unknown>;

    it(`${name}: a value of the wrong kind names the trigger and the key, for every parameter`, () => {
      for (const key of Object.keys(defaults)) {
        const wrong = typeof defaults[key] === 'string' ? 12345 : 'not-a-value';
        const error = refusal(() => resolveTrigger(name as string, { [key]: wrong }));
        expect(error.code).toBe('E_TRIGGER_PARAMS');
        expect(error.message.startsWith(`Trigger '${name}': '${key}' must be `)).toBe(true);
        expect(error.details).toMatchObject({ trigger: name });
      }
    });

    it(`${name}: an integer parameter refuses 1.5, and an unknown key is named`, () => {
      for (const key of Object.keys(defaults)) {
        const kind = refusal(() => resolveTrigger(name as string, { [key]: 'not-a-value' })).message;
        if (!kind.includes('finite integer')) continue;
        expect(refusal(() => resolveTrigger(name as string, { [key]: 1.5 })).message).toContain(
          `Trigger '${name}': '${key}' must be a finite integer`,
        );
      }
      const unknown = refusal(() => resolveTrigger(name as string, { notAKey: 1 }));
      expect(unknown.message.startsWith(`Trigger '${name}': unknown parameter 'notAKey'.`)).toBe(true);
    });
  }

  it('parameters that are not an object are refused with the value; null and undefined take the defaults', () => {
    for (const bad of [5, 'x', [1], true]) {
      const error = refusal(() => resolveTrigger('rare_value' as string, bad));
      expect(error.code).toBe('E_TRIGGER_PARAMS');
      expect(error.message).toBe(`Trigger 'rare_value': parameters must be an object, got ${JSON.stringify(bad)}.`);
      expect(error.details).toEqual({ trigger: 'rare_value' });
    }
    expect(resolveTrigger('rare_value' as string, null)).toEqual(resolveTrigger('rare_value'));
    expect(resolveTrigger('rare_value' as string, undefined)).toEqual(resolveTrigger('rare_value'));
  });

  it('a trigger defined on one view only says which view and what to use instead', () => {
    const error = refusal(() => assertTriggerSupportsView('missingness_pattern', 'tabular'));
    expect(error.code).toBe('E_TRIGGER_VIEW');
    expect(error.message).toBe(
      "Trigger 'missingness_pattern' is defined on the timeseries view only, not on 'tabular'; use a timeseries model or another trigger.",
    );
    expect(error.details).toEqual({ trigger: 'missingness_pattern', view: 'tabular' });
    expect(() => assertTriggerSupportsView('missingness_pattern', 'timeseries')).not.toThrow();
  });

  it('a trigger defined on both views lists both when asked for a view that is neither', () => {
    const error = refusal(() => assertTriggerSupportsView('rare_value', 'image' as DatasetView));
    expect(error.message).toBe(
      "Trigger 'rare_value' is defined on the tabular and timeseries view only, not on 'image'; use a tabular/timeseries model or another trigger.",
    );
  });

  it('integer parameters refuse 1.5 (hours, seeds, component), each named', () => {
    const integers: [string, string][] = [
      ['rare_value', 'hours'],
      ['pattern', 'hours'],
      ['temporal_pattern', 'hours'],
      ['missingness_pattern', 'hours'],
      ['missingness_pattern', 'patternSeed'],
      ['blended', 'hours'],
      ['blended', 'keySeed'],
      ['frequency_domain', 'component'],
      ['distribution_shift', 'selectionSeed'],
    ];
    for (const [name, key] of integers) {
      const error = refusal(() => resolveTrigger(name, { [key]: 1.5 }));
      expect(error.message).toContain(`Trigger '${name}': '${key}' must be a finite integer`);
      expect(error.details).toMatchObject({ trigger: name, parameter: key });
    }
  });
});

// Every trigger checks its variables against the dataset, applying and in its look-alike test, and names itself.
// partialViewsDataset: sbp is tabular only, resp_rate time-series only, heart_rate and dbp in both.
describe('trigger errors against a dataset name the trigger; look-alike tests need only the time-series view', () => {
  const data = partialViewsDataset();
  const withVariable: Record<string, (v: string) => TriggerInput> = {
    rare_value: (v) => ({ name: 'rare_value', params: { variable: v, value: 50 } }),
    missingness: (v) => ({ name: 'missingness', params: { variables: [v] } }),
    'hybrid (rare part)': (v) => ({ name: 'hybrid', params: { rare: { variable: v, value: 50 }, missing: { variables: ['dbp'] } } }),
    'hybrid (missing part)': (v) => ({ name: 'hybrid', params: { rare: { variable: 'dbp', value: 50 }, missing: { variables: [v] } } }),
    pattern: (v) => ({ name: 'pattern', params: { variables: [v], values: [50] } }),
    'correlation (source)': (v) => ({ name: 'correlation', params: { source: v, targets: ['dbp'] } }),
    'correlation (target)': (v) => ({ name: 'correlation', params: { source: 'dbp', targets: [v] } }),
    distribution_shift: (v) => ({ name: 'distribution_shift', params: { variables: [v] } }),
    temporal_pattern: (v) => ({ name: 'temporal_pattern', params: { variables: [v], hours: 2 } }),
    missingness_pattern: (v) => ({ name: 'missingness_pattern', params: { variables: [v], hours: 2 } }),
    blended: (v) => ({ name: 'blended', params: { variables: [v], hours: 2 } }),
  };
  const notInTimeSeries = (name: string) =>
    `Trigger '${name}': the dataset has no time-series channels for 'sbp'. Variables in this dataset: heart_rate, sbp, dbp, resp_rate, spo2.`;

  for (const [label, trigger] of Object.entries(withVariable)) {
    const name = trigger('sbp').name;
    it(`${label}: a variable without a time-series channel is refused, applying and in the look-alike test`, () => {
      const error = expect.objectContaining({ code: 'E_VARIABLE_NOT_IN_DATASET', message: notInTimeSeries(name) });
      expect(() => applyTriggerToTimeSeries(data, trigger('sbp'), [0])).toThrow(error);
      expect(() => lookalikeRate(data, trigger('sbp'))).toThrow(error);
    });

    it(`${label}: a variable with a time-series channel and no tabular feature is fine for the time-series view and the look-alike test`, () => {
      expect(() => applyTriggerToTimeSeries(data, trigger('resp_rate'), [0])).not.toThrow();
      expect(lookalikeRate(data, trigger('resp_rate')).stays).toBe(3);
    });
  }

  const withHours: Record<string, TriggerInput> = {
    rare_value: { name: 'rare_value', params: { variable: 'dbp', value: 50, hours: 5 } },
    hybrid: { name: 'hybrid', params: { rare: { variable: 'dbp', value: 50, hours: 5 }, missing: { variables: ['heart_rate'] } } },
    pattern: { name: 'pattern', params: { variables: ['dbp'], values: [50], hours: 5 } },
    temporal_pattern: { name: 'temporal_pattern', params: { variables: ['dbp'], hours: 5 } },
    missingness_pattern: { name: 'missingness_pattern', params: { variables: ['dbp'], hours: 5 } },
    blended: { name: 'blended', params: { variables: ['dbp'], hours: 5 } },
  };
  // Applying refuses more hours than the window, and so does every look-alike test that counts hours.
  for (const [name, trigger] of Object.entries(withHours)) {
    it(`${name}: more hours than the window, applying and in the look-alike test`, () => {
      const message = `Trigger '${name}': 'hours' is 5 but the time-series window has only 4 hours; use at most 4.`;
      expect(() => applyTriggerToTimeSeries(data, trigger, [0])).toThrow(message);
      expect(() => lookalikeRate(data, trigger)).toThrow(expect.objectContaining({ code: 'E_TRIGGER_PARAMS', message }));
    });
  }

  it('blended takes its key from the time-series view even when only the tabular view is triggered', () => {
    expect(() => applyTriggerToTabular(data, withVariable['blended']('sbp'), [0])).toThrow(
      expect.objectContaining({ code: 'E_VARIABLE_NOT_IN_DATASET', message: notInTimeSeries('blended') }),
    );
  });
});
