import { assertInput, InputError } from '@ehr-backdoor/core';
import type { DetectCode } from './error-codes.js';

/**
 * Fine-pruning's settings and their check, apart from the defence (and TensorFlow.js) so that a study
 * file is checked before anything runs (`@ehr-backdoor/detect/names`).
 */
export interface FinePruningSettings {
  /** Largest drop of validation AUROC the pruning may cost, in (0, 1). Default 0.04: the paper's 4 % drop. */
  readonly budget?: number;
  /** Most penultimate units to cut, as a share in (0, 1]. Default 1 (the budget alone decides; one unit is always kept). */
  readonly maxFraction?: number;
  /** Fine-tuning epochs, a positive integer. Default 2. */
  readonly epochs?: number;
  /** Fine-tuning learning rate, > 0. Default: the model's training learning rate. */
  readonly learningRate?: number;
}

/** The defaults of {@link FinePruningSettings} (the learning rate defaults to the model's own). */
export const DEFAULT_FINE_PRUNING = { budget: 0.04, maxFraction: 1, epochs: 2 } as const;

const KEYS = ['budget', 'maxFraction', 'epochs', 'learningRate'] as const;

/**
 * Checks fine-pruning settings given as data (a study's `options.fine_pruning`, CLI flags), before any work.
 * `nameOf` spells a key as the user wrote it (default `{where}.{key}`).
 * @throws InputError `E_FINE_PRUNING` naming the key, where it came from and its range.
 */
export function checkFinePruningSettings(
  input: unknown,
  where = 'fine_pruning',
  nameOf: (key: string) => string = (key) => `${where}.${key}`,
): FinePruningSettings {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input))
    throw new InputError<DetectCode>(
      'E_FINE_PRUNING',
      `${where} must be an object of settings (${KEYS.join(', ')}); got ${JSON.stringify(input)}.`,
    );
  const settings = input as Record<string, unknown>;
  const unknown = Object.keys(settings).filter((k) => !(KEYS as readonly string[]).includes(k));
  assertInput<DetectCode>(
    unknown.length === 0,
    'E_FINE_PRUNING',
    () => `${where}: unknown setting ${unknown.join(', ')}; fine-pruning reads ${KEYS.join(', ')}.`,
  );
  const check = (key: (typeof KEYS)[number], ok: (v: number) => boolean, range: string) => {
    const v = settings[key];
    if (v === undefined) return;
    assertInput<DetectCode>(
      typeof v === 'number' && Number.isFinite(v) && ok(v),
      'E_FINE_PRUNING',
      () => `${nameOf(key)} must be ${range}; got ${JSON.stringify(v)}.`,
    );
  };
  check('budget', (v) => v > 0 && v < 1, 'a validation-AUROC drop in (0, 1), e.g. 0.04 (the paper stops at a 4 % drop)');
  check('maxFraction', (v) => v > 0 && v <= 1, 'a share of the penultimate units in (0, 1]');
  check('epochs', (v) => Number.isInteger(v) && v > 0, 'a positive integer');
  check('learningRate', (v) => v > 0, 'a positive number, e.g. 0.001');
  return settings as FinePruningSettings;
}
