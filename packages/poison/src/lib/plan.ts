import { assertInput, canonicalJson, hashJson, InputError, CompatibilityError, Random } from '@ehr-backdoor/core';
import { createDataset, SPLIT_CODE, type DatasetView, type EhrDataset, type TabularView, type TimeSeriesView } from '@ehr-backdoor/data';
import { applyPerturbation, planPerturbation, type PerturbationInput, type PlannedPerturbation } from './clean-label.js';
import { tabularStealth, timeSeriesStealth, type StealthReport } from './stealth.js';
import { applyTriggerViews, toSpec, type TriggerInput, type ViewArrays } from './triggers/apply.js';
import { contextFor, type TriggerContext } from './triggers/context.js';
import { resolveTrigger, triggerDefinition } from './triggers/registry.js';
import type { TriggerSpec } from './triggers/types.js';
import { POISON_MODES, type PoisonMode } from './modes.js';
import type { PoisonCode } from './error-codes.js';

/**
 * Poisoning, in three steps:
 *
 *   planPoisoning: training split ──eligible rows (mode, target)──▶ seeded exact draw ──▶ plan (+ hash)
 *   applyPoisoning: plan ──trigger on both supported views, labels flipped (dirty-label)──▶ new EhrDataset
 *                   (normalisation refitted on the poisoned training split, as the victim would)
 *   buildTriggeredTestSet: test stays with label ≠ target ──trigger──▶ inputs for attack success
 */
export { POISON_MODES } from './modes.js';
export type { PoisonMode } from './modes.js';

/**
 * What the poison rate is a share of: the `eligible` training stays (label ≠ target in dirty-label mode,
 * = target in clean-label mode; this toolkit's default) or the whole training split (`train`, the basis of
 * the original study and of BackdoorBench). The poisoned stays are drawn from the eligible ones either way.
 */
export type RateBasis = 'eligible' | 'train';
/** Every rate basis `planPoisoning` accepts; the first is the default. */
export const RATE_BASES: readonly RateBasis[] = ['eligible', 'train'];

/**
 * Which training stays are poisoned, with which resolved trigger, and the hashes that tie the plan to
 * its dataset and to itself: the auditable record a run is reproduced from.
 */
export interface PoisoningPlan {
  readonly formatVersion: 1;
  /** Resolved trigger: every parameter explicit. */
  readonly trigger: TriggerSpec;
  /** Views the trigger changes (the others are left clean). */
  readonly views: readonly DatasetView[];
  /** Dataset-dependent trigger choices (e.g. the in-range value), fixed at planning time. */
  readonly resolved: Readonly<Record<string, unknown>>;
  readonly mode: PoisonMode;
  readonly rate: number;
  readonly targetLabel: 0 | 1;
  readonly seed: number;
  /** Training stays. */
  readonly trainSize: number;
  /** Training stays the mode may poison: label ≠ target (dirty-label) or label = target (clean-label). */
  readonly eligible: number;
  /** What `rate` is a share of (plans written before it existed: `eligible`). */
  readonly rateBasis: RateBasis;
  /** round(rate × eligible), or round(rate × trainSize) with basis `train`. */
  readonly count: number;
  /** Poisoned rows (indices into the dataset), ascending, and their stay ids in the same order. */
  readonly rowIndices: readonly number[];
  readonly stayIds: readonly number[];
  readonly datasetContentHash: string;
  /** Clean-label only: the perturbation applied before the trigger (absent when none, as in plans made before it existed). */
  readonly perturbation?: PlannedPerturbation;
  /** sha256 of the canonical JSON of every field above. */
  readonly planHash: string;
}

/**
 * Options of {@link planPoisoning}: `targetLabel` defaults to 1 and `mode` to `dirty-label`; `seed` fixes
 * the draw of poisoned stays.
 */
