import { z } from 'zod';
import { BACKEND_CHOICES } from '@ehr-backdoor/train/names';
import { analysesSection } from './sections/analyses.js';
import { attacksSection, poisoningSection } from './sections/attacks.js';
import { dataSection } from './sections/data.js';
import { evaluationSection } from './sections/evaluation.js';
import { executorSection } from './sections/executor.js';
import { modelsSection } from './sections/models.js';
import { trainingSection } from './sections/training.js';

/**
 * A study file, section by section (each section lives in sections/, one file each):
 *
 *   data ─ models (variants + their training) ─ training ─ poisoning ─ attacks (variants) ─ rates ─ seeds
 *   ─ evaluation ─ analyses ─ executor ─ backend
 *
 * A new key is one line in its section (and a test that it changes what it says). Parsing fills the
 * documented defaults, so the parsed value is the resolved study written beside the runs.
 */
export const DEFAULT_RATES = [0, 0.005, 0.01, 0.05, 0.1] as const;

export const studySchema = z
  .strictObject({
    $schema: z.string().optional().describe('The JSON Schema of study files (docs/study.schema.json), for editors.'),
    description: z.string().optional().describe('What the study asks, in a sentence.'),
    data: dataSection.prefault({}),
    backend: z
      .enum(BACKEND_CHOICES as readonly [string, ...string[]])
      .default('auto')
      .describe('Compute backend of every cell.'),
    training: trainingSection.prefault({}),
    models: modelsSection,
    poisoning: poisoningSection.prefault({}),
    attacks: attacksSection,
    rates: z
      .array(z.number().min(0).max(1))
      .min(1)
      .default([...DEFAULT_RATES])
      .describe('Poison rates in [0, 1]; 0 is the clean baseline cell of each model variant and seed.'),
    seeds: z.array(z.int().nonnegative()).min(1).default([0]).describe('Seeds: each one poisons, trains and bootstraps anew.'),
    evaluation: evaluationSection.prefault({}),
    analyses: analysesSection.prefault({}),
    executor: executorSection,
  })
  .describe('An ehr-backdoor study: model variants × attack variants × poison rates × seeds (docs/studies.md).');

/** A study as written (defaults may be left out). */
export type StudyInput = z.input<typeof studySchema>;
/** A study with every default filled in. */
export type Study = z.output<typeof studySchema>;

/** The JSON Schema of study files (what `ehr-backdoor study schema` prints and docs/study.schema.json holds). */
export function studyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(studySchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://ehr-backdoor.invalid/study.schema.json', title: 'ehr-backdoor study' };
}
