import { DataError } from '@ehr-backdoor/core';
import type { CohortArrays } from '../cohort/build-cohort.js';
import type { AggregatedFeatures } from '../features/aggregate-features.js';
import { forwardFill, observedMedians } from '../features/hourly-grid.js';
import { tabularFeatures } from '../features/tabular-features.js';
import { assignPatientSplits, type SplitFractions } from '../splits/patient-splits.js';
import type { ClinicalVariable } from '../variables.js';
import { fitNormalisation } from './normalisation.js';
import { summariseSplits, type SplitCounts } from './split-summary.js';
import { SPLIT_CODE, type NormalisationStats, type SplitName, type TabularFeature } from './types.js';
import type { DataCode } from '../error-codes.js';

/**
 * The `splits` phase of `prepare`: patient-level splits ─▶ fill values (training medians) + forward fill of
 * the hourly grid (in place) ─▶ normalisation statistics on the training split. Nothing outside the
 * training split informs a statistic.
 */
export interface SplitDataset {
  readonly splits: Uint8Array;
  readonly summary: Record<SplitName, SplitCounts>;
  readonly fillValues: Float32Array;
  readonly features: TabularFeature[];
  readonly normalisation: NormalisationStats;
  /** An empty validation or test split, a variable never observed in training. */
  readonly warnings: string[];
}

/** @throws DataError `E_EMPTY_SPLIT` when the training split is empty. */
export function splitAndNormalise(
  cohort: CohortArrays,
  aggregated: AggregatedFeatures,
  variables: readonly ClinicalVariable[],
  fractions: SplitFractions,
  seed: number,
): SplitDataset {
  const splits = assignPatientSplits(cohort.subjectIds, cohort.labels, fractions, seed);
  const summary = summariseSplits(splits, cohort.labels, cohort.subjectIds);
  const warnings = checkSplits(summary, cohort, fractions);
  const { grid, tabular } = aggregated;
  const fillValues = trainingFillValues(aggregated, splits, variables, warnings);
  forwardFill(grid, fillValues);
  const features = tabularFeatures(variables);
  const normalisation = fitNormalisation(splits, tabular.values, features.length, grid.values, grid.mask, grid.hours, grid.channels);
  return { splits, summary, fillValues, features, normalisation, warnings };
}

/** An empty training split is an error; an empty validation or test split that was asked for, a warning. */
function checkSplits(summary: Record<SplitName, SplitCounts>, cohort: CohortArrays, fractions: SplitFractions): string[] {
  if (summary.train.stays === 0) {
    throw new DataError<DataCode>(
      'E_EMPTY_SPLIT',
      `The training split is empty (cohort of ${cohort.stayIds.length} stays from ${new Set(cohort.subjectIds).size} patients). Use a larger MIMIC-IV extract or a larger train fraction.`,
    );
  }
  const warnings: string[] = [];
  for (const name of ['val', 'test'] as const) {
    if (summary[name].stays === 0 && fractions[name] > 0) warnings.push(`the ${name} split is empty: the cohort has too few patients for the requested fractions.`);
  }
  return warnings;
}

/** Per channel, the median of its observed training cells; the middle of its plausible range (with a warning) when it has none. */
function trainingFillValues(aggregated: AggregatedFeatures, splits: Uint8Array, variables: readonly ClinicalVariable[], warnings: string[]): Float32Array {
  const medians = observedMedians(aggregated.grid, (i) => splits[i] === SPLIT_CODE.train);
  return Float32Array.from(medians, (m, c) => {
    if (Number.isFinite(m)) return m;
    const [low, high] = variables[c].plausible;
    warnings.push(`${variables[c].name} is never observed in the training split; its fill value is the middle of its plausible range (${(low + high) / 2}).`);
    return (low + high) / 2;
  });
}