export interface PlanPoisoningOptions {
  /** The dataset to poison; only its training split is drawn from. */
  readonly dataset: EhrDataset;
  /** The trigger by name, with any subset of its parameters (the rest take their defaults). */
  readonly trigger: TriggerInput;
  /** Share of eligible training stays to poison, in [0, 1]. 0 is the clean baseline (no row poisoned). */
  readonly rate: number;
  /** The label the attacker wants triggered stays to receive. Default 1 (in-hospital death). */
  readonly targetLabel?: 0 | 1;
  /** `dirty-label` (default) or `clean-label`; see {@link POISON_MODES}. */
  readonly mode?: PoisonMode;
  /** Seeds the draw of poisoned stays: the same seed, dataset and options give the same plan. */
  readonly seed: number;
  /** What `rate` is a share of; default `eligible` (see {@link RateBasis}). */
  readonly rateBasis?: RateBasis;
  /**
   * Clean-label only: make the poisoned target-class stays harder to classify before the trigger
   * (Turner et al. 2019); see `clean-label.ts`. Absent: the plain clean-label attack.
   */
  readonly perturbation?: PerturbationInput;
}

export function planHashOf(plan: Omit<PoisoningPlan, 'planHash'>): string {
  const { formatVersion, trigger, views, resolved, mode, rate, targetLabel, seed, trainSize, eligible, count, rowIndices, stayIds, datasetContentHash, perturbation } = plan;
  // The default basis and an absent perturbation are left out of the hash, so plans made before either
  // option existed keep their hash.
  const basis = plan.rateBasis === 'train' ? { rateBasis: plan.rateBasis } : {};
  return hashJson({ formatVersion, trigger, views, resolved, mode, rate, targetLabel, seed, trainSize, eligible, ...basis, count, rowIndices, stayIds, datasetContentHash, ...(perturbation && { perturbation }) });
}

function eligibleRows(dataset: EhrDataset, mode: PoisonMode, targetLabel: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < dataset.n; i++) {
    if (dataset.splits[i] !== SPLIT_CODE.train) continue;
    if ((mode === 'dirty-label') === (dataset.labels[i] !== targetLabel)) rows.push(i);
  }
  return rows;
}

/**
 * Decides which training stays are poisoned: exactly round(rate × eligible) of them, drawn without
 * replacement by `seed`. The trigger is resolved and checked against the dataset here, so a bad
 * trigger fails before any run starts. Rate 0 is valid with any trigger and poisons nothing (the
 * clean baseline); a positive rate that rounds to zero rows is an error naming the smallest rate
 * that poisons one.
 */
