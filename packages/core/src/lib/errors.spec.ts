import { BugError, CompatibilityError, DataError, EhrBackdoorError, InputError, isEhrBackdoorError } from './errors.js';

describe('error classes', () => {
  it('carry their class name, code, details and cause', () => {
    const cause = new Error('ENOENT');
    const error = new EhrBackdoorError('E_X', 'message', { path: 'a.csv' }, { cause });
    expect(error).toMatchObject({ name: 'EhrBackdoorError', code: 'E_X', message: 'message', details: { path: 'a.csv' }, cause });
    expect(new EhrBackdoorError('E_X', 'm').details).toEqual({});
    expect([new InputError('E_X', 'm'), new DataError('E_X', 'm'), new CompatibilityError('E_X', 'm')].map((e) => e.name)).toEqual([
      'InputError',
      'DataError',
      'CompatibilityError',
    ]);
  });
});

describe('isEhrBackdoorError', () => {
  it('recognises any Error with an E_ code, and nothing else', () => {
    expect(isEhrBackdoorError(new InputError('E_X', 'm'))).toBe(true);
    // Another package's coded error (as metrics' MetricsInputError) counts.
    expect(isEhrBackdoorError(Object.assign(new Error('m'), { code: 'E_METRICS_INPUT' }))).toBe(true);
    // Node's own codes (ENOENT) are not ours: a missing file deep inside is a bug unless wrapped.
    expect(isEhrBackdoorError(Object.assign(new Error('m'), { code: 'ENOENT' }))).toBe(false);
    expect(isEhrBackdoorError(Object.assign(new Error('m'), { code: 7 }))).toBe(false);
    expect(isEhrBackdoorError(new Error('m'))).toBe(false);
    // Not an Error at all, even with the right shape.
    expect(isEhrBackdoorError({ code: 'E_X', message: 'm' })).toBe(false);
    expect(isEhrBackdoorError(undefined)).toBe(false);
  });
});

describe('BugError', () => {
  it('is named so that a copy of the package from elsewhere can tell it', () => {
    expect(new BugError('broken invariant').name).toBe('BugError');
    expect(String(new BugError('broken invariant'))).toBe('BugError: broken invariant');
  });
});
