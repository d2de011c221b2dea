import { InputError, isFiniteInRange } from '@ehr-backdoor/core';
import { CLINICAL_VARIABLES, variableByName, type DatasetView } from '@ehr-backdoor/data';
import type { TriggerContext } from './context.js';
import type { TriggerName, TriggerParams } from './types.js';
import type { PoisonCode } from '../error-codes.js';

/**
 * Parameter checking shared by the trigger definitions: every failure is an InputError with code
 * E_TRIGGER_PARAMS (E_UNKNOWN_VARIABLE for a name outside the variable table) naming the trigger,
 * the parameter, the value and what is allowed.
 */
export interface PreparedTrigger {
  /** Dataset-dependent choices (values taken from training quantiles, variables drawn), recorded in plans. */
  readonly resolved: Readonly<Record<string, unknown>>;
  /** Edits the rows of a copied tabular value array in place. */
  readonly tabular?: (values: Float32Array, rows: readonly number[]) => void;
  /** Edits the rows of copied time-series value and mask arrays in place. */
  readonly timeseries?: (values: Float32Array, mask: Uint8Array, rows: readonly number[]) => void;
}

/**
 * How a clean stay can already carry a trigger: its natural look-alike, judged on the time-series view
 * (both views are built from the same hourly measurements) with a tolerance the trigger defines.
 */
export interface LookalikeCheck {
  /** What counts as carrying the trigger, in words (reports and docs quote it). */
  readonly tolerance: string;
  /** True when stay `row` of these (clean) time-series arrays already carries the trigger. */
  readonly carries: (values: Float32Array, mask: Uint8Array, row: number) => boolean;
}

export interface TriggerDefinition<N extends TriggerName> {
  readonly name: N;
  readonly description: string;
  readonly views: readonly DatasetView[];
  readonly defaults: TriggerParams<N>;
  /** Fills defaults into a partial parameter object and validates everything that does not need a dataset. */
  resolve(partial: Record<string, unknown>): TriggerParams<N>;
  /** Checks the parameters against a dataset and returns the edits for the requested views. */
  prepare(ctx: TriggerContext, params: TriggerParams<N>, views: readonly DatasetView[]): PreparedTrigger;
  /** The trigger's natural look-alike test on a dataset's time-series view; null when nothing can be carried (`none`). */
  lookalike(ctx: TriggerContext, params: TriggerParams<N>): LookalikeCheck | null;
}

export function paramError(trigger: string, message: string, details: Record<string, unknown> = {}): InputError {
  return new InputError<PoisonCode>('E_TRIGGER_PARAMS', `Trigger '${trigger}': ${message}`, { trigger, ...details });
}

/** Merges `partial` over `defaults`, rejecting keys the trigger does not have. */
export function mergeParams<P extends object>(trigger: string, partial: unknown, defaults: P): Record<string, unknown> {
  if (partial === undefined || partial === null) return { ...defaults } as Record<string, unknown>;
  if (typeof partial !== 'object' || Array.isArray(partial)) {
    throw paramError(trigger, `parameters must be an object, got ${JSON.stringify(partial)}.`);
  }
  const allowed = Object.keys(defaults);
  for (const key of Object.keys(partial)) {
    if (!allowed.includes(key)) {
      throw paramError(trigger, `unknown parameter '${key}'. Parameters: ${allowed.length ? allowed.join(', ') : '(none)'}.`, {
        parameter: key,
      });
    }
  }
  const merged: Record<string, unknown> = { ...defaults } as Record<string, unknown>;
  for (const [key, value] of Object.entries(partial)) if (value !== undefined) merged[key] = value;
  return merged;
}

export function num(
  trigger: string,
  key: string,
  value: unknown,
  opts: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean; nonZero?: boolean } = {},
): number {
  const { min = -Infinity, max = Infinity, integer = false, exclusiveMin = false, nonZero = false } = opts;
  const ok =
    isFiniteInRange(value, { min, max, minExclusive: exclusiveMin }) && (!integer || Number.isInteger(value)) && (!nonZero || value !== 0);
  if (!ok) {
    const range = `${exclusiveMin ? '(' : '['}${min}, ${max}]`;
    throw paramError(
      trigger,
      `'${key}' must be a finite ${integer ? 'integer' : 'number'} in ${range}${nonZero ? ', not 0' : ''}, got ${JSON.stringify(value)}.`,
      { parameter: key },
    );
  }
  return value;
}

export function bool(trigger: string, key: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw paramError(trigger, `'${key}' must be true or false, got ${JSON.stringify(value)}.`, { parameter: key });
  return value;
}

export function oneOf<T extends string>(trigger: string, key: string, value: unknown, options: readonly T[]): T {
  if (typeof value !== 'string' || !options.includes(value as T)) {
    throw paramError(trigger, `'${key}' must be one of ${options.join(', ')}, got ${JSON.stringify(value)}.`, { parameter: key });
  }
  return value as T;
}

export function variable(trigger: string, key: string, value: unknown): string {
  if (typeof value !== 'string')
    throw paramError(trigger, `'${key}' must be a clinical variable name, got ${JSON.stringify(value)}.`, { parameter: key });
  if (!variableByName(value)) {
    throw new InputError<PoisonCode>(
      'E_UNKNOWN_VARIABLE',
      `Trigger '${trigger}': '${key}' names unknown clinical variable '${value}'. Available variables: ${CLINICAL_VARIABLES.map((v) => v.name).join(', ')}.`,
      { trigger, parameter: key, variable: value },
    );
  }
  return value;
}

export function variableList(trigger: string, key: string, value: unknown, minLength = 1): string[] {
  if (!Array.isArray(value) || value.length < minLength) {
    throw paramError(trigger, `'${key}' must be a list of at least ${minLength} clinical variable name(s), got ${JSON.stringify(value)}.`, {
      parameter: key,
    });
  }
  const names = value.map((v, i) => variable(trigger, `${key}[${i}]`, v));
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw paramError(trigger, `'${key}' lists '${duplicate}' twice.`, { parameter: key });
  return names;
}

export function numberList(trigger: string, key: string, value: unknown, length: number, opts: Parameters<typeof num>[3] = {}): number[] {
  if (!Array.isArray(value) || value.length !== length) {
    throw paramError(trigger, `'${key}' must be a list of ${length} number(s) (one per variable), got ${JSON.stringify(value)}.`, {
      parameter: key,
    });
  }
  return value.map((v, i) => num(trigger, `${key}[${i}]`, v, opts));
}

export function wantsView(views: readonly DatasetView[], view: DatasetView): boolean {
  return views.includes(view);
}
