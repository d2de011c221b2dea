import { assertFiniteInRange, assertInput, describeRange, isFiniteInRange } from './assert.js';
import { InputError } from './errors.js';

describe('assertInput', () => {
  it('throws an InputError with the code and the message, built only when the check fails', () => {
    let built = 0;
    const message = () => {
      built++;
      return 'seed must be an integer';
    };
    expect(() => assertInput(true, 'E_SEED', message)).not.toThrow();
    expect(() => assertInput(1, 'E_SEED', message)).not.toThrow();
    expect(built).toBe(0);
    for (const falsy of [false, 0, '', null, undefined]) {
      expect(() => assertInput(falsy, 'E_SEED', message)).toThrow(
        expect.objectContaining({ name: 'InputError', code: 'E_SEED', message: 'seed must be an integer' }),
      );
    }
    expect(built).toBe(5);
    expect(() => assertInput(false, 'E_SEED', message)).toThrow(InputError);
  });
});

describe('assertFiniteInRange', () => {
  it('accepts the closed interval, both ends included', () => {
    for (const value of [0, 0.5, 1]) expect(() => assertFiniteInRange(value, 0, 1, 'poison rate')).not.toThrow();
  });

  it('rejects values outside, NaN, infinities and non-numbers, naming the option and the value', () => {
    expect(() => assertFiniteInRange(1.5, 0, 1, 'poison rate')).toThrow(
      expect.objectContaining({ name: 'InputError', code: 'E_OUT_OF_RANGE', message: 'poison rate must be a number in [0, 1], got 1.5.' }),
    );
    expect(() => assertFiniteInRange(-0.1, 0, 1, 'poison rate')).toThrow(expect.objectContaining({ code: 'E_OUT_OF_RANGE' }));
    for (const bad of [NaN, Infinity, -Infinity, '0.5' as unknown as number]) {
      expect(() => assertFiniteInRange(bad, -Infinity, Infinity, 'x')).toThrow(InputError);
    }
    expect(() => assertFiniteInRange(2, 0, 1, 'level', 'E_LEVEL')).toThrow(expect.objectContaining({ code: 'E_LEVEL' }));
  });
});

describe('assertFiniteInRange with a range', () => {
  it('takes each bound as inclusive or exclusive, and a missing bound as open', () => {
    expect(() => assertFiniteInRange(0, { min: 0, minExclusive: true, max: 3 }, 'epsilon')).toThrow(
      expect.objectContaining({ name: 'InputError', code: 'E_OUT_OF_RANGE', message: 'epsilon must be a finite number in (0, 3], got 0.' }),
    );
    expect(() => assertFiniteInRange(3, { min: 0, minExclusive: true, max: 3 }, 'epsilon')).not.toThrow();
    expect(() => assertFiniteInRange(0.5, { min: 0, max: 0.5, maxExclusive: true }, 'contamination', 'E_CONTAMINATION')).toThrow(
      expect.objectContaining({ code: 'E_CONTAMINATION', message: 'contamination must be a finite number in [0, 0.5), got 0.5.' }),
    );
    expect(() => assertFiniteInRange(1e9, { min: 0 }, 'ridge')).not.toThrow();
    expect(() => assertFiniteInRange(-1, { min: 0 }, 'count')).toThrow(
      expect.objectContaining({ message: 'count must be a finite number ≥ 0, got -1.' }),
    );
    expect(() => assertFiniteInRange(Infinity, {}, 'x')).toThrow(
      expect.objectContaining({ message: 'x must be a finite number, got Infinity.' }),
    );
  });

  it('narrows an unknown value to a number', () => {
    const raw: unknown = JSON.parse('0.25');
    assertFiniteInRange(raw, { min: 0, max: 1 }, 'rate');
    expect(raw.toFixed(2)).toBe('0.25');
  });
});

describe('isFiniteInRange', () => {
  it('is the check without the throw', () => {
    expect(isFiniteInRange(1, { min: 0, max: 1 })).toBe(true);
    expect(isFiniteInRange(1, { min: 0, max: 1, maxExclusive: true })).toBe(false);
    expect(isFiniteInRange(-Infinity, {})).toBe(false);
    expect(isFiniteInRange(NaN, {})).toBe(false);
    expect(isFiniteInRange('1', { min: 0 })).toBe(false);
  });
});

describe('describeRange', () => {
  it('says the range in words, treating infinite bounds as missing', () => {
    expect(describeRange({ min: 0, max: 1 })).toBe('in [0, 1]');
    expect(describeRange({ min: 0, max: 1, minExclusive: true, maxExclusive: true })).toBe('in (0, 1)');
    expect(describeRange({ min: 0, minExclusive: true })).toBe('> 0');
    expect(describeRange({ max: 1 })).toBe('≤ 1');
    expect(describeRange({ max: 1, maxExclusive: true, min: -Infinity })).toBe('< 1');
    expect(describeRange({})).toBe('');
  });
});

describe('the bounds a range leaves out', () => {
  it('has no lower bound without a min and keeps an exclusive max', () => {
    expect(isFiniteInRange(-5, { max: 10 })).toBe(true);
    expect(isFiniteInRange(5, {})).toBe(true);
    expect(isFiniteInRange(0.5, { max: 1, maxExclusive: true })).toBe(true);
    expect(isFiniteInRange(1, { max: 1, maxExclusive: true })).toBe(false);
  });

  it('describes a one-sided range by its finite bound only', () => {
    expect(describeRange({ max: 1 })).toBe('≤ 1');
    expect(describeRange({ min: 0 })).toBe('≥ 0');
    expect(describeRange({ min: 0, max: Infinity })).toBe('≥ 0');
    expect(describeRange({ min: -Infinity, max: 1, maxExclusive: true })).toBe('< 1');
  });
});
