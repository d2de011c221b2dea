import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { loadStudyFile } from './load.js';
import { defaultRunsRoot, studyProgress } from './run-study.js';

/** `study plan`: cells per (model variant, attack variant), done count, changed cells, estimated cost. */
export async function printStudyPlan(
  file: string,
  options: { out?: string; workers?: number },
  write = (s: string) => process.stdout.write(s),
): Promise<void> {
  const study = await loadStudyFile(file);
  const runsRoot = resolve(options.out ?? defaultRunsRoot(study.source));
  const executor = study.study.executor;
  const workers = options.workers ?? (executor.kind === 'local' && executor.workers > 0 ? executor.workers : availableParallelism());
  const progress = await studyProgress(study, runsRoot, workers);
  const pairs = new Map<string, number>();
  for (const cell of progress.cells) pairs.set(`${cell.model} × ${cell.trigger}`, (pairs.get(`${cell.model} × ${cell.trigger}`) ?? 0) + 1);
  write(`study ${file}: ${progress.cells.length} cells, ${progress.done} done in ${runsRoot}\n`);
  for (const [pair, n] of pairs) write(`  ${pair.padEnd(44)} ${n}\n`);
  for (const attack of study.attacks) for (const pair of attack.leftOut) write(`  (left out: ${pair})\n`);
  if (progress.changed.length)
    write(
      `${progress.changed.length} cells ran here with another configuration (study run refuses them; --replace-changed re-runs them): ${progress.changed
        .slice(0, 5)
        .map((c) => c.id)
        .join(', ')}${progress.changed.length > 5 ? ', …' : ''}\n`,
    );
  const left = progress.cells.length - progress.done;
  if (left === 0) write('nothing left to run\n');
  else if (progress.cpuSeconds === undefined) write(`${left} cells to run; no finished cell to estimate their cost from yet\n`);
  else
    write(
      `${left} cells to run: ≈ ${formatDuration(progress.cpuSeconds)} of cell time, ≈ ${formatDuration(progress.wallSeconds ?? 0)} on ${workers} workers (from ${progress.timed} finished cells)\n`,
    );
}

function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
