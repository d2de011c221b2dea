import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDefaultDataset, RUNNER_SYNTH_GZIP_LEVEL } from '../default-dataset.js';
import type { ResolvedData } from './resolve.js';

/**
 * The prepared dataset directory of a study's `data` section, built on first use:
 *   default ─▶ data/default (as `sweep`)     dataset ─▶ itself
 *   synth   ─▶ {dir}-mimic (generated) ─▶ prepare ─▶ {dir}
 *   mimic   ─▶ prepare ─▶ {dir}
 * A `dir` that already holds a prepared dataset is used as it is.
 */
export async function ensureStudyDataset(data: ResolvedData, log: (line: string) => void): Promise<string> {
  if (data.kind === 'default') return ensureDefaultDataset(log);
  if (data.kind === 'dataset') return data.dir;
  if (existsSync(join(data.dir, 'manifest.json'))) return data.dir;
  const { generateSyntheticMimic, prepareDataset } = await import('@ehr-backdoor/data');
  let mimicDir: string;
  if (data.kind === 'synth') {
    mimicDir = `${data.dir}-mimic`;
    if (!existsSync(join(mimicDir, 'synthetic.json'))) {
      log(`generating a synthetic MIMIC-IV (${data.stays} stays, seed ${data.seed}) in ${mimicDir}`);
      await generateSyntheticMimic({ stays: data.stays, seed: data.seed, outDir: mimicDir, gzipLevel: RUNNER_SYNTH_GZIP_LEVEL });
    }
  } else {
    mimicDir = data.mimicDir;
  }
  log(`preparing ${mimicDir} into ${data.dir}`);
  await prepareDataset({ mimicDir, outDir: data.dir, windowHours: data.windowHours, seed: data.splitSeed, labelDefinition: data.label });
  return data.dir;
}
