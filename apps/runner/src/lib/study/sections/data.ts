import { z } from 'zod';
import type { LabelDefinition } from '@ehr-backdoor/data';

/**
 * `data`: where the cells' dataset comes from. Exactly one source; none at all is the embedded synthetic
 * default (built on first use in data/default, as `sweep` does). Relative paths are relative to the
 * study file.
 */
export const dataSection = z
  .strictObject({
    dataset: z.string().min(1).optional().describe('A prepared dataset directory (`ehr-backdoor prepare`); must exist.'),
    synth: z
      .strictObject({
        stays: z.int().positive().describe('ICU stays to generate.'),
        seed: z.int().nonnegative().default(0).describe('Seed of the synthetic tables.'),
      })
      .optional()
      .describe('Generate a synthetic MIMIC-IV in the real schema, then prepare it (kept in `dir`).'),
    mimic: z.string().min(1).optional().describe('A MIMIC-IV root (hosp/ and icu/); prepared into `dir` on first use.'),
    prepare: z
      .strictObject({
        windowHours: z.int().positive().default(24).describe('Observation window from ICU admission, hours.'),
        seed: z.int().nonnegative().default(0).describe('Seed of the patient-level train/val/test split.'),
        label: z
          .enum(['hospital_mortality', 'icu_mortality'] as const satisfies readonly LabelDefinition[])
          .default('hospital_mortality')
          .describe(
            "The label: hospital_mortality (hospital_expire_flag) or icu_mortality (death between ICU intime and outtime, YAIB's task).",
          ),
      })
      .optional()
      .describe('`prepare` settings for `synth` and `mimic`.'),
    dir: z
      .string()
      .min(1)
      .optional()
      .describe('Where `synth`/`mimic` data is prepared (default data/synth-{stays}-{seed} or data/mimic-prepared).'),
  })
  .describe('The dataset; leave it out for the embedded synthetic default.');

export type DataSection = z.infer<typeof dataSection>;
