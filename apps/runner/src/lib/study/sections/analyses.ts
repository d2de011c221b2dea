import { z } from 'zod';
import { DETECTOR_NAMES } from '@ehr-backdoor/detect/names';

/**
 * `analyses`: what each cell adds to its summary after training. Detector names come from the detect
 * package; `options` are handed to the detector of that name as they are.
 */
const detectorName = z.enum(DETECTOR_NAMES);

export const explainAnalysis = z.strictObject({
  maxStays: z.int().positive().default(200).describe('Test stays explained at most.'),
  steps: z.int().positive().optional().describe('Integrated-gradients steps (explain package default).'),
});

export const detectAnalysis = z.strictObject({
  detectors: z.array(detectorName).min(1).default([...DETECTOR_NAMES]).describe('Detectors to run (default: all).'),
  retrain: z.boolean().default(false).describe("Remove each detector's flagged stays, retrain, measure the defence."),
  options: z
    .partialRecord(detectorName, z.record(z.string(), z.unknown()))
    .optional()
    .describe('Options per detector, e.g. {spectral: {removalFactor: 3}} (docs/explain-detect.md).'),
});

export const analysesSection = z
  .strictObject({
    explain: z.union([z.literal(false), explainAnalysis]).default(false).describe('Attribution drift (false: off; {} for the defaults).'),
    detect: z.union([z.literal(false), detectAnalysis]).default(false).describe('Poison detectors (false: off; {} for all of them).'),
  })
  .describe('Analyses run in each cell.');

export type AnalysesSection = z.infer<typeof analysesSection>;
