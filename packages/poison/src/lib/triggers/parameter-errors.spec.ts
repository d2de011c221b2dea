import { InputError } from '@ehr-backdoor/core';
import { assertTriggerSupportsView, resolveTrigger, triggerDefinition, TRIGGER_NAMES } from './registry.js';

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
});