export function planPoisoning(options: PlanPoisoningOptions): PoisoningPlan {
  const { dataset, rate, seed } = options;
  const targetLabel = options.targetLabel ?? 1;
  const mode = options.mode ?? 'dirty-label';
  const rateBasis = options.rateBasis ?? 'eligible';
  assertInput<PoisonCode>(RATE_BASES.includes(rateBasis), 'E_RATE_BASIS', () => `planPoisoning: rateBasis must be one of ${RATE_BASES.join(', ')}, got ${String(rateBasis)}.`);
  assertInput<PoisonCode>(
    typeof rate === 'number' && Number.isFinite(rate) && rate >= 0 && rate <= 1,
    'E_POISON_RATE',
    () => `planPoisoning: rate must be a number in [0, 1], got ${String(rate)}.`,
  );
  assertInput<PoisonCode>(targetLabel === 0 || targetLabel === 1, 'E_TARGET_LABEL', () => `planPoisoning: targetLabel must be 0 or 1, got ${String(targetLabel)}.`);
  assertInput<PoisonCode>(POISON_MODES.includes(mode), 'E_POISON_MODE', () => `planPoisoning: mode must be one of ${POISON_MODES.join(', ')}, got ${String(mode)}.`);
  assertInput<PoisonCode>(Number.isSafeInteger(seed), 'E_SEED', () => `planPoisoning: seed must be an integer, got ${String(seed)}.`);
  assertInput<PoisonCode>(
    options.perturbation === undefined || mode === 'clean-label',
    'E_POISON_MODE',
    () => `planPoisoning: a perturbation belongs to the clean-label attack (it makes target-class stays harder to classify); use mode 'clean-label' or drop it.`,
  );
  const spec = toSpec(options.trigger);
  const views = triggerDefinition(spec.name).views;
  const ctx = contextFor(dataset);
  const perturbation = options.perturbation === undefined ? undefined : planPerturbation(ctx, options.perturbation, targetLabel as 0 | 1);
  // Preparing checks parameters against the dataset (variables, hours, components) before any work.
  const definition = triggerDefinition(spec.name) as unknown as { prepare: (c: TriggerContext, p: unknown, v: readonly DatasetView[]) => { resolved: Record<string, unknown> } };
  const resolved = definition.prepare(ctx, spec.params, views).resolved;

  const eligible = eligibleRows(dataset, mode, targetLabel);
  const basisSize = rateBasis === 'train' ? ctx.trainRows.length : eligible.length;
  const count = Math.round(rate * basisSize);
  if (count > eligible.length) {
    throw new InputError<PoisonCode>(
      'E_POISON_RATE_TOO_LARGE',
      `planPoisoning: rate ${rate} of the ${ctx.trainRows.length} training stays is ${count} stays, but only ${eligible.length} are eligible for ${mode} with target ${targetLabel}; ` +
        `the largest rate on basis 'train' is ${eligible.length / ctx.trainRows.length}.`,
      { rate, trainSize: ctx.trainRows.length, eligible: eligible.length },
    );
  }
  if (rate > 0 && count === 0) {
    const who = mode === 'dirty-label' ? `training stays with label ≠ ${targetLabel}` : `training stays with label = ${targetLabel}`;
    if (eligible.length === 0) {
      throw new InputError<PoisonCode>('E_NO_ELIGIBLE_ROWS', `planPoisoning: ${mode} with target ${targetLabel} has no eligible rows (0 ${who} among ${ctx.trainRows.length} training stays).`, {
        rate,
        trainSize: ctx.trainRows.length,
      });
    }
    const smallest = 0.5 / basisSize;
    throw new InputError<PoisonCode>(
      'E_POISON_RATE_TOO_SMALL',
      `planPoisoning: rate ${rate} poisons round(${rate} × ${basisSize}) = 0 rows: the training split has ${ctx.trainRows.length} stays, ${eligible.length} of them eligible (${who}). ` +
        `The smallest rate that poisons one row is ${smallest} (0.5 / ${basisSize}, basis ${rateBasis}); use rate 0 for the clean baseline.`,
      { rate, trainSize: ctx.trainRows.length, eligible: eligible.length, smallestRate: smallest },
    );
  }
  const rowIndices = Random.fromSeed(seed, 'poison-plan')
    .sampleIndices(eligible.length, count)
    .map((i) => eligible[i]);
  const body = {
    formatVersion: 1 as const,
    trigger: spec,
    views,
    resolved,
    mode,
    rate,
    targetLabel: targetLabel as 0 | 1,
    seed,
    trainSize: ctx.trainRows.length,
    eligible: eligible.length,
    rateBasis,
    count,
    rowIndices,
    stayIds: rowIndices.map((i) => dataset.stayIds[i]),
    datasetContentHash: dataset.manifest.contentHash,
    ...(perturbation && { perturbation }),
  };
  return { ...body, planHash: planHashOf(body) };
}

/**
 * Datasets made by applyPoisoning in this process. Triggers read training statistics (quantiles,
 * normalisation), which poisoning changes; a triggered test set built from a poisoned dataset would
 * carry a slightly different trigger than the poisoned training rows, so it is refused.
 */
const POISONED = new WeakSet<EhrDataset>();

/**
 * The poisoned dataset of {@link applyPoisoningWithReport} and how visible the trigger is on each changed view.
 */
export interface PoisoningResult {
  readonly dataset: EhrDataset;
  /** One report per view the trigger changed. */
  readonly stealth: readonly StealthReport[];
}

/** Checks that a plan belongs to this dataset and is intact, before anything is applied. */
export function assertPlanFits(dataset: EhrDataset, plan: PoisoningPlan): void {
  if (plan.datasetContentHash !== dataset.manifest.contentHash) {
    throw new CompatibilityError<PoisonCode>(
      'E_PLAN_DATASET_MISMATCH',
      `The poisoning plan was made for dataset ${plan.datasetContentHash.slice(0, 12)}…, not for this one (${dataset.manifest.contentHash.slice(0, 12)}…); plan again on this dataset.`,
    );
  }
  const { planHash, ...body } = plan;
  if (planHashOf(body) !== planHash) {
    throw new CompatibilityError<PoisonCode>('E_PLAN_HASH_MISMATCH', 'The poisoning plan does not match its own planHash: it was edited after planning; plan again.');
  }
  for (let k = 0; k < plan.rowIndices.length; k++) {
    const row = plan.rowIndices[k];
    if (!(Number.isInteger(row) && row >= 0 && row < dataset.n && dataset.stayIds[row] === plan.stayIds[k] && dataset.splits[row] === SPLIT_CODE.train)) {
      throw new CompatibilityError<PoisonCode>('E_PLAN_DATASET_MISMATCH', `Plan row ${row} (stay ${plan.stayIds[k]}) is not that training stay of this dataset; plan again.`);
    }
  }
}

