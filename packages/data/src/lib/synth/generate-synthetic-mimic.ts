import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, assertInput, removeStaleTemporariesOf, writeDirectoryAtomic, writeJsonAtomic } from '@ehr-backdoor/core';
import type { ExpectedCohortStep } from './expected-cohort.js';
import { Generation, type SyntheticProgress } from './generation.js';
import { writePatient } from './patients.js';
import type { SyntheticTableName } from './schema.js';
import { closeTables, destroyTables, flushFullTables, openSyntheticTables, rowCounts, writeDictionaries } from './synthetic-tables.js';
import type { DataCode } from '../error-codes.js';

/**
 * Synthetic MIMIC-IV in the real schema, written stay by stay through gzip streams.
 *
 *   check options ─▶ open the tables in a temporary directory + dictionaries        synthetic-tables.ts
 *     ─▶ per patient (age, sex, anchor year, body)                                     patients.ts
 *          ─▶ admissions: ward-only or ICU; death ends the series                      admissions.ts
 *               ─▶ ICU stays (1, sometimes 2 per admission), latent state (StayLatent)  icu-stay.ts
 *                    ─▶ chartevents: vitals ~hourly, temperature and GCS ~4-hourly       vitals.ts
 *                    ─▶ labevents: panels every 6–24 h, ward labs daily                  labs.ts
 *     ─▶ close the gzip streams, summary + synthetic.json ─▶ rename to outDir
 *
 * Everything one call mutates (id counters, totals, the expected cohort flow) lives in its
 * `Generation` (generation.ts), passed to each phase.
 *
 * Deterministic by seed: each patient draws from its own stream `Random.fromSeed(seed, 'patient:<i>')`,
 * so a larger `stays` extends a smaller one's patients instead of reshuffling them.
 */

export interface SyntheticMimicOptions {
  /** Number of ICU stays to generate (icustays rows). */
  readonly stays: number;
  readonly seed: number;
  /** Output MIMIC-IV root (gets hosp/ and icu/); must not exist. */
  readonly outDir: string;
  /** gzip level 1–9 (default 6, as gzip's own default). */
  readonly gzipLevel?: number;
  /** Called every few hundred stays and at the end. */
  readonly onProgress?: (progress: SyntheticProgress) => void;
}

export type { ExpectedCohortStep } from './expected-cohort.js';
export type { SyntheticProgress } from './generation.js';

/**
 * What {@link generateSyntheticMimic} wrote: row counts per table, deaths, injected entry errors, and the
 * cohort flow `prepare` should find (which the tests check).
 */
export interface SyntheticMimicSummary {
  readonly outDir: string;
  readonly seed: number;
  readonly rows: Readonly<Record<SyntheticTableName, number>>;
  /** Admissions with hospital_expire_flag = 1. */
  readonly inHospitalDeaths: number;
  /** Expected CONSORT flow for the default 24 h window and its positives (death after the window). */
  readonly expectedCohort: { readonly windowHours: 24; readonly steps: readonly ExpectedCohortStep[]; readonly positives: number };
  /** Plausible-range entry errors injected (chartevents, labevents). */
  readonly entryErrors: { readonly chartevents: number; readonly labevents: number };
}

/** Upper bound of `stays` (2 000 000), far above MIMIC-IV's ≈ 94 000 ICU stays. */
export const MAX_SYNTHETIC_STAYS = 2_000_000;

/**
 * Writes a synthetic MIMIC-IV directory in the real schema (see {@link SYNTHETIC_TABLE_COLUMNS}), deterministic
 * by `seed`; the directory appears whole or not at all. The data are synthetic and marked as such, so no
 * figure computed from them is mistaken for patients.
 * @throws InputError `E_SYNTH_STAYS` unless `stays` is an integer in [1, {@link MAX_SYNTHETIC_STAYS}],
 * `E_SYNTH_SEED`, `E_SYNTH_GZIP_LEVEL` (1–9), `E_SYNTH_OUT`, `E_OUTPUT_EXISTS` when `outDir` exists.
 */
export async function generateSyntheticMimic(options: SyntheticMimicOptions): Promise<SyntheticMimicSummary> {
  const { stays, seed, outDir, gzipLevel = 6 } = options;
  checkOptions(options, gzipLevel);
  // What a killed earlier call left half-written beside outDir goes first.
  await removeStaleTemporariesOf(outDir);
  return writeDirectoryAtomic(outDir, async (tmp) => {
    const tables = await openSyntheticTables(tmp, gzipLevel);
    try {
      writeDictionaries(tables);
      const generation = new Generation(seed, stays, tables);
      await writePatients(generation, options.onProgress);
      const summary = summarise(generation, outDir);
      await writeJsonAtomic(join(tmp, 'synthetic.json'), {
        generator: '@ehr-backdoor/data generateSyntheticMimic',
        note: 'Synthetic data in the MIMIC-IV schema; no real patient. Calibrated to the MIMIC-IV demo v2.2 (docs/synthetic.md).',
        stays,
        gzipLevel,
        ...summary,
        outDir: undefined,
      });
      return summary;
    } catch (error) {
      destroyTables(tables);
      throw error;
    }
  });
}

/** Every option checked before anything is written. */
function checkOptions({ stays, seed, outDir }: SyntheticMimicOptions, gzipLevel: number): void {
  assertInput<DataCode>(
    Number.isInteger(stays) && stays >= 1 && stays <= MAX_SYNTHETIC_STAYS,
    'E_SYNTH_STAYS',
    () => `--stays must be an integer in [1, ${MAX_SYNTHETIC_STAYS}], got ${String(stays)}.`,
  );
  assertInput<DataCode>(Number.isSafeInteger(seed), 'E_SYNTH_SEED', () => `--seed must be an integer, got ${String(seed)}.`);
  assertInput<DataCode>(
    Number.isInteger(gzipLevel) && gzipLevel >= 1 && gzipLevel <= 9,
    'E_SYNTH_GZIP_LEVEL',
    () => `gzipLevel must be an integer in [1, 9], got ${String(gzipLevel)}.`,
  );
  assertInput<DataCode>(typeof outDir === 'string' && outDir.length > 0, 'E_SYNTH_OUT', () => `--out must name a directory to create.`);
  if (existsSync(outDir)) {
    throw new InputError<DataCode>('E_OUTPUT_EXISTS', `output directory ${outDir} already exists; choose a new --out path or remove it first.`, {
      path: outDir,
    });
  }
}

/** Patient after patient until `stays` ICU stays are written; progress every 250 stays and at the end; the tables closed. */
async function writePatients(generation: Generation, onProgress: SyntheticMimicOptions['onProgress']): Promise<void> {
  const { tables } = generation;
  let patient = 0;
  let lastReport = 0;
  while (!generation.done) {
    writePatient(generation, patient++);
    await flushFullTables(tables);
    if (onProgress && generation.staysWritten - lastReport >= 250) {
      lastReport = generation.staysWritten;
      onProgress(generation.progress());
    }
  }
  await closeTables(tables);
  if (lastReport !== generation.staysWritten) onProgress?.(generation.progress());
}

function summarise(generation: Generation, outDir: string): SyntheticMimicSummary {
  return {
    outDir,
    seed: generation.seed,
    rows: rowCounts(generation.tables),
    inHospitalDeaths: generation.inHospitalDeaths,
    expectedCohort: { windowHours: 24, steps: generation.cohort.steps(), positives: generation.cohort.positives },
    entryErrors: { chartevents: generation.chartErrors, labevents: generation.labErrors },
  };
}
