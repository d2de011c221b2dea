import { bool, mergeParams, num, numberList, oneOf, paramError, variable, variableList, wantsView } from './params.js';

/** The error `run` throws, for checking code, message and details together. */
function thrown(run: () => unknown): { code?: string; message: string; details?: unknown } {
  try {
    run();
  } catch (error) {
    return error as { code?: string; message: string; details?: unknown };
  }
  throw new Error('expected an error');
}

describe('trigger parameter checks', () => {
  it('paramError: E_TRIGGER_PARAMS naming the trigger, with the trigger in its details', () => {
    expect(paramError('t', 'bad.', { parameter: 'p' })).toMatchObject({
      name: 'InputError',
      code: 'E_TRIGGER_PARAMS',
      message: "Trigger 't': bad.",
      details: { trigger: 't', parameter: 'p' },
    });
    expect(paramError('t', 'bad.').details).toEqual({ trigger: 't' });
  });

  it('mergeParams: defaults for absent keys, undefined values ignored, unknown keys and non-objects refused', () => {
    const defaults = { a: 1, b: [2] };
    expect(mergeParams('t', undefined, defaults)).toEqual(defaults);
    expect(mergeParams('t', null, defaults)).toEqual(defaults);
    expect(mergeParams('t', undefined, defaults)).not.toBe(defaults);
    expect(mergeParams('t', { a: 3, b: undefined }, defaults)).toEqual({ a: 3, b: [2] });
    expect(mergeParams('t', {}, defaults)).toEqual(defaults);
    expect(thrown(() => mergeParams('t', { c: 1 }, defaults))).toMatchObject({
      code: 'E_TRIGGER_PARAMS',
      message: "Trigger 't': unknown parameter 'c'. Parameters: a, b.",
      details: { trigger: 't', parameter: 'c' },
    });
    expect(thrown(() => mergeParams('t', { c: 1 }, {})).message).toBe("Trigger 't': unknown parameter 'c'. Parameters: (none).");
    for (const bad of [[1], 'x', 3, true]) {
      expect(thrown(() => mergeParams('t', bad, defaults))).toMatchObject({
        code: 'E_TRIGGER_PARAMS',
        message: `Trigger 't': parameters must be an object, got ${JSON.stringify(bad)}.`,
        details: { trigger: 't' },
      });
    }
  });

  it('num: finite, in range (inclusive or exclusive minimum), integer and non-zero on request', () => {
    expect(num('t', 'k', 2.5)).toBe(2.5);
    expect(num('t', 'k', -1e9)).toBe(-1e9);
    expect(num('t', 'k', 0, { min: 0, max: 0 })).toBe(0);
    expect(num('t', 'k', 1, { min: 0, max: 1, exclusiveMin: true })).toBe(1);
    expect(num('t', 'k', 3, { integer: true })).toBe(3);
    expect(num('t', 'k', -2, { nonZero: true })).toBe(-2);
    const message = (value: unknown, opts: Parameters<typeof num>[3] = {}) => thrown(() => num('t', 'k', value, opts)).message;
    expect(message(NaN)).toBe("Trigger 't': 'k' must be a finite number in [-Infinity, Infinity], got null.");
    expect(message('1')).toBe(`Trigger 't': 'k' must be a finite number in [-Infinity, Infinity], got "1".`);
    expect(message(-0.5, { min: 0, max: 1 })).toBe("Trigger 't': 'k' must be a finite number in [0, 1], got -0.5.");
    expect(message(1.5, { min: 0, max: 1 })).toBe("Trigger 't': 'k' must be a finite number in [0, 1], got 1.5.");
    expect(message(0, { min: 0, max: 1, exclusiveMin: true })).toBe("Trigger 't': 'k' must be a finite number in (0, 1], got 0.");
    expect(message(1.5, { min: 1, integer: true })).toBe("Trigger 't': 'k' must be a finite integer in [1, Infinity], got 1.5.");
    expect(message(0, { nonZero: true })).toBe("Trigger 't': 'k' must be a finite number in [-Infinity, Infinity], not 0, got 0.");
    expect(thrown(() => num('t', 'k', 0, { nonZero: true }))).toMatchObject({
      code: 'E_TRIGGER_PARAMS',
      details: { trigger: 't', parameter: 'k' },
    });
  });

  it('bool and oneOf: exactly the allowed values', () => {
    expect(bool('t', 'k', true)).toBe(true);
    expect(bool('t', 'k', false)).toBe(false);
    expect(thrown(() => bool('t', 'k', 1))).toMatchObject({
      code: 'E_TRIGGER_PARAMS',
      message: "Trigger 't': 'k' must be true or false, got 1.",
      details: { trigger: 't', parameter: 'k' },
    });
    expect(oneOf('t', 'k', 'b', ['a', 'b'])).toBe('b');
    for (const bad of ['c', 1]) {
      expect(thrown(() => oneOf('t', 'k', bad, ['a', 'b']))).toMatchObject({
        code: 'E_TRIGGER_PARAMS',
        message: `Trigger 't': 'k' must be one of a, b, got ${JSON.stringify(bad)}.`,
        details: { trigger: 't', parameter: 'k' },
      });
    }
  });

  it('variable and variableList: known names, at least minLength, no duplicates', () => {
    expect(variable('t', 'k', 'heart_rate')).toBe('heart_rate');
    expect(thrown(() => variable('t', 'k', 7))).toMatchObject({
      code: 'E_TRIGGER_PARAMS',
      message: "Trigger 't': 'k' must be a clinical variable name, got 7.",
      details: { trigger: 't', parameter: 'k' },
    });
    const unknown = thrown(() => variable('t', 'k', 'pulse'));
    expect(unknown).toMatchObject({ code: 'E_UNKNOWN_VARIABLE', details: { trigger: 't', parameter: 'k', variable: 'pulse' } });
    expect(unknown.message).toMatch(/^Trigger 't': 'k' names unknown clinical variable 'pulse'\. Available variables: heart_rate, .*\.$/);
    expect(unknown.message).toContain(', resp_rate, ');

    expect(variableList('t', 'k', ['heart_rate', 'sbp'])).toEqual(['heart_rate', 'sbp']);
    expect(variableList('t', 'k', ['heart_rate', 'sbp'], 2)).toEqual(['heart_rate', 'sbp']);
    expect(variableList('t', 'k', [], 0)).toEqual([]);
    expect(thrown(() => variableList('t', 'k', []))).toMatchObject({
      code: 'E_TRIGGER_PARAMS',
      message: "Trigger 't': 'k' must be a list of at least 1 clinical variable name(s), got [].",
      details: { trigger: 't', parameter: 'k' },
    });
    expect(thrown(() => variableList('t', 'k', ['sbp'], 2)).message).toBe(
      `Trigger 't': 'k' must be a list of at least 2 clinical variable name(s), got ["sbp"].`,
    );
    expect(thrown(() => variableList('t', 'k', 'sbp')).code).toBe('E_TRIGGER_PARAMS');
    expect(thrown(() => variableList('t', 'k', ['sbp', 'pulse']))).toMatchObject({ details: { parameter: 'k[1]', variable: 'pulse' } });
    expect(thrown(() => variableList('t', 'k', ['sbp', 'dbp', 'sbp']))).toMatchObject({
      code: 'E_TRIGGER_PARAMS',
      message: "Trigger 't': 'k' lists 'sbp' twice.",
      details: { trigger: 't', parameter: 'k' },
    });
  });

  it('numberList: one number per variable, each checked with the options', () => {
    expect(numberList('t', 'k', [1, 2], 2)).toEqual([1, 2]);
    expect(numberList('t', 'k', [], 0)).toEqual([]);
    for (const bad of [[1], [1, 2, 3], 'x']) {
      expect(thrown(() => numberList('t', 'k', bad, 2))).toMatchObject({
        code: 'E_TRIGGER_PARAMS',
        message: `Trigger 't': 'k' must be a list of 2 number(s) (one per variable), got ${JSON.stringify(bad)}.`,
        details: { trigger: 't', parameter: 'k' },
      });
    }
    expect(thrown(() => numberList('t', 'k', [0.5, 2], 2, { min: 0, max: 1 }))).toMatchObject({
      message: "Trigger 't': 'k[1]' must be a finite number in [0, 1], got 2.",
      details: { parameter: 'k[1]' },
    });
  });

  it('wantsView: whether the view is asked for', () => {
    expect(wantsView(['tabular'], 'tabular')).toBe(true);
    expect(wantsView(['tabular'], 'timeseries')).toBe(false);
    expect(wantsView([], 'tabular')).toBe(false);
  });
});
