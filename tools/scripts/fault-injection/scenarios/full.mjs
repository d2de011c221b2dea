import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compareTrees, walk } from '../compare.mjs';
import { cleanStderr } from '../tally.mjs';

const FULL_CASES = [
  { name: 'checkpoints', at: '/checkpoints/\\.tmp-epoch-0002', command: 'run' },
  { name: 'predictions.arrow', at: '/\\.tmp-predictions\\.arrow-', command: 'run' },
  { name: 'summaries', at: '/\\.tmp-summary\\.json-', command: 'run' },
  { name: 'sweep predictions.arrow', at: '/\\.tmp-predictions\\.arrow-', command: 'sweep' },
  { name: 'report', at: '/report\\.html$', command: 'aggregate' },
];

/** full: no space left while checkpoints, predictions.arrow, summaries and the report are written. */
export async function fullScenario(suite) {
  const { W, tally, runner, aggregate, mounts, refs, inject: INJECT } = suite;
  const { counts, check, log } = tally;
  log('full: no space left while checkpoints, predictions.arrow, summaries and the report are written');
  const fullDir = join(W, 'tmpfs-probe');
  const realTmpfs = mounts.tryMount(fullDir, 'size=64k');
  log(`  ${realTmpfs ? 'a real tmpfs (mount -t tmpfs works here)' : 'mount -t tmpfs is not allowed here: injected ENOSPC'}`);
  for (const c of FULL_CASES) {
    const base = join(W, `full/${c.name.replace(/\W+/g, '-')}`);
    mkdirSync(base, { recursive: true });
    const command = (o) =>
      c.command === 'run'
        ? runner(refs.run.args(base), o)
        : c.command === 'sweep'
          ? runner(refs.sweep.args(base), o)
          : aggregate(refs.aggregate.args(base), o);
    const inject = { nodeArgs: ['--import', INJECT], env: { EHR_FAULT_ROOT: base, EHR_FAULT_AT: c.at, EHR_FAULT_ERRNO: 'ENOSPC' } };
    const full = await command(inject);
    counts.faults++;
    counts.full++;
    cleanStderr(tally, full, `disk full during ${c.name}`, 6, 'E_NO_SPACE');
    check(
      /free space/i.test(full.stderr) && /re-run the same command: it resumes/.test(full.stderr),
      `disk full during ${c.name}: the remedy is printed`,
    );
    check(full.stderr.includes(base), `disk full during ${c.name}: the message names the folder`);
    log(`  ENOSPC during ${c.name}: exit ${full.code}, "${(/error \[E_NO_SPACE\]: [^\n]{0,110}/.exec(full.stderr) ?? [''])[0]}…"`);
    const resumed = await command({});
    check(
      resumed.code === 0,
      `disk full during ${c.name}: the same command with space again exits 0, got ${resumed.code}\n${resumed.stderr.slice(-800)}`,
    );
    const ref = join(W, c.command === 'run' ? 'run/ref' : c.command === 'sweep' ? 'sweep/ref' : 'aggregate/ref');
    compareTrees(tally, ref, base, `disk full during ${c.name}`);
  }
  if (realTmpfs) await realFullDisk(suite);
}

/**
 * A real full disk: the run folder on a tmpfs too small for it, then grown (space freed) for the resume.
 * Sized from the reference run folder (in 4 KB pages, as tmpfs counts). Both fill while a checkpoint is
 * written (an epoch's temporary beside the kept ones is the folder's peak); the writes after it are covered
 * by the injected cases above.
 */
async function realFullDisk({ W, tally, runner, mounts, refs }) {
  const { counts, check, log } = tally;
  const pages = walk(join(W, 'run/ref')).reduce((sum, f) => sum + Math.ceil(statSync(join(W, 'run/ref', f)).size / 4096), 0);
  for (const share of [0.4, 0.9]) {
    const size = `${Math.round(pages * share) * 4}k`;
    const label = `a ${size}B tmpfs (${share * 100} % of the run folder)`;
    const base = join(W, `full/tmpfs-${size}`);
    if (!mounts.tryMount(base, `size=${size}`)) continue;
    const full = await runner(refs.run.args(base));
    counts.faults++;
    counts.full++;
    cleanStderr(tally, full, `run on ${label}`, 6, 'E_NO_SPACE');
    check(full.stderr.includes(base), `run on ${label}: the message names the folder`);
    const where = (/E_NO_SPACE\]: [^(]*\((?:\w+ )?([^)\s]+)/.exec(full.stderr) ?? [])[1] ?? '?';
    log(`  run on ${label}: exit ${full.code} while writing ${where.replace(base + '/', '')}`);
    check(mounts.remount(base, 'size=4m'), `grow ${label}`);
    const resumed = await runner(refs.run.args(base));
    check(resumed.code === 0, `run on ${label}: resumed after space was freed, got ${resumed.code}\n${resumed.stderr.slice(-800)}`);
    compareTrees(tally, join(W, 'run/ref'), base, `run on ${label}`);
  }
}
