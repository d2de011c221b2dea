import { CompatibilityError, DataError, EhrBackdoorError, InputError } from './errors.js';
import { EXIT, exitCodeFor } from './exit-codes.js';

describe('exitCodeFor', () => {
  it('maps each kind of error to its exit code', () => {
    expect(exitCodeFor(new InputError('E_X', 'x'))).toBe(EXIT.input);
    expect(exitCodeFor(new DataError('E_X', 'x'))).toBe(EXIT.data);
    expect(exitCodeFor(new CompatibilityError('E_X', 'x'))).toBe(EXIT.compatibility);
    class PartialFailure extends EhrBackdoorError {
      override readonly name = 'PartialFailure';
      readonly exitCode = EXIT.partialFailure;
    }
    expect(exitCodeFor(new PartialFailure('E_CELLS_FAILED', 'x'))).toBe(5);
  });

  it('treats anything without an E_ code as a bug', () => {
    expect(exitCodeFor(new Error('boom'))).toBe(EXIT.bug);
    expect(exitCodeFor('a string')).toBe(EXIT.bug);
  });
});
