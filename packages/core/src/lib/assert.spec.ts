import { assertFiniteInRange, assertInput } from './assert.js';
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
      expect(() => assertInput(falsy, 'E_SEED', message)).toThrow(expect.objectContaining({ name: 'InputError', code: 'E_SEED', message: 'seed must be an integer' }));
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
