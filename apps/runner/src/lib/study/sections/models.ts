import { z } from 'zod';
import { DEFAULT_MODEL_CONFIGS, MODEL_KINDS, type ModelKind } from '@ehr-backdoor/train/names';
import { trainingSection } from './training.js';

/**
 * `models`: named model variants, each a kind, any of that kind's hyper-parameters (train's
 * `DEFAULT_MODEL_CONFIGS` lists them; `resolveModelConfig` checks their values) and its own training
 * overrides. The keys come from the train package, so a new hyper-parameter is accepted without a change here.
 */
function variantOf(kind: ModelKind) {
  const defaults = Object.entries(DEFAULT_MODEL_CONFIGS[kind]).filter(([field]) => field !== 'kind');
  return z.strictObject({
    kind: z.literal(kind),
    training: trainingSection.optional().describe('Training settings of this variant only (override `training`).'),
    ...Object.fromEntries(
      defaults.map(([field, value]) => [
        field,
        z
          .unknown()
          .optional()
          .describe(`${kind} ${field} (default ${JSON.stringify(value)}).`),
      ]),
    ),
  });
}

const [first, ...rest] = MODEL_KINDS.map(variantOf);
export const modelVariant = z
  .discriminatedUnion('kind', [first, ...rest])
  .describe('A model variant: kind, hyper-parameters, training overrides.');

export const modelsSection = z
  .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a variant name uses letters, digits, _ . - only'), modelVariant)
  .describe('Named model variants; the name is the run folder.');

export type ModelVariant = z.infer<typeof modelVariant>;
