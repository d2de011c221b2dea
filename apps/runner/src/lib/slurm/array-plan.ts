import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cellId } from '../grid.js';
import type { SweepPlan } from '../plan.js';
import { buildBatchScript } from './batch-script.js';
import { isActive } from './job-query.js';
import { LOG_DIR, PLAN_SNAPSHOT_DIR, type SlurmRunOptions } from './run-options.js';
import type { CommandRunner } from './slurm-cli.js';
import type { SlurmState } from './slurm-jobs.js';

const BIN = fileURLToPath(new URL('../../../bin/ehr-backdoor.js', import.meta.url));
/** Slurm's default when `scontrol show config` cannot be read. */
const DEFAULT_MAX_ARRAY_SIZE = 1001;

export interface ArrayChunk {
  readonly indices: number[];
  readonly offset: number;
}

/** The arrays to submit: clean cells first, poisoned ones after, each split at MaxArraySize. */
export interface ArrayPlan {
  /** The immutable copy of the plan the tasks read. */
  readonly snapshot: string;
  readonly logDir: string;
  readonly phases: readonly { readonly name: 'clean' | 'poisoned'; readonly chunks: readonly ArrayChunk[] }[];
  /** Jobs of earlier arrays (perhaps of another plan) that still have clean cells of this plan queued. */
  readonly earlierCleanJobs: readonly string[];
  /** The batch script of one array, after `dependsOn` when given. */
  script(chunk: ArrayChunk, dependsOn: readonly string[]): string;
}

/**
 * Two phases: a poisoned cell reads its clean cell's summary (clean_auroc_drop), so poisoned arrays start
 * only after every clean cell they may need has ended, as in the local pool's order.
 */
export async function planArrays(
  plan: SweepPlan,
  submit: readonly number[],
  earlier: SlurmState | undefined,
  options: SlurmRunOptions,
  prologue: string | undefined,
  run: CommandRunner,
): Promise<ArrayPlan> {
  const runsRoot = plan.runsRoot;
  const snapshot = join(runsRoot, PLAN_SNAPSHOT_DIR, `plan-${plan.planHash.slice(0, 16)}.json`);
  const logDir = join(runsRoot, LOG_DIR);
  const maxArraySize = options.dryRun ? DEFAULT_MAX_ARRAY_SIZE : await readMaxArraySize(run);
  const isClean = (i: number) => plan.cells[i].rate === 0;
  const phases = [
    { name: 'clean' as const, chunks: splitForArraySize(submit.filter(isClean), maxArraySize) },
    {
      name: 'poisoned' as const,
      chunks: splitForArraySize(
        submit.filter((i) => !isClean(i)),
        maxArraySize,
      ),
    },
  ];
  // Clean cells of this plan that an earlier array (perhaps of another plan) still has queued.
  const indexOfCell = new Map(plan.cells.map((cell, i) => [cellId(cell), i]));
  const earlierCleanJobs = new Set<string>();
  for (const s of earlier?.submissions ?? []) {
    for (const t of s.tasks) {
      const i = indexOfCell.get(t.cellId);
      if (isActive(t.state) && i !== undefined && isClean(i)) earlierCleanJobs.add(s.submission.jobId);
    }
  }
  const script = (chunk: ArrayChunk, dependsOn: readonly string[]) =>
    buildBatchScript({
      options: { ...options, prologue, jobName: options.jobName ?? `ehrb-${plan.preset ?? 'sweep'}` },
      indices: chunk.indices,
      indexOffset: chunk.offset,
      planPath: snapshot,
      logDir,
      workDir: process.cwd(),
      node: process.execPath,
      bin: BIN,
      ...(dependsOn.length ? { dependency: `afterany:${dependsOn.join(':')}` } : {}),
    });
  return { snapshot, logDir, phases, earlierCleanJobs: [...earlierCleanJobs], script };
}

/** Groups sorted plan indices so that each group's array task ids (index - offset) stay below MaxArraySize. */
export function splitForArraySize(indices: readonly number[], maxArraySize: number): { indices: number[]; offset: number }[] {
  const chunks: { indices: number[]; offset: number }[] = [];
  for (const i of [...indices].sort((a, b) => a - b)) {
    const last = chunks[chunks.length - 1];
    if (last && i - last.offset < maxArraySize) last.indices.push(i);
    else chunks.push({ indices: [i], offset: chunks.length === 0 && i < maxArraySize ? 0 : i });
  }
  return chunks;
}

async function readMaxArraySize(run: CommandRunner): Promise<number> {
  try {
    const result = await run('scontrol', ['show', 'config']);
    const match = /^MaxArraySize\s*=\s*(\d+)/m.exec(result.stdout);
    return match ? Number(match[1]) : DEFAULT_MAX_ARRAY_SIZE;
  } catch (error) {
    if ((error as { code?: string }).code === 'E_SLURM_MISSING') throw error;
    return DEFAULT_MAX_ARRAY_SIZE;
  }
}
