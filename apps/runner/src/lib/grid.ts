import { assertInput, InputError } from '@ehr-backdoor/core';
import { join } from 'node:path';
import type { RunnerCode } from './error-codes.js';

/**
 * A sweep is a grid of cells: model (variant) × trigger (attack variant) × poison rate × seed. Each cell
 * is one run with its own directory, which is the unit of resumption, of parallelism and of a Slurm
 * array task. Study files (study/) declare grids with variants; `expandGrid` is the plain cross product.
 */
export interface CellKey {
  readonly model: string;
  readonly trigger: string;
  readonly rate: number;
  readonly seed: number;
}

export interface GridSpec {
  readonly models: readonly string[];
  readonly triggers: readonly string[];
  readonly rates: readonly number[];
  readonly seeds: readonly number[];
}

/**
 * Cells in a stable order: clean (rate 0) cells first so a poisoned cell can read the matching clean
 * run for its clean-AUROC drop; then by model, trigger, rate, seed.
 *
 * A rate of 0 is the clean baseline and does not depend on the trigger: it is run once per model and
 * seed (under trigger `none`), whatever triggers the grid names.
 */
export function expandGrid(grid: GridSpec): CellKey[] {
  assertInput<RunnerCode>(
    grid.models.length > 0,
    'E_EMPTY_GRID',
    () => 'The sweep grid names no model: pass --models (e.g. --models mlp lstm).',
  );
  assertInput<RunnerCode>(
    grid.triggers.length > 0,
    'E_EMPTY_GRID',
    () => 'The sweep grid names no trigger: pass --triggers (e.g. --triggers rare_value).',
  );
  assertInput<RunnerCode>(
    grid.rates.length > 0,
    'E_EMPTY_GRID',
    () => 'The sweep grid names no poison rate: pass --poison-rates (e.g. --poison-rates 0 0.01).',
  );
  assertInput<RunnerCode>(grid.seeds.length > 0, 'E_EMPTY_GRID', () => 'The sweep grid names no seed: pass --seeds (e.g. --seeds 0 1 2).');
  for (const rate of grid.rates) checkRate(rate);
  for (const seed of grid.seeds) checkSeed(seed);
  const cells: CellKey[] = [];
  const seen = new Set<string>();
  const push = (cell: CellKey) => {
    const id = cellId(cell);
    if (!seen.has(id)) {
      seen.add(id);
      cells.push(cell);
    }
  };
  const rates = [...new Set(grid.rates)].sort((a, b) => a - b);
  for (const rate of rates) {
    for (const model of unique(grid.models)) {
      for (const trigger of rate === 0 ? ['none'] : unique(grid.triggers).filter((t) => t !== 'none')) {
        for (const seed of unique(grid.seeds)) push({ model, trigger, rate, seed });
      }
    }
  }
  assertInput<RunnerCode>(
    cells.length > 0,
    'E_EMPTY_GRID',
    () => 'The sweep grid is empty: a poisoned rate needs at least one trigger other than `none`.',
  );
  return cells;
}

export function checkRate(rate: number): void {
  if (!(typeof rate === 'number' && Number.isFinite(rate) && rate >= 0 && rate <= 1)) {
    throw new InputError<RunnerCode>(
      'E_POISON_RATE',
      `Poison rate ${String(rate)} is outside [0, 1]: give a fraction such as 0.01 for 1 %.`,
    );
  }
}

export function checkSeed(seed: number): void {
  if (!(Number.isSafeInteger(seed) && seed >= 0)) {
    throw new InputError<RunnerCode>('E_SEED', `Seed ${String(seed)} is not a non-negative integer.`);
  }
}

/** `0.05` → `0.05`, `0.1` → `0.1`, `0` → `0`; at most 4 decimals so directory names are stable. */
export function formatRate(rate: number): string {
  return String(Number(rate.toFixed(4)));
}

export function cellId(cell: CellKey): string {
  return `${cell.model}/${cell.trigger}/${formatRate(cell.rate)}/seed_${cell.seed}`;
}

export function cellDir(runsRoot: string, cell: CellKey): string {
  return join(runsRoot, cell.model, cell.trigger, formatRate(cell.rate), `seed_${cell.seed}`);
}

/** The clean baseline a poisoned cell is compared against. */
export function cleanCellOf(cell: CellKey): CellKey {
  return { model: cell.model, trigger: 'none', rate: 0, seed: cell.seed };
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
