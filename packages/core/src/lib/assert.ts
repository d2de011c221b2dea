import type { CoreCode } from './error-codes.js';
import { InputError } from './errors.js';

/**
 * Entry-point check with a lazily built message, as tfjs's `util.assert` does: the message is only
 * formatted when the check fails, so checks are cheap on hot paths.
 */
export function assertInput<Code extends string = string>(condition: unknown, code: Code, message: () => string): asserts condition {
  if (!condition) throw new InputError<Code>(code, message());
}

/**
 * Checks that `value` is a finite number in the closed interval [`min`, `max`] (NaN and ±Infinity fail).
 * `what` names the option in the message (e.g. `'poison rate'`).
 * @throws InputError with `code` (default `E_OUT_OF_RANGE`) otherwise.
 */
export function assertFiniteInRange<Code extends string = CoreCode>(value: number, min: number, max: number, what: string, code?: Code): void {
  assertInput<Code | CoreCode>(
    typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max,
    code ?? 'E_OUT_OF_RANGE',
    () => `${what} must be a number in [${min}, ${max}], got ${String(value)}.`,
  );
}
