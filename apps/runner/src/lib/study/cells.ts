import { hashJson } from '@ehr-backdoor/core';
import type { CellConfig, PlannedCell } from '../cell-config.js';
import type { ThresholdRule } from '@ehr-backdoor/metrics';
import { measurementIdentity } from '../run-identity.js';
import type { ResolvedData, ResolvedStudy } from './resolve.js';
import type { Study } from './schema.js';

/**
 * The cells of a study, in the order a sweep runs them: clean (rate 0) cells first, so a poisoned cell
 * finds its clean baseline; then by rate, model variant, attack variant, seed.
 *
 *   rate 0: model variant × seed, in folder `none` (one clean cell whatever the attacks: the baseline of each)
 *   rate r: model variant × attack variant (if the attack runs on it) × seed
 *
 * Each cell carries its whole configuration and its identity: the hash of everything that changes its
 * result (model, training, attack, rate, seed, backend, data, analyses), not of its name.
 */
export function studyCells(study: ResolvedStudy): PlannedCell[] {
  const cells: PlannedCell[] = [];
  const { poisoning, analyses, evaluation } = study.study;
  const explain =
    analyses.explain === false
      ? false
      : {
          maxStays: analyses.explain.maxStays,
          ...(analyses.explain.steps ? { steps: analyses.explain.steps } : {}),
          ...(analyses.explain.saveAttributions ? { saveAttributions: true } : {}),
        };
  const detect = analyses.detect === false ? false : detectConfigOf(analyses.detect);
  const measurement = measurementOf(evaluation.threshold, poisoning.rateBasis);
  for (const rate of study.rates) {
    for (const model of study.models) {
      const attacks = rate === 0 ? [undefined] : study.attacks.filter((a) => a.models.includes(model.name));
      for (const attack of attacks) {
        for (const seed of study.seeds) {
          const config: CellConfig = {
            modelVariant: model.name,
            attackVariant: attack?.name ?? 'none',
            model: model.config,
            training: model.training,
            attack: attack
              ? { trigger: attack.trigger, params: attack.params, target: attack.target, mode: attack.mode }
              : { trigger: 'none', params: {}, target: poisoning.target, mode: poisoning.mode as CellConfig['attack']['mode'] },
            backend: study.backend,
            ...measurement,
            explain,
            detect,
            baselines:
              rate === 0
                ? study.attacks
                    .filter((a) => a.models.includes(model.name))
                    .map((a) => ({ name: a.name, trigger: a.trigger, params: a.params, target: a.target, mode: a.mode }))
                : [],
          };
          const key = { model: model.name, trigger: config.attackVariant, rate, seed };
          cells.push({ ...key, config, hash: cellHash(config, rate, seed, study.data) });
        }
      }
    }
  }
  return cells;
}

/**
 * The measurement options of a cell: left out at their defaults, so the cells (and run directories) of
 * studies written before these options existed keep their identity.
 */
function measurementOf(
  threshold: Study['evaluation']['threshold'],
  rateBasis: Study['poisoning']['rateBasis'],
): Pick<CellConfig, 'thresholdRule' | 'rateBasis'> {
  const rule: ThresholdRule = 'fpr' in threshold ? { kind: 'fpr', fpr: threshold.fpr } : { kind: 'fixed', threshold: threshold.fixed };
  return measurementIdentity(rateBasis, rule) ?? {};
}

function detectConfigOf(d: Exclude<Study['analyses']['detect'], false>): NonNullable<Exclude<CellConfig['detect'], false>> {
  return {
    detectors: d.detectors,
    retrain: d.retrain,
    ...(d.options ? { options: d.options } : {}),
    // The default contamination stays out of the identity, like the options below when unset.
    ...(d.assumedContamination !== 0.01 ? { assumedContamination: d.assumedContamination } : {}),
    ...(d.stripBlends !== undefined ? { stripBlends: d.stripBlends } : {}),
    ...(d.reconstructTrigger ? { reconstructTrigger: true } : {}),
    ...(d.ablEpochs !== undefined ? { ablEpochs: d.ablEpochs } : {}),
    ...(d.ablTail !== undefined ? { ablTail: d.ablTail } : {}),
    ...(d.acReduction !== undefined ? { acReduction: d.acReduction } : {}),
    ...(d.acReclassificationThreshold !== undefined ? { acReclassificationThreshold: d.acReclassificationThreshold } : {}),
  };
}

/**
 * What a cell's result depends on. Names are left out (they are its folder); so are the baseline attacks
 * of a clean cell, which only add `asr@{attack}` columns: adding an attack to a study does not make its
 * finished clean cells "changed" (they lack that attack's baseline column until re-run).
 */
export function cellHash(config: CellConfig, rate: number, seed: number, data: ResolvedData): string {
  const { modelVariant: _m, attackVariant: _a, baselines: _b, ...result } = config;
  return hashJson({ ...result, rate, seed, data });
}
