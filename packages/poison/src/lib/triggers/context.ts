import { InputError, quantileSorted } from '@ehr-backdoor/core';
import { CLINICAL_VARIABLES, SPLIT_CODE, variableByName, type EhrDataset, type TabularStat } from '@ehr-backdoor/data';
import type { PoisonCode } from '../error-codes.js';

/**
 * What a trigger may know about the dataset it poisons: the layout of both views and statistics of
 * the CLEAN training split (an attacker who poisons the training data can compute them; the victim's
 * normalisation is refitted later on the poisoned split). Sorted training values are computed on
 * first use; `contextFor` caches one context per dataset object (datasets are never written to).
 */
export const VALUE_STATS: readonly TabularStat[] = ['min', 'max', 'mean', 'last'];

export interface VariableFeatures {
  readonly min?: number;
  readonly max?: number;
  readonly mean?: number;
  readonly last?: number;
  readonly count?: number;
}

export class TriggerContext {
  readonly dataset: EhrDataset;
  readonly F: number;
  readonly T: number;
  readonly C: number;
  /** Tabular feature indices per clinical variable. */
  readonly featuresOf: ReadonlyMap<string, VariableFeatures>;
  readonly channelOf: ReadonlyMap<string, number>;
  readonly trainRows: readonly number[];
  private tabularSorted: Float32Array[] | undefined;
  private channelSorted: Float32Array[] | undefined;

  constructor(dataset: EhrDataset) {
    this.dataset = dataset;
    this.F = dataset.tabular.features.length;
    this.T = dataset.timeSeries.hours;
    this.C = dataset.timeSeries.channels.length;
    const featuresOf = new Map<string, Record<string, number>>();
    dataset.tabular.features.forEach((f, j) => {
      if (f.stat === 'static') return;
      const entry = featuresOf.get(f.variable) ?? {};
      entry[f.stat] = j;
      featuresOf.set(f.variable, entry);
    });
    this.featuresOf = featuresOf as Map<string, VariableFeatures>;
    this.channelOf = new Map(dataset.timeSeries.channels.map((c, i) => [c, i]));
    const train: number[] = [];
    for (let i = 0; i < dataset.n; i++) if (dataset.splits[i] === SPLIT_CODE.train) train.push(i);
    this.trainRows = train;
  }

  /** Clinical variables present in the dataset (either view), in variable-table order. */
  datasetVariables(): string[] {
    return CLINICAL_VARIABLES.map((v) => v.name).filter((name) => this.featuresOf.has(name) || this.channelOf.has(name));
  }

  plausible(variable: string): readonly [number, number] {
    const fromManifest = this.dataset.manifest.variables.find((v) => v.name === variable);
    return (fromManifest ?? variableByName(variable))?.plausible ?? [-Infinity, Infinity];
  }

  /** Sorted finite training values of tabular feature j. */
  tabularTrainingValues(j: number): Float32Array {
    if (j < 0 || j >= this.F) return new Float32Array(0);
    if (!this.tabularSorted) {
      const values = this.dataset.tabular.values;
      const counts = new Int32Array(this.F);
      for (const i of this.trainRows) for (let f = 0, k = i * this.F; f < this.F; f++, k++) if (Number.isFinite(values[k])) counts[f]++;
      const out = Array.from(counts, (n) => new Float32Array(n));
      const filled = new Int32Array(this.F);
      for (const i of this.trainRows)
        for (let f = 0, k = i * this.F; f < this.F; f++, k++) if (Number.isFinite(values[k])) out[f][filled[f]++] = values[k];
      for (const column of out) column.sort();
      this.tabularSorted = out;
    }
    return this.tabularSorted[j];
  }

