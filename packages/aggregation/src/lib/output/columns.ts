import type { AggregatedRow } from '../aggregate/aggregate.js';

/** Column order of aggregated.csv and aggregated.arrow (one schema for both). */
export const AGGREGATED_COLUMNS = [
  ['dataset_hash', 'string'],
  ['model', 'string'],
  ['trigger', 'string'],
  ['mode', 'string'],
  ['poison_rate', 'number'],
  ['detector', 'string'],
  ['metric', 'string'],
  ['n', 'int'],
  ['n_missing', 'int'],
  ['mean', 'number'],
  ['std', 'number'],
  ['ci_low', 'number'],
  ['ci_high', 'number'],
  ['ci_method', 'string'],
  ['per_seed', 'string'],
  ['clean_n', 'int'],
  ['clean_mean', 'number'],
  ['delta_mean', 'number'],
  ['p_value', 'number'],
  ['p_holm', 'number'],
  ['significant', 'bool'],
  ['note', 'string'],
] as const satisfies readonly (readonly [keyof AggregatedRow, 'string' | 'number' | 'int' | 'bool'])[];
