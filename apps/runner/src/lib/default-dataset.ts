import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InputError } from '@ehr-backdoor/core';
import type { RunnerCode } from './error-codes.js';

/**
 * The embedded default dataset: a deterministic synthetic MIMIC-IV (in the real schema) put through
 * the very same `prepare` as real data. Built on first use and reused after, so `nx run runner:sweep`
 * needs no flags and no download.
 *
 * 6 000 stays give a cohort of ≈ 4 500 (3 127 training stays), so a 1 % poison rate is ≈ 30 stays: the
 * scale at which the literature's low-rate results are stated. At 3 000 stays 1 % was 14 stays, and the
 * attack success at 1 % was a matter of which 14 stays were drawn (docs/results.md).
 *
 *   data/default/manifest.json of these stays and seed? ─yes─▶ use it
 *        │ no (absent, or built for another size by an earlier version)
 *        ▼
 *   synth ─▶ data/synthetic-mimic (replaced) ─▶ prepare ─▶ data/default (replaced)
 */
export const DEFAULT_SYNTH = { stays: 6000, seed: 20240601 } as const;
export const DEFAULT_MIMIC_DIR = 'data/synthetic-mimic';
export const DEFAULT_DATA_DIR = 'data/default';
/**
 * gzip level of the synthetic MIMIC-IV directories the runner builds for itself (the default dataset, a
 * study's `synth` data). They are only read back by `prepare`, and the prepared dataset does not depend on
 * the level (same Arrow files, same content hash); at level 6 the single gzip stream of chartevents held
 * the whole synthesis up (the generator idled ≈ 40 % of the time), at level 1 synthesis takes ≈ 1.5× less
 * wall time for ≈ 30 % larger files (docs/results.md, "Session 9: the main job's synthesis").
 */
export const RUNNER_SYNTH_GZIP_LEVEL = 1;

export async function ensureDefaultDataset(log: (line: string) => void): Promise<string> {
  const dataDir = resolve(DEFAULT_DATA_DIR);
  const built = builtFrom(join(dataDir, 'manifest.json'));
  if (built === 'current') return dataDir;
  const data = await import('@ehr-backdoor/data');
  const mimicDir = resolve(DEFAULT_MIMIC_DIR);
  if (built === 'foreign') {
    throw new InputError<RunnerCode>(
      'E_DEFAULT_DATA_FOREIGN',
      `${dataDir} holds a dataset the runner did not build (its manifest names no default synthetic source); ` +
        `pass it with --data, or move it away so the default can be built there.`,
    );
  }
  if (built !== 'missing') {
    log(
      `the default dataset in ${dataDir} was built from ${built}; rebuilding it from ${DEFAULT_SYNTH.stays} stays (seed ${DEFAULT_SYNTH.seed})`,
    );
    await rm(dataDir, { recursive: true, force: true });
  }
  if (builtFrom(join(mimicDir, 'synthetic.json'), true) !== 'current') {
    await rm(mimicDir, { recursive: true, force: true });
    log(`building the default synthetic MIMIC-IV (${DEFAULT_SYNTH.stays} stays, seed ${DEFAULT_SYNTH.seed}) in ${mimicDir}`);
    await data.generateSyntheticMimic({
      stays: DEFAULT_SYNTH.stays,
      seed: DEFAULT_SYNTH.seed,
      outDir: mimicDir,
      gzipLevel: RUNNER_SYNTH_GZIP_LEVEL,
    });
  }
  log(`preparing the default dataset in ${dataDir}`);
  await data.prepareDataset({ mimicDir, outDir: dataDir, windowHours: 24, seed: 0 });
  return dataDir;
}

/**
 * 'current' when the file records the default size and seed; 'missing'; 'foreign' for a dataset the
 * runner did not build (never deleted); else a description of the older default it holds.
 */
export function builtFrom(path: string, isMarker = false): string {
  if (!existsSync(path)) return 'missing';
  let json: { stays?: number; seed?: number; source?: { path?: string; synthetic?: { stays?: number; seed?: number } } };
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return isMarker ? 'an unreadable marker' : 'foreign';
  }
  const synthetic = isMarker ? json : json.source?.synthetic;
  if (synthetic?.stays === DEFAULT_SYNTH.stays && synthetic.seed === DEFAULT_SYNTH.seed) return 'current';
  if (synthetic) return `${synthetic.stays} synthetic stays (seed ${synthetic.seed})`;
  // Defaults prepared before manifests recorded their synthetic origin still name the default source.
  return json.source?.path === resolve(DEFAULT_MIMIC_DIR) ? 'an earlier default' : 'foreign';
}
