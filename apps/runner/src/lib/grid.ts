import { assertInput, InputError } from '@ehr-backdoor/core';
import { join } from 'node:path';

/**
 * A sweep is the Cartesian grid models × triggers × poison rates × seeds. Each point is a cell: one
 * run with its own directory, which is the unit of resumption, of parallelism and (issue 8) of a
 * Slurm array task.
 */
export const MODEL_NAMES = ['mlp', 'tabtransformer', 'lstm', 'tcn'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export const DEFAULT_POISON_RATES = [0, 0.005, 0.01, 0.05, 0.1] as const;

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

export interface Preset extends GridSpec {
  readonly description: string;
  /** Training epochs per cell (with --patience, early stopping may end sooner). */
  readonly epochs: number;
  /** Synthetic stays of the default dataset this preset expects (informational). */
  readonly budget: string;
}

export const PRESETS = {
  smoke: {
    description: 'A minimal end-to-end check (CI): one tabular model, one strong trigger, a clean and a poisoned rate.',
    models: ['mlp'],
    triggers: ['rare_value'],
    rates: [0, 0.05],
    seeds: [0],
    epochs: 4,
    budget: '≤ 3 minutes on 2 cores',
  },
  default: {
    description:
      'The study in miniature: every model; a blunt out-of-range trigger (rare_value), an in-distribution one (missingness) ' +
      'and a literature time-series one (temporal_pattern, time-series models only); all default rates; three seeds.',
    models: ['mlp', 'tabtransformer', 'lstm', 'tcn'],
    triggers: ['rare_value', 'missingness', 'temporal_pattern'],
    rates: [...DEFAULT_POISON_RATES],
    seeds: [0, 1, 2],
    // Sized to the budget on the default dataset (3 127 training stays): every cell trains all 5 epochs
    // and is evaluated at the last (the runner's fixed-epoch protocol); docs/results.md has the timings.
    epochs: 5,
    budget: '≤ 30 minutes on 2 cores',
  },
  full: {
    description: 'The full study grid: every model, every trigger, all default rates, five seeds.',
    models: [...MODEL_NAMES],
    triggers: [
      'rare_value',
      'missingness',
      'hybrid',
      'pattern',
      'correlation',
      'frequency_domain',
      'distribution_shift',
      'temporal_pattern',
      'missingness_pattern',
    ],
    rates: [...DEFAULT_POISON_RATES],
    seeds: [0, 1, 2, 3, 4],
    epochs: 30,
    budget: 'hours on 2 cores; meant for a cluster (sweep --executor slurm)',
  },
} as const satisfies Record<string, Preset>;
export type PresetName = keyof typeof PRESETS;

/**
 * Cells in a stable order: clean (rate 0) cells first so a poisoned cell can read the matching clean
 * run for its clean-AUROC drop; then by model, trigger, rate, seed.
 *
 * A rate of 0 is the clean baseline and does not depend on the trigger: it is run once per model and
 * seed (under trigger `none`), whatever triggers the grid names.
 */
export function expandGrid(grid: GridSpec): CellKey[] {
  assertInput(grid.models.length > 0, 'E_EMPTY_GRID', () => 'The sweep grid names no model: pass --models (e.g. --models mlp lstm).');
  assertInput(grid.triggers.length > 0, 'E_EMPTY_GRID', () => 'The sweep grid names no trigger: pass --triggers (e.g. --triggers rare_value).');
  assertInput(grid.rates.length > 0, 'E_EMPTY_GRID', () => 'The sweep grid names no poison rate: pass --poison-rates (e.g. --poison-rates 0 0.01).');
  assertInput(grid.seeds.length > 0, 'E_EMPTY_GRID', () => 'The sweep grid names no seed: pass --seeds (e.g. --seeds 0 1 2).');
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
  assertInput(cells.length > 0, 'E_EMPTY_GRID', () => 'The sweep grid is empty: a poisoned rate needs at least one trigger other than `none`.');
  return cells;
}

export function checkRate(rate: number): void {
  if (!(typeof rate === 'number' && Number.isFinite(rate) && rate >= 0 && rate <= 1)) {
    throw new InputError('E_POISON_RATE', `Poison rate ${String(rate)} is outside [0, 1]: give a fraction such as 0.01 for 1 %.`);
  }
}

export function checkSeed(seed: number): void {
  if (!(Number.isSafeInteger(seed) && seed >= 0)) {
    throw new InputError('E_SEED', `Seed ${String(seed)} is not a non-negative integer.`);
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
