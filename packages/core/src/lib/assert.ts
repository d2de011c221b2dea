import { InputError } from './errors.js';

/**
 * Entry-point check with a lazily built message, as tfjs's `util.assert` does: the message is only
 * formatted when the check fails, so checks are cheap on hot paths.
 */
export function assertInput(condition: unknown, code: string, message: () => string): asserts condition {
  if (!condition) throw new InputError(code, message());
}

/**
 * Checks that `value` is a finite number in the closed interval [`min`, `max`] (NaN and ±Infinity fail).
 * `what` names the option in the message (e.g. `'poison rate'`).
 * @throws InputError with `code` (default `E_OUT_OF_RANGE`) otherwise.
 */
export function assertFiniteInRange(value: number, min: number, max: number, what: string, code = 'E_OUT_OF_RANGE'): void {
  assertInput(
    typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max,
    code,
    () => `${what} must be a number in [${min}, ${max}], got ${String(value)}.`,
  );
}
