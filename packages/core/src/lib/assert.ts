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
 * A range of numbers: each bound is inclusive unless marked exclusive, and a missing bound leaves that
 * side open (`{ min: 0, minExclusive: true }` is "> 0", `{ min: 0, max: 1, maxExclusive: true }` is [0, 1)).
 */
export interface FiniteRange {
  readonly min?: number;
  readonly max?: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
}

/** True when `value` is a finite number inside `range` (NaN, ±Infinity and non-numbers are not). */
export function isFiniteInRange(value: unknown, range: FiniteRange): value is number {
  const { min = -Infinity, max = Infinity, minExclusive = false, maxExclusive = false } = range;
  return (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (minExclusive ? value > min : value >= min) &&
    (maxExclusive ? value < max : value <= max)
  );
}

/**
 * The range in words for a message: `in [0, 1]`, `in (0, 3]`, `> 0`, `≤ 1`, or '' when unbounded.
 * A bound of ±Infinity counts as missing.
 */
export function describeRange(range: FiniteRange): string {
  const { min, max, minExclusive = false, maxExclusive = false } = range;
  const hasMin = min !== undefined && Number.isFinite(min);
  const hasMax = max !== undefined && Number.isFinite(max);
  if (hasMin && hasMax) return `in ${minExclusive ? '(' : '['}${min}, ${max}${maxExclusive ? ')' : ']'}`;
  if (hasMin) return `${minExclusive ? '>' : '≥'} ${min}`;
  if (hasMax) return `${maxExclusive ? '<' : '≤'} ${max}`;
  return '';
}

/**
 * Checks that `value` is a finite number in a range (NaN and ±Infinity fail). `what` names the option in
 * the message (e.g. `'poison rate'`).
 *
 * - `assertFiniteInRange(value, min, max, what, code?)`: the closed interval [`min`, `max`]; the message
 *   says "`what` must be a number in [min, max], got value.".
 * - `assertFiniteInRange(value, range, what, code?)`: any {@link FiniteRange}, bounds inclusive or
 *   exclusive, one side open; the message says "`what` must be a finite number" and the range in words
 *   ({@link describeRange}).
 * @throws InputError with `code` (default `E_OUT_OF_RANGE`) otherwise.
 */
export function assertFiniteInRange<Code extends string = CoreCode>(
  value: unknown,
  min: number,
  max: number,
  what: string,
  code?: Code,
): asserts value is number;
export function assertFiniteInRange<Code extends string = CoreCode>(
  value: unknown,
  range: FiniteRange,
  what: string,
  code?: Code,
): asserts value is number;
export function assertFiniteInRange<Code extends string = CoreCode>(
  value: unknown,
  minOrRange: number | FiniteRange,
  maxOrWhat: number | string,
  whatOrCode?: string,
  maybeCode?: Code,
): asserts value is number {
  if (typeof minOrRange === 'number') {
    const [min, max, what] = [minOrRange, Number(maxOrWhat), String(whatOrCode)];
    assertInput<Code | CoreCode>(
      isFiniteInRange(value, { min, max }),
      maybeCode ?? 'E_OUT_OF_RANGE',
      () => `${what} must be a number in [${min}, ${max}], got ${String(value)}.`,
    );
    return;
  }
  const range = minOrRange;
  const what = String(maxOrWhat);
  assertInput<Code | CoreCode>(
    isFiniteInRange(value, range),
    (whatOrCode as Code | undefined) ?? 'E_OUT_OF_RANGE',
    () => `${what} must be a finite number${describeRange(range) ? ` ${describeRange(range)}` : ''}, got ${String(value)}.`,
  );
}
