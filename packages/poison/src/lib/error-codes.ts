/**
 * Every `E_*` code that poison's errors carry, with its meaning: the one place to read them (as vega-lite
 * keeps its messages in `log/message.ts`). The messages stay at the throw sites, typed by {@link PoisonCode}.
 */
export const POISON_CODES = {
  E_POISON_RATE: 'the poisoning rate is not a number in [0, 1]',
  E_POISON_RATE_TOO_LARGE: 'the rate asks for more stays than are eligible',
  E_POISON_RATE_TOO_SMALL: 'the rate rounds to zero poisoned stays',
  E_RATE_BASIS: 'an unknown basis for the poisoning rate',
  E_TARGET_LABEL: 'the target label is not 0 or 1',
  E_POISON_MODE: 'an unknown poisoning mode',
  E_SEED: 'the seed is not an integer',
  E_NO_ELIGIBLE_ROWS: 'no training stay is eligible for poisoning in this mode',
  E_PERTURBATION: 'an invalid clean-label perturbation option',
  E_PERTURBATION_BOUNDS: "a clean-label perturbation's bounds are not a range inside the plausible one",
  E_LOOKALIKE_SPLIT: 'an unknown split for the look-alike rate',
  E_PLAN_INVALID: 'a poisoning plan file is malformed or was edited',
  E_PLAN_MISSING: 'no poisoning plan at the given path',
  E_PLAN_FORMAT: 'a poisoning plan has a format version this version cannot read',
  E_PLAN_HASH_MISMATCH: "a poisoning plan's content does not match its hash",
  E_PLAN_DATASET_MISMATCH: 'a poisoning plan is applied to another dataset than it was made for',
  E_POISONED_DATASET: 'a poisoned dataset was passed where the clean one is needed',
  E_UNKNOWN_TRIGGER: 'an unknown trigger, or a trigger that is not { name, params }',
  E_TRIGGER_PARAMS: 'an unknown or invalid trigger parameter',
  E_TRIGGER_VIEW: "the trigger is not defined on the model's view",
  E_UNKNOWN_VARIABLE: 'an unknown clinical variable',
  E_VARIABLE_NOT_IN_DATASET: 'a clinical variable the dataset does not hold',
  E_NO_TRAINING_VALUES: 'a variable has no observed training value to choose a trigger value from',
  E_ROWS: 'a row index is not a distinct row of the dataset',
} as const satisfies Record<`E_${string}`, string>;

/** A code of {@link POISON_CODES}. */
export type PoisonCode = keyof typeof POISON_CODES;
