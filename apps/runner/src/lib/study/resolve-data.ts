import { existsSync } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import type { LabelDefinition } from '@ehr-backdoor/data';
import type { Study } from './schema.js';
import type { Problem } from './study-error.js';

export type ResolvedData =
  | { readonly kind: 'default' }
  | { readonly kind: 'dataset'; readonly dir: string }
  | {
      readonly kind: 'synth';
      readonly stays: number;
      readonly seed: number;
      readonly windowHours: number;
      readonly splitSeed: number;
      readonly label: LabelDefinition;
      readonly dir: string;
    }
  | {
      readonly kind: 'mimic';
      readonly mimicDir: string;
      readonly windowHours: number;
      readonly splitSeed: number;
      readonly label: LabelDefinition;
      readonly dir: string;
    };

export function resolveData(study: Study, baseDir: string, problems: Problem[]): ResolvedData {
  const d = study.data;
  const sources = (['dataset', 'synth', 'mimic'] as const).filter((k) => d[k] !== undefined);
  if (sources.length > 1) {
    problems.push({ path: ['data', sources[1]], at: 'key', message: `give one data source, not ${sources.join(' and ')}.` });
    return { kind: 'default' };
  }
  const abs = (p: string) => (isAbsolute(p) ? p : resolvePath(baseDir, p));
  const prepare = {
    windowHours: d.prepare?.windowHours ?? 24,
    splitSeed: d.prepare?.seed ?? 0,
    label: d.prepare?.label ?? 'hospital_mortality',
  };
  if (d.prepare && !d.synth && !d.mimic)
    problems.push({
      path: ['data', 'prepare'],
      at: 'key',
      message: '`prepare` applies to `synth` or `mimic` data; a prepared `dataset` is used as it is.',
    });
  if (d.dir && !d.synth && !d.mimic)
    problems.push({
      path: ['data', 'dir'],
      at: 'key',
      message: '`dir` is where `synth` or `mimic` data is prepared; use `dataset` for a prepared dataset.',
    });
  if (d.dataset !== undefined) {
    const dir = abs(d.dataset);
    if (!existsSync(dir))
      problems.push({
        path: ['data', 'dataset'],
        code: 'E_DATASET_MISSING',
        message: `the dataset directory ${dir} does not exist; prepare one with \`ehr-backdoor prepare --mimic DIR --out ${d.dataset}\` or fix the path.`,
      });
    else if (!existsSync(resolvePath(dir, 'manifest.json')))
      problems.push({
        path: ['data', 'dataset'],
        code: 'E_DATASET_MISSING',
        message: `${dir} is not a prepared dataset (no manifest.json); prepare one with \`ehr-backdoor prepare\`.`,
      });
    return { kind: 'dataset', dir };
  }
  if (d.synth)
    return {
      kind: 'synth',
      stays: d.synth.stays,
      seed: d.synth.seed,
      ...prepare,
      dir: abs(d.dir ?? `data/synth-${d.synth.stays}-${d.synth.seed}`),
    };
  if (d.mimic !== undefined) {
    const mimicDir = abs(d.mimic);
    if (!existsSync(mimicDir))
      problems.push({
        path: ['data', 'mimic'],
        code: 'E_DATASET_MISSING',
        message: `the MIMIC-IV directory ${mimicDir} does not exist; give the folder that holds hosp/ and icu/.`,
      });
    return { kind: 'mimic', mimicDir, ...prepare, dir: abs(d.dir ?? 'data/mimic-prepared') };
  }
  return { kind: 'default' };
}
