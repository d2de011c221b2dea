import { z } from 'zod';

/** `executor`: where the cells run. The Slurm keys are the `sweep --executor slurm` options (docs/slurm.md). */
export const localExecutor = z.strictObject({
  kind: z.literal('local'),
  workers: z.int().nonnegative().default(0).describe('Worker processes (0: one per core).'),
});

export const slurmExecutor = z.strictObject({
  kind: z.literal('slurm'),
  partition: z.string().optional(),
  time: z.string().optional().describe('Time limit per cell: MM, HH:MM:SS or D-HH:MM:SS.'),
  cpusPerTask: z.int().positive().optional(),
  mem: z.string().optional().describe('Memory per cell, e.g. 8G.'),
  gres: z.string().optional().describe('Generic resources per cell, e.g. gpu:1.'),
  sbatchLines: z.array(z.string()).optional().describe('Extra sbatch options, e.g. [account=abc].'),
  prologue: z.string().optional().describe('File of shell lines run before each cell.'),
  maxParallel: z.int().positive().optional().describe('At most this many cells of an array at once.'),
  wait: z.boolean().default(false).describe('Wait for the arrays to end.'),
  pollSeconds: z.number().positive().optional(),
});

export const executorSection = z
  .discriminatedUnion('kind', [localExecutor, slurmExecutor])
  .default({ kind: 'local', workers: 0 })
  .describe('Where cells run.');

export type ExecutorSection = z.infer<typeof executorSection>;
