import { z } from 'zod';
import { checkFinePruningSettings, DETECTOR_NAMES, MODEL_REPAIR_NAMES } from '@ehr-backdoor/detect/names';

/**
 * `analyses`: what each cell adds to its summary after training. Detector names come from the detect
 * package; `options` are handed to the detector of that name as they are.
 */
const detectorName = z.enum([...DETECTOR_NAMES, ...MODEL_REPAIR_NAMES]);

export const explainAnalysis = z.strictObject({
  maxStays: z.int().positive().default(200).describe('Test stays explained at most.'),
  steps: z.int().positive().optional().describe('Integrated-gradients steps (explain package default).'),
  saveAttributions: z
    .boolean()
    .default(false)
    .describe('Also keep the raw attributions, baselines and convergence deltas (attributions.arrow).'),
});

export const detectAnalysis = z
  .strictObject({
    detectors: z
      .array(detectorName)
      .min(1)
      .default([...DETECTOR_NAMES])
      .describe(
        'Detectors to run (default: all), and model repairs (fine_pruning: not by default, it fine-tunes the model; settings under options.fine_pruning).',
      ),
    retrain: z.boolean().default(false).describe("Remove each detector's flagged stays, retrain, measure the defence."),
    options: z
      .partialRecord(detectorName, z.record(z.string(), z.unknown()))
      .optional()
      .describe('Options per detector, e.g. {spectral: {removalFactor: 3}} (docs/explain-detect.md).'),
    assumedContamination: z
      .number()
      .gt(0)
      .lt(0.5)
      .default(0.01)
      .describe(
        "The defender's assumed share of poisoned training stays, in (0, 0.5): how many stays each detector flags (never the true count).",
      ),
    stripBlends: z.int().positive().optional().describe("Blends per test stay of STRIP's test-time screen (default 100)."),
    reconstructTrigger: z
      .boolean()
      .default(false)
      .describe('Neural-Cleanse-style trigger reconstruction (a check of the model, not a ranking of stays).'),
    ablEpochs: z.int().positive().optional().describe('Epochs of the early model abl_isolation reads per-stay losses from (default 2).'),
    ablTail: z.enum(['low', 'high']).optional().describe("abl_isolation isolates the 'low' (the paper's, default) or 'high' loss tail."),
    acReduction: z.enum(['ica', 'pca']).optional().describe("Activation clustering's reduction (default ica, the paper's)."),
    acReclassificationThreshold: z
      .number()
      .positive()
      .optional()
      .describe("Activation clustering's exclusionary reclassification with this ratio threshold (off when absent; 1 is usual)."),
  })
  .superRefine((detect, ctx) => {
    try {
      checkFinePruningSettings(detect.options?.fine_pruning, 'options.fine_pruning');
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['options', 'fine_pruning'], message: (error as Error).message });
    }
  });

export const analysesSection = z
  .strictObject({
    explain: z
      .union([z.literal(false), explainAnalysis])
      .default(false)
      .describe('Attribution drift (false: off; {} for the defaults).'),
    detect: z
      .union([z.literal(false), detectAnalysis])
      .default(false)
      .describe('Poison detectors (false: off; {} for all of them).'),
  })
  .describe('Analyses run in each cell.');

export type AnalysesSection = z.infer<typeof analysesSection>;
