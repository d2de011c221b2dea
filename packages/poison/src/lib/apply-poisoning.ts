import { canonicalJson, CompatibilityError } from '@ehr-backdoor/core';
import { createDataset, SPLIT_CODE, type EhrDataset } from '@ehr-backdoor/data';
import { applyPerturbation } from './clean-label.js';
import { planHashOf, type PoisoningPlan } from './plan.js';
import { markPoisoned } from './poisoned-datasets.js';
import { tabularStealth, timeSeriesStealth, type StealthReport } from './stealth.js';
import { applyTriggerViews, type AppliedTrigger, type ViewArrays } from './triggers/apply.js';
import { contextFor, type TriggerContext } from './triggers/context.js';
import { resolveTrigger } from './triggers/registry.js';
import type { TriggerSpec } from './triggers/types.js';
import type { PoisonCode } from './error-codes.js';

/**
 * Applying a plan: check it fits the dataset ─▶ clean-label perturbation (if planned) ─▶ trigger on the
 * planned rows of every view it supports ─▶ labels flipped (dirty-label) ─▶ a new dataset with its
 * statistics refitted ─▶ stealth reports.
 */

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
    throw new CompatibilityError<PoisonCode>(
      'E_PLAN_HASH_MISMATCH',
      'The poisoning plan does not match its own planHash: it was edited after planning; plan again.',
    );
  }
  for (let k = 0; k < plan.rowIndices.length; k++) {
    const row = plan.rowIndices[k];
    if (
      !(
        Number.isInteger(row) &&
        row >= 0 &&
        row < dataset.n &&
        dataset.stayIds[row] === plan.stayIds[k] &&
        dataset.splits[row] === SPLIT_CODE.train
      )
    ) {
      throw new CompatibilityError<PoisonCode>(
        'E_PLAN_DATASET_MISMATCH',
        `Plan row ${row} (stay ${plan.stayIds[k]}) is not that training stay of this dataset; plan again.`,
      );
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
  const poisoned = rebuiltDataset(dataset, plan, applied, source);
  markPoisoned(poisoned);
  return { dataset: poisoned, stealth: stealthReports(ctx, spec, plan, applied, source) };
}

/** `applyPoisoningWithReport` without the stealth reports. */
export function applyPoisoning(dataset: EhrDataset, plan: PoisoningPlan): EhrDataset {
  return applyPoisoningWithReport(dataset, plan).dataset;
}

/** The poisoned arrays and labels as a dataset of their own: statistics refitted, provenance naming the plan. */
function rebuiltDataset(dataset: EhrDataset, plan: PoisoningPlan, applied: AppliedTrigger, source: ViewArrays | undefined): EhrDataset {
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
  return { ...rebuilt, manifest };
}

/** One report per changed view; with a perturbation the attacker wrote more than the trigger, so the reports compare with the clean stays. */
function stealthReports(
  ctx: TriggerContext,
  spec: TriggerSpec,
  plan: PoisoningPlan,
  applied: AppliedTrigger,
  source: ViewArrays | undefined,
): StealthReport[] {
  const { dataset } = ctx;
  return (
    source
      ? [
          applied.tabular && tabularStealth(ctx, spec.name, dataset.tabular.values, applied.tabular.values, plan.rowIndices),
          applied.timeseries && timeSeriesStealth(ctx, spec.name, dataset.timeSeries, applied.timeseries, plan.rowIndices),
        ]
      : [applied.tabular?.stealth, applied.timeseries?.stealth]
  ).filter((s): s is StealthReport => s !== undefined);
}
