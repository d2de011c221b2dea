import { assertFiniteInRange, assertInput, hashJson, InputError, Random } from '@ehr-backdoor/core';
import { SPLIT_CODE, type DatasetView, type EhrDataset } from '@ehr-backdoor/data';
import { planPerturbation, type PerturbationInput, type PlannedPerturbation } from './clean-label.js';
import { toSpec, type TriggerInput } from './triggers/apply.js';
import { contextFor } from './triggers/context.js';
import { prepareTrigger, triggerDefinition } from './triggers/registry.js';
import type { TriggerSpec } from './triggers/types.js';
import { POISON_MODES, type PoisonMode } from './modes.js';
import type { PoisonCode } from './error-codes.js';

/**
 * Poisoning, in three steps, one file each:
 *
 *   planPoisoning (here): check options ─▶ resolve the trigger on the dataset ─▶ eligible training rows
 *                   (mode, target) ─▶ exact count ─▶ seeded draw ─▶ plan (+ hash)
 *   applyPoisoning (apply-poisoning.ts): plan ──trigger on both supported views, labels flipped
 *                   (dirty-label)──▶ new EhrDataset (normalisation refitted on the poisoned training
 *                   split, as the victim would)
 *   buildTriggeredTestSet (triggered-test-set.ts): test stays with label ≠ target ──trigger──▶ inputs for
 *                   attack success
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
  const {
    formatVersion,
    trigger,
    views,
    resolved,
    mode,
    rate,
    targetLabel,
    seed,
    trainSize,
    eligible,
    count,
    rowIndices,
    stayIds,
    datasetContentHash,
    perturbation,
  } = plan;
  // The default basis and an absent perturbation are left out of the hash, so plans made before either
  // option existed keep their hash.
  const basis = plan.rateBasis === 'train' ? { rateBasis: plan.rateBasis } : {};
  return hashJson({
    formatVersion,
    trigger,
    views,
    resolved,
    mode,
    rate,
    targetLabel,
    seed,
    trainSize,
    eligible,
    ...basis,
    count,
    rowIndices,
    stayIds,
    datasetContentHash,
    ...(perturbation && { perturbation }),
  });
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
  const { targetLabel, mode, rateBasis } = checkPlanOptions(options);
  const spec = toSpec(options.trigger);
  const views = triggerDefinition(spec.name).views;
  const ctx = contextFor(dataset);
  const perturbation = options.perturbation === undefined ? undefined : planPerturbation(ctx, options.perturbation, targetLabel);
  // Preparing checks parameters against the dataset (variables, hours, components) before any work.
  const resolved = prepareTrigger(ctx, spec, views).resolved;

  const eligible = eligibleRows(dataset, mode, targetLabel);
  const count = poisonCount({ rate, mode, targetLabel, rateBasis, eligible: eligible.length, trainSize: ctx.trainRows.length });
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
    targetLabel,
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

/** The options that need no dataset, checked first, with their defaults. */
function checkPlanOptions(options: PlanPoisoningOptions): { targetLabel: 0 | 1; mode: PoisonMode; rateBasis: RateBasis } {
  const { rate, seed } = options;
  const targetLabel = options.targetLabel ?? 1;
  const mode = options.mode ?? 'dirty-label';
  const rateBasis = options.rateBasis ?? 'eligible';
  assertInput<PoisonCode>(
    RATE_BASES.includes(rateBasis),
    'E_RATE_BASIS',
    () => `planPoisoning: rateBasis must be one of ${RATE_BASES.join(', ')}, got ${String(rateBasis)}.`,
  );
  assertFiniteInRange<PoisonCode>(rate, 0, 1, 'planPoisoning: rate', 'E_POISON_RATE');
  assertInput<PoisonCode>(
    targetLabel === 0 || targetLabel === 1,
    'E_TARGET_LABEL',
    () => `planPoisoning: targetLabel must be 0 or 1, got ${String(targetLabel)}.`,
  );
  assertInput<PoisonCode>(
    POISON_MODES.includes(mode),
    'E_POISON_MODE',
    () => `planPoisoning: mode must be one of ${POISON_MODES.join(', ')}, got ${String(mode)}.`,
  );
  assertInput<PoisonCode>(Number.isSafeInteger(seed), 'E_SEED', () => `planPoisoning: seed must be an integer, got ${String(seed)}.`);
  assertInput<PoisonCode>(
    options.perturbation === undefined || mode === 'clean-label',
    'E_POISON_MODE',
    () =>
      `planPoisoning: a perturbation belongs to the clean-label attack (it makes target-class stays harder to classify); use mode 'clean-label' or drop it.`,
  );
  return { targetLabel, mode, rateBasis };
}

/** The training rows `mode` may poison: label ≠ target (dirty-label) or label = target (clean-label). */
function eligibleRows(dataset: EhrDataset, mode: PoisonMode, targetLabel: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < dataset.n; i++) {
    if (dataset.splits[i] !== SPLIT_CODE.train) continue;
    if ((mode === 'dirty-label') === (dataset.labels[i] !== targetLabel)) rows.push(i);
  }
  return rows;
}

interface CountInput {
  readonly rate: number;
  readonly mode: PoisonMode;
  readonly targetLabel: 0 | 1;
  readonly rateBasis: RateBasis;
  readonly eligible: number;
  readonly trainSize: number;
}

/**
 * round(rate × basis) poisoned rows.
 * @throws InputError `E_POISON_RATE_TOO_LARGE` beyond the eligible rows, `E_NO_ELIGIBLE_ROWS` or
 * `E_POISON_RATE_TOO_SMALL` when a positive rate poisons nothing (naming the smallest rate that poisons one).
 */
function poisonCount({ rate, mode, targetLabel, rateBasis, eligible, trainSize }: CountInput): number {
  const basisSize = rateBasis === 'train' ? trainSize : eligible;
  const count = Math.round(rate * basisSize);
  if (count > eligible) {
    throw new InputError<PoisonCode>(
      'E_POISON_RATE_TOO_LARGE',
      `planPoisoning: rate ${rate} of the ${trainSize} training stays is ${count} stays, but only ${eligible} are eligible for ${mode} with target ${targetLabel}; ` +
        `the largest rate on basis 'train' is ${eligible / trainSize}.`,
      { rate, trainSize, eligible },
    );
  }
  if (rate > 0 && count === 0) {
    const wanted = mode === 'dirty-label' ? `label ≠ ${targetLabel}` : `label = ${targetLabel}`;
    const who = `training stays with ${wanted}`;
    if (eligible === 0) {
      const other = mode === 'dirty-label' ? 'clean-label' : 'dirty-label';
      throw new InputError<PoisonCode>(
        'E_NO_ELIGIBLE_ROWS',
        `planPoisoning: ${mode} with target ${targetLabel} has no eligible rows (0 ${who} among ${trainSize} training stays). ` +
          `Use mode '${other}', targetLabel ${1 - targetLabel}, or a dataset whose training split has stays with ${wanted}.`,
        { rate, trainSize, eligible, mode, targetLabel },
      );
    }
    const smallest = 0.5 / basisSize;
    throw new InputError<PoisonCode>(
      'E_POISON_RATE_TOO_SMALL',
      `planPoisoning: rate ${rate} poisons round(${rate} × ${basisSize}) = 0 rows: the training split has ${trainSize} stays, ${eligible} of them eligible (${who}). ` +
        `The smallest rate that poisons one row is ${smallest} (0.5 / ${basisSize}, basis ${rateBasis}); use rate 0 for the clean baseline.`,
      { rate, trainSize, eligible, smallestRate: smallest },
    );
  }
  return count;
}