/**
 * A new dataset whose planned training rows carry the trigger (on every view the trigger supports)
 * and, in dirty-label mode, the target label. Normalisation statistics are refitted on the poisoned
 * training split (what the victim's pipeline sees); the fill values of the time-series view, a
 * preparation artefact, are kept. The input dataset is not modified.
 */
export function applyPoisoningWithReport(dataset: EhrDataset, plan: PoisoningPlan): PoisoningResult {
  assertPlanFits(dataset, plan);
  const spec = resolveTrigger(plan.trigger.name, plan.trigger.params);
  const ctx = contextFor(dataset);
  // The clean-label perturbation comes first; the trigger (and its stealth report) is applied on top.
  const source = plan.perturbation ? applyPerturbation(ctx, plan.perturbation, plan.rowIndices) : undefined;
  const applied = applyTriggerViews(ctx, spec, plan.views, plan.rowIndices, source);
  if (canonicalJson(applied.resolved) !== canonicalJson(plan.resolved)) {
    throw new CompatibilityError<PoisonCode>(
      'E_PLAN_DATASET_MISMATCH',
      `The trigger resolves to ${canonicalJson(applied.resolved)} on this dataset but the plan recorded ${canonicalJson(plan.resolved)}; plan again.`,
    );
  }
  const labels = Uint8Array.from(dataset.labels);
  if (plan.mode === 'dirty-label') for (const row of plan.rowIndices) labels[row] = plan.targetLabel;
  const ts = dataset.timeSeries;
  const rebuilt = createDataset({
    stayIds: dataset.stayIds,
    subjectIds: dataset.subjectIds,
    labels,
    splits: dataset.splits,
    tabular: { features: dataset.tabular.features, values: applied.tabular?.values ?? source?.tabular ?? dataset.tabular.values },
    timeSeries: {
      channels: ts.channels,
      hours: ts.hours,
      values: applied.timeseries?.values ?? source?.tsValues ?? ts.values,
      mask: applied.timeseries?.mask ?? source?.tsMask ?? ts.mask,
      fillValues: ts.fillValues,
    },
    variables: dataset.manifest.variables,
  });
  const manifest = {
    ...dataset.manifest,
    createdBy: `@ehr-backdoor/poison applyPoisoning (plan ${plan.planHash.slice(0, 12)})`,
    cohort: { ...dataset.manifest.cohort, positives: rebuilt.manifest.cohort.positives },
    splits: rebuilt.manifest.splits,
    normalisation: rebuilt.manifest.normalisation,
    contentHash: rebuilt.manifest.contentHash,
  };
  // With a perturbation the attacker wrote more than the trigger: the reports compare with the clean stays.
  const stealth = (
    source
      ? [
          applied.tabular && tabularStealth(ctx, spec.name, dataset.tabular.values, applied.tabular.values, plan.rowIndices),
          applied.timeseries && timeSeriesStealth(ctx, spec.name, dataset.timeSeries, applied.timeseries, plan.rowIndices),
        ]
      : [applied.tabular?.stealth, applied.timeseries?.stealth]
  ).filter((s): s is StealthReport => s !== undefined);
  const poisoned: EhrDataset = { ...rebuilt, manifest };
  POISONED.add(poisoned);
  return { dataset: poisoned, stealth };
}

/** `applyPoisoningWithReport` without the stealth reports. */
export function applyPoisoning(dataset: EhrDataset, plan: PoisoningPlan): EhrDataset {
  return applyPoisoningWithReport(dataset, plan).dataset;
}

/**
 * The attack-success test set of {@link buildTriggeredTestSet}: the test stays whose label is not the
 * target, with the trigger applied, ready for the model.
 */
