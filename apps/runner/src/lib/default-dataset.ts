import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The embedded default dataset: a deterministic synthetic MIMIC-IV (in the real schema) put through
 * the very same `prepare` as real data. Built on first use and reused after, so `nx run runner:sweep`
 * needs no flags and no download.
 */
export const DEFAULT_SYNTH = { stays: 3000, seed: 20240601 } as const;
export const DEFAULT_MIMIC_DIR = 'data/synthetic-mimic';
export const DEFAULT_DATA_DIR = 'data/default';

export async function ensureDefaultDataset(log: (line: string) => void): Promise<string> {
  const dataDir = resolve(DEFAULT_DATA_DIR);
  if (existsSync(join(dataDir, 'manifest.json'))) return dataDir;
  const data = await import('@ehr-backdoor/data');
  const mimicDir = resolve(DEFAULT_MIMIC_DIR);
  if (!existsSync(join(mimicDir, 'icu', 'icustays.csv.gz'))) {
    log(`building the default synthetic MIMIC-IV (${DEFAULT_SYNTH.stays} stays, seed ${DEFAULT_SYNTH.seed}) in ${mimicDir}`);
    await data.generateSyntheticMimic({ stays: DEFAULT_SYNTH.stays, seed: DEFAULT_SYNTH.seed, outDir: mimicDir });
  }
  log(`preparing the default dataset in ${dataDir}`);
  await data.prepareDataset({ mimicDir, outDir: dataDir, windowHours: 24, seed: 0 });
  return dataDir;
}