  /**
   * Sorted observed (mask = 1) training hourly values of channel c. All channels are collected in
   * two sequential passes (count, then fill) the first time any is asked for: memory order, no
   * boxed intermediate arrays; float32 like the view itself, so nothing is lost.
   */
  channelTrainingValues(c: number): Float32Array {
    if (!this.channelSorted) {
      const { values, mask } = this.dataset.timeSeries;
      const { T, C } = this;
      const counts = new Int32Array(C);
      for (const i of this.trainRows)
        for (let k = i * T * C, end = k + T * C; k < end; k += C) for (let ch = 0; ch < C; ch++) counts[ch] += mask[k + ch];
      const out = Array.from(counts, (n) => new Float32Array(n));
      const filled = new Int32Array(C);
      for (const i of this.trainRows) {
        for (let k = i * T * C, end = k + T * C; k < end; k += C)
          for (let ch = 0; ch < C; ch++) if (mask[k + ch]) out[ch][filled[ch]++] = values[k + ch];
      }
      for (const column of out) column.sort();
      this.channelSorted = out;
    }
    return this.channelSorted[c];
  }

  /**
   * The training split's q-quantile of a variable: observed hourly values of its channel when the
   * time-series view has it, else its tabular `mean` feature. Linear interpolation between order
   * statistics (Hyndman–Fan type 7, numpy's default).
   */
  variableQuantile(variable: string, q: number): number {
    const c = this.channelOf.get(variable);
    const sorted = c !== undefined ? this.channelTrainingValues(c) : this.tabularTrainingValues(this.featuresOf.get(variable)?.mean ?? -1);
    if (sorted.length === 0) {
      throw new InputError<PoisonCode>(
        'E_NO_TRAINING_VALUES',
        `The training split has no observed values of '${variable}', so an in-range trigger value cannot be chosen; give an explicit value instead.`,
      );
    }
    return quantileSorted(sorted, q);
  }

  /** Training standard deviation of a variable (channel statistics when present, else the tabular mean feature). */
  variableStd(variable: string): number {
    const c = this.channelOf.get(variable);
    const norm = this.dataset.manifest.normalisation;
    if (c !== undefined) return norm.timeSeries.std[c];
    const j = this.featuresOf.get(variable)?.mean;
    return j === undefined ? 1 : norm.tabular.std[j];
  }

  variableMean(variable: string): number {
    const c = this.channelOf.get(variable);
    const norm = this.dataset.manifest.normalisation;
    if (c !== undefined) return norm.timeSeries.mean[c];
    const j = this.featuresOf.get(variable)?.mean;
    return j === undefined ? 0 : norm.tabular.mean[j];
  }
}

const CONTEXTS = new WeakMap<EhrDataset, TriggerContext>();

/** The (cached) context of a dataset: planning, poisoning and the triggered test set share its statistics. */
export function contextFor(dataset: EhrDataset): TriggerContext {
  let ctx = CONTEXTS.get(dataset);
  if (!ctx) {
    ctx = new TriggerContext(dataset);
    CONTEXTS.set(dataset, ctx);
  }
  return ctx;
}

/**
 * Rejects a name that is not a clinical variable (listing the available ones) or one the dataset's
 * views do not carry. `views` names the views the trigger will touch.
 */
export function assertVariables(
  ctx: TriggerContext,
  variables: readonly string[],
  what: string,
  views: { tabular: boolean; timeseries: boolean },
): void {
  for (const name of variables) {
    if (!variableByName(name)) {
      throw new InputError<PoisonCode>(
        'E_UNKNOWN_VARIABLE',
        `${what}: unknown clinical variable '${name}'. Available variables: ${CLINICAL_VARIABLES.map((v) => v.name).join(', ')}.`,
        { variable: name },
      );
    }
    const missing: string[] = [];
    if (views.tabular && !ctx.featuresOf.has(name)) missing.push('tabular features');
    if (views.timeseries && !ctx.channelOf.has(name)) missing.push('time-series channels');
    if (missing.length > 0) {
      throw new InputError<PoisonCode>(
        'E_VARIABLE_NOT_IN_DATASET',
        `${what}: the dataset has no ${missing.join(' and no ')} for '${name}'. Variables in this dataset: ${ctx.datasetVariables().join(', ')}.`,
        { variable: name },
      );
    }
  }
}