export interface TriggeredTestSet {
  readonly trigger: TriggerSpec;
  readonly targetLabel: 0 | 1;
  /** Test rows (indices into the dataset) whose true label ≠ target, ascending. */
  readonly rowIndices: readonly number[];
  readonly stayIds: Int32Array;
  /** True labels (all ≠ target). */
  readonly labels: Uint8Array;
  /** Views restricted to these stays (m rows), triggered where the trigger is defined, clean otherwise. */
  readonly tabular: TabularView;
  readonly timeSeries: TimeSeriesView;
  readonly views: readonly DatasetView[];
  readonly stealth: readonly StealthReport[];
  readonly resolved: Readonly<Record<string, unknown>>;
  /** Why the set is empty, when it is (attack success is then undefined: NaN downstream). */
  readonly reason?: string;
}

/**
 * Every test stay whose true label is not the target, with the trigger applied: the inputs on which
 * attack success (share predicted as target) is measured. Training statistics come from `dataset`,
 * which should be the clean dataset the plan was made on, so test triggers equal training triggers.
 */
export function buildTriggeredTestSet(dataset: EhrDataset, trigger: TriggerInput, targetLabel: 0 | 1 = 1): TriggeredTestSet {
  assertInput<PoisonCode>(targetLabel === 0 || targetLabel === 1, 'E_TARGET_LABEL', () => `buildTriggeredTestSet: targetLabel must be 0 or 1, got ${String(targetLabel)}.`);
  assertInput<PoisonCode>(
    !POISONED.has(dataset),
    'E_POISONED_DATASET',
    () => 'buildTriggeredTestSet: pass the clean dataset the plan was made on, not the output of applyPoisoning (its training statistics, which triggers read, are poisoned).',
  );
  const spec = toSpec(trigger);
  const views = triggerDefinition(spec.name).views;
  const rows: number[] = [];
  for (let i = 0; i < dataset.n; i++) if (dataset.splits[i] === SPLIT_CODE.test && dataset.labels[i] !== targetLabel) rows.push(i);
  const F = dataset.tabular.features.length;
  const stride = dataset.timeSeries.hours * dataset.timeSeries.channels.length;
  const subset: ViewArrays = { tabular: new Float32Array(rows.length * F), tsValues: new Float32Array(rows.length * stride), tsMask: new Uint8Array(rows.length * stride) };
  rows.forEach((row, m) => {
    subset.tabular.set(dataset.tabular.values.subarray(row * F, (row + 1) * F), m * F);
    subset.tsValues.set(dataset.timeSeries.values.subarray(row * stride, (row + 1) * stride), m * stride);
    subset.tsMask.set(dataset.timeSeries.mask.subarray(row * stride, (row + 1) * stride), m * stride);
  });
  // Triggers index rows of the arrays they are given; the training statistics still come from the full dataset.
  const applied = applyTriggerViews(contextFor(dataset), spec, views, rows.map((_, m) => m), subset);
  const tab = applied.tabular?.values ?? subset.tabular;
  const values = applied.timeseries?.values ?? subset.tsValues;
  const mask = applied.timeseries?.mask ?? subset.tsMask;
  return {
    trigger: spec,
    targetLabel,
    rowIndices: rows,
    stayIds: Int32Array.from(rows, (i) => dataset.stayIds[i]),
    labels: Uint8Array.from(rows, (i) => dataset.labels[i]),
    tabular: { features: dataset.tabular.features, values: tab },
    timeSeries: { ...dataset.timeSeries, values, mask, fillValues: Float32Array.from(dataset.timeSeries.fillValues) },
    views,
    stealth: [applied.tabular?.stealth, applied.timeseries?.stealth].filter((s): s is StealthReport => s !== undefined),
    resolved: applied.resolved,
    ...(rows.length === 0 && { reason: `the test split has no stay with label ≠ ${targetLabel}` }),
  };
}

/**
 * The triggered test stays as an EhrDataset of their own (row k = `triggered.rowIndices[k]` of
 * `dataset`, all in the test split), so any model can predict on them.
 */
export function triggeredTestDataset(dataset: EhrDataset, triggered: TriggeredTestSet): EhrDataset {
  const n = triggered.rowIndices.length;
  return {
    manifest: dataset.manifest,
    n,
    stayIds: triggered.stayIds,
    subjectIds: Int32Array.from(triggered.rowIndices, (i) => dataset.subjectIds[i]),
    labels: triggered.labels,
    splits: new Uint8Array(n).fill(SPLIT_CODE.test),
    tabular: triggered.tabular,
    timeSeries: triggered.timeSeries,
  };
}
