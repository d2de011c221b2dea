import { hashJson } from '@ehr-backdoor/core';
import type { CellConfig, PlannedCell } from '../cell-config.js';
import type { ResolvedData, ResolvedStudy } from './resolve.js';

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
  const { poisoning, analyses } = study.study;
  const explain = analyses.explain === false ? false : { maxStays: analyses.explain.maxStays, ...(analyses.explain.steps ? { steps: analyses.explain.steps } : {}) };
  const detect =
    analyses.detect === false
      ? false
      : { detectors: analyses.detect.detectors, retrain: analyses.detect.retrain, ...(analyses.detect.options ? { options: analyses.detect.options } : {}) };
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
            explain,
            detect,
            baselines:
              rate === 0
                ? study.attacks.filter((a) => a.models.includes(model.name)).map((a) => ({ name: a.name, trigger: a.trigger, params: a.params, target: a.target, mode: a.mode }))
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
 * What a cell's result depends on. Names are left out (they are its folder); so are the baseline attacks
 * of a clean cell, which only add `asr@{attack}` columns: adding an attack to a study does not make its
 * finished clean cells "changed" (they lack that attack's baseline column until re-run).
 */
export function cellHash(config: CellConfig, rate: number, seed: number, data: ResolvedData): string {
  const { modelVariant: _m, attackVariant: _a, baselines: _b, ...result } = config;
  return hashJson({ ...result, rate, seed, data });
}
