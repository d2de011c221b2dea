import { readFile } from 'node:fs/promises';
import { CompatibilityError, hashJson, InputError, writeJsonAtomic } from '@ehr-backdoor/core';
import type { ThresholdRule } from '@ehr-backdoor/metrics';
import type { CellKey } from './grid.js';
import { cellConfigFromOptions, type CellConfig, type PlannedCell } from './cell-config.js';
import type { RunnerCode } from './error-codes.js';
import type { RunOptions } from './run-options.js';

export type { RunOptions } from './run-options.js';

/**
 * A sweep plan is the ordered list of cells and the options they share, written into the runs root.
 * Every executor runs cells the same way, `ehr-backdoor run-cell --plan FILE --index I`, so a local
 * pool and a Slurm array produce the same run directories.
 */
export interface SweepPlan {
  readonly formatVersion: 1;
  readonly createdAt: string;
  readonly dataDir: string;
  readonly runsRoot: string;
  readonly preset?: string;
  /** The study file the plan was made from (`study run`), or how the study was built (`sweep`). */
  readonly study?: string;
  /** Options shared by the cells; a cell that carries its own `config` (plans of studies) runs with that instead. */
  readonly options: RunOptions;
  readonly cells: readonly PlannedCell[];
  readonly planHash: string;
}

export const PLAN_FILE = 'sweep-plan.json';

/**
 * How `run` and `sweep` train unless told otherwise: every epoch, then evaluate the last one, the
 * fixed-epoch protocol of the backdoor literature. Selecting the epoch with the best clean validation
 * AUROC (`--selection best`, with `--patience` for early stopping) tends to stop before a rare trigger is
 * learned, so it is a (weak) defence to study on purpose, not a default; docs/results.md measures both.
 */
export const DEFAULT_TRAINING_PROTOCOL = { selection: 'last', patience: 0 } as const;

/** The `run` and `sweep` options that choose the protocol (yargs option definitions). */
export const TRAINING_PROTOCOL_OPTIONS = {
  patience: {
    type: 'number',
    default: DEFAULT_TRAINING_PROTOCOL.patience,
    describe: 'Early stopping: epochs without a better validation AUROC; 0 trains every epoch.',
  },
  selection: {
    type: 'string',
    default: DEFAULT_TRAINING_PROTOCOL.selection,
    choices: ['last', 'best'],
    describe: 'Evaluate the last epoch (fixed-epoch protocol) or the best validation-AUROC epoch.',
  },
} as const;

/** The `run` and `sweep` options that choose how results are measured (yargs option definitions). */
export const MEASUREMENT_OPTIONS = {
  'threshold-rule': {
    type: 'string',
    default: 'fpr=0.05',
    describe:
      'Operating threshold on p(target), chosen per model on its clean validation split: fpr=X (the non-target class has false-positive rate X, in (0, 1)) or fixed=T (T in [0, 1]).',
  },
  'rate-basis': {
    type: 'string',
    default: 'eligible',
    choices: ['eligible', 'train'],
    describe: 'What the poison rate is a share of: the eligible training stays (label ≠ target) or the whole training split.',
  },
} as const;

/**
 * `fpr=0.05` → { kind: 'fpr', fpr: 0.05 }; `fixed=0.5` → { kind: 'fixed', threshold: 0.5 }.
 * @throws InputError `E_THRESHOLD_RULE` for another form or a value out of range.
 */
export function parseThresholdRule(text: string): ThresholdRule {
  const match = /^(fpr|fixed)=(.+)$/.exec(String(text).trim());
  const value = match ? Number(match[2]) : Number.NaN;
  if (match?.[1] === 'fpr' && value > 0 && value < 1) return { kind: 'fpr', fpr: value };
  if (match?.[1] === 'fixed' && value >= 0 && value <= 1) return { kind: 'fixed', threshold: value };
  throw new InputError<RunnerCode>(
    'E_THRESHOLD_RULE',
    `--threshold-rule "${text}" is not valid: use fpr=X with a false-positive rate X in (0, 1) (default fpr=0.05) or fixed=T with a threshold T in [0, 1] (e.g. fixed=0.5).`,
  );
}

/** A `--threshold-rule` as a study file writes it (`evaluation.threshold`). */
export function studyThreshold(text: string): { fpr: number } | { fixed: number } {
  const rule = parseThresholdRule(text);
  return rule.kind === 'fpr' ? { fpr: rule.fpr } : { fixed: rule.threshold };
}

export function makePlan(fields: Omit<SweepPlan, 'formatVersion' | 'createdAt' | 'planHash'>): SweepPlan {
  const body = { formatVersion: 1 as const, ...fields };
  return { ...body, createdAt: new Date().toISOString(), planHash: hashJson(body) };
}

/** Cell `index` of the plan, the unit a `run-cell` process or a local worker is given. */
export function cellOfPlan(plan: SweepPlan, index: number): PlannedCell {
  if (!(Number.isInteger(index) && index >= 0 && index < plan.cells.length)) {
    throw new InputError<RunnerCode>(
      'E_CELL_INDEX',
      `Cell index ${index} is outside the plan's ${plan.cells.length} cells (0 to ${plan.cells.length - 1}).`,
    );
  }
  return plan.cells[index];
}

/** Cell `index` of the plan and the configuration it runs with. */
export async function configOfPlanCell(plan: SweepPlan, index: number): Promise<{ cell: CellKey; config: CellConfig }> {
  const { config, hash: _hash, ...cell } = cellOfPlan(plan, index);
  return { cell, config: config ?? (await cellConfigFromOptions(cell, plan.options)) };
}

export async function writePlan(path: string, plan: SweepPlan): Promise<void> {
  await writeJsonAtomic(path, plan);
}

export async function readPlan(path: string): Promise<SweepPlan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError<RunnerCode>(
      'E_PLAN_MISSING',
      `No sweep plan at ${path}: run \`ehr-backdoor sweep\` (it writes the plan) or pass the right --plan.`,
    );
  }
  let plan: SweepPlan;
  try {
    plan = JSON.parse(text) as SweepPlan;
  } catch (error) {
    throw new InputError<RunnerCode>(
      'E_PLAN_CORRUPT',
      `The sweep plan ${path} is not valid JSON (${(error as Error).message}); re-run \`ehr-backdoor sweep\`.`,
    );
  }
  if (plan.formatVersion !== 1) {
    throw new CompatibilityError<RunnerCode>(
      'E_PLAN_VERSION',
      `The sweep plan ${path} has format version ${String(plan.formatVersion)}; this ehr-backdoor reads version 1.`,
    );
  }
  if (!Array.isArray(plan.cells)) throw new InputError<RunnerCode>('E_PLAN_CORRUPT', `The sweep plan ${path} has no cells list.`);
  return plan;
}
