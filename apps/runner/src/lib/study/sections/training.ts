import { z } from 'zod';

/**
 * `training`: how every model variant trains (a variant's own `training` overrides single keys). Only the
 * keys a study sets are passed on; train's `resolveTrainConfig` fills and checks the rest, so a cell
 * trains exactly as `run` with the same flags.
 */
export const trainingSection = z
  .strictObject({
    epochs: z.int().positive().optional().describe('Training epochs (the maximum, with patience). Default 30.'),
    batchSize: z.int().positive().optional().describe('Training stays per step. Default 128.'),
    learningRate: z.number().positive().optional().describe('AdamW step size. Default 1e-3.'),
    weightDecay: z.number().nonnegative().optional().describe('Decoupled weight decay. Default 1e-4.'),
    classWeights: z
      .union([z.enum(['balanced', 'none']), z.tuple([z.number().positive(), z.number().positive()])])
      .optional()
      .describe("Loss weights per class: 'balanced', 'none' or [w0, w1]. Default 'balanced'."),
    selection: z
      .enum(['best', 'last'])
      .optional()
      .describe("Evaluate the 'last' epoch (fixed-epoch protocol) or the 'best' validation-AUROC one."),
    patience: z.int().nonnegative().optional().describe('Early stopping: epochs without a better validation AUROC; 0 trains every epoch.'),
    minDelta: z.number().nonnegative().optional().describe('Smallest validation-AUROC gain that counts as better. Default 0.'),
  })
  .describe('Training settings shared by every model variant.');

export type TrainingSection = z.infer<typeof trainingSection>;
