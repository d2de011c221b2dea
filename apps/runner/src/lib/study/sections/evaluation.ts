import { z } from 'zod';

/**
 * `evaluation`: how each cell's thresholded figures are measured. The operating threshold on p(target)
 * is chosen per model on its own clean validation split (docs/metrics.md); ASR, accuracy, precision,
 * recall, F1 and the confusion counts are reported there, and again at 0.5 as `*_at_0_5`.
 */
export const thresholdRule = z
  .union([
    z.strictObject({
      fpr: z.number().gt(0).lt(1).describe('False-positive rate of the non-target class of the validation split, in (0, 1).'),
    }),
    z.strictObject({ fixed: z.number().min(0).max(1).describe("A fixed threshold on p(target), in [0, 1] (0.5: the literature's).") }),
  ])
  .describe('The operating-threshold rule: {fpr: 0.05} (the default) or {fixed: 0.5}.');

export const evaluationSection = z
  .strictObject({
    threshold: thresholdRule.default({ fpr: 0.05 }),
  })
  .describe('How each cell is measured.');

export type EvaluationSection = z.infer<typeof evaluationSection>;
