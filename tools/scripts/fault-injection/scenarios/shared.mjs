import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { compareTrees } from '../compare.mjs';

/** shared: two sweeps started together on one runs folder, then a cell held by a live process elsewhere. */
export async function sharedScenario(suite) {
  suite.tally.log('shared: two sweeps started together on one runs folder');
  await twoSweeps(suite);
  await heldCell(suite);
}

async function twoSweeps({ W, tally, runner, refs }) {
  const { counts, check, log } = tally;
  const base = join(W, 'shared/together');
  const [a, b] = await Promise.all([runner(refs.sweep.args(base, 1)), runner(refs.sweep.args(base, 1))]);
  counts.faults++;
  counts.shared++;
  const ran = (r) => Number((/: (\d+) run,/.exec(r.stdout) ?? [])[1] ?? NaN);
  check(
    a.code === 0 && b.code === 0,
    `two sweeps: both exit 0 (got ${a.code}, ${b.code})\n${a.stderr.slice(-600)}\n${b.stderr.slice(-600)}`,
  );
  check(ran(a) + ran(b) === 4, `two sweeps: every cell ran exactly once (${ran(a)} + ${ran(b)} of 4)`);
  log(`  sweep A ran ${ran(a)} cells, sweep B ran ${ran(b)}; "${(/sweep finished[^\n]*/.exec(b.stdout) ?? [''])[0]}"`);
  compareTrees(tally, join(W, 'sweep/ref'), base, 'two sweeps');
}

/**
 * A cell held by a live process elsewhere (here: a stand-in process whose pid is in the cell's lock):
 * `status` names the holder; a sweep with --leave-held runs the rest and leaves it (and the poisoned cell
 * that needs it as its clean baseline); a plain sweep waits for it, and when the holder dies without
 * finishing, takes its lock over and runs the cell itself.
 */
async function heldCell({ W, tally, runner, refs }) {
  const { counts, check, log } = tally;
  const base = join(W, 'shared/held');
  const cell = join(base, 'runs/mlp/none/0/seed_0');
  mkdirSync(cell, { recursive: true });
  const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
  writeFileSync(join(cell, '.lock'), JSON.stringify({ pid: holder.pid, host: hostname(), startedAt: new Date().toISOString() }));
  const left = await runner([...refs.sweep.args(base, 1), '--leave-held']);
  counts.faults++;
  counts.shared++;
  check(
    left.code === 0 && /2 left to other processes/.test(left.stdout),
    `--leave-held: exit 0, two cells left (got ${left.code})\n${left.stdout.slice(-600)}\n${left.stderr.slice(-600)}`,
  );
  log(`  --leave-held: "${(/sweep finished[^\n]*/.exec(left.stdout) ?? [''])[0]}"`);
  const status = await runner(['status', join(base, 'runs')]);
  const holderLine = (/running .*pid \d+ on \S+ since \S+/.exec(status.stdout) ?? [])[0];
  check(status.code === 0 && holderLine?.includes(`pid ${holder.pid}`), `status names the holder\n${status.stdout}`);
  if (holderLine) log(`  status: "${holderLine.trim().replace(hostname(), '<host>')}"`);
  // The holder dies once the sweep says it waits for it (or after 2 min, and the check below fails).
  const fallback = setTimeout(() => holder.kill('SIGKILL'), 120_000);
  const waited = await runner(refs.sweep.args(base, 1), {
    onStderr: (text) => {
      if (/is running elsewhere .*waiting for it/.test(text) && holder.exitCode === null && holder.signalCode === null)
        holder.kill('SIGKILL');
    },
  });
  clearTimeout(fallback);
  counts.faults++;
  counts.shared++;
  check(
    waited.code === 0,
    `a sweep waits for a held cell and runs it once its holder died: exit ${waited.code}\n${waited.stderr.slice(-800)}`,
  );
  check(/is running elsewhere .*waiting for it/.test(waited.stderr), 'the waiting sweep says whom it waits for');
  log(`  waiting sweep: "${(/sweep finished[^\n]*/.exec(waited.stdout) ?? [''])[0]}"`);
  compareTrees(tally, join(W, 'sweep/ref'), base, 'held cell');
}
