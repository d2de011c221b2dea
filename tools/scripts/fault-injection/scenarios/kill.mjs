import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { compareTrees, hasTemporaries, walk } from '../compare.mjs';

/**
 * SIGKILLs `command` at `kills` random moments (a resume may be killed again), then lets it finish. With
 * `writing`, the moment is drawn from the reference's working time (after its first write); without, from
 * its whole time.
 */
async function killAndResume({ tally, random }, name, command, reference, { kills = 1, writing, midWrite = () => false } = {}) {
  const { counts, check, log } = tally;
  for (let k = 0; k < kills; k++) {
    const span = writing && reference.firstWriteMs !== undefined ? reference.ms - reference.firstWriteMs : reference.ms;
    // Without a first write to wait for, the window leaves out start-up and stays short of the end, which
    // a busy machine moves.
    const delay = Math.round(span * (writing ? 0.9 * random() : 0.2 + 0.5 * random()));
    const result = await command({ killAfterMs: delay, ...(writing ? { writing } : {}) });
    counts.faults++;
    counts.kills++;
    const killed = result.signal === 'SIGKILL';
    if (killed && midWrite()) counts.killsMidWrite++;
    const when = writing
      ? result.firstWriteMs === undefined
        ? 'before its first write'
        : `${delay} ms after its first write`
      : `after ${delay} ms`;
    log(
      `  kill ${name} #${k + 1} ${when}: ${killed ? `killed${midWrite() ? ', output half-written' : ''}` : `finished first (exit ${result.code})`}`,
    );
  }
  const resumed = await command({});
  check(resumed.code === 0, `${name}: the same command after the kill exits 0, got ${resumed.code}\n${resumed.stderr.slice(-1500)}`);
  return resumed;
}

/** kill: SIGKILL at a random moment of each command, then the same command; outputs as the reference's. */
export async function killScenario(suite) {
  const { W, tally, runner, aggregate, refs } = suite;
  const { prepare, run, sweep, analysed, copyRun, cellPath } = refs;
  tally.log('kill: SIGKILL at a random moment, then the same command');
  for (let trial = 1; trial <= 2; trial++) {
    const base = join(W, `prepare/kill${trial}`);
    mkdirSync(base, { recursive: true });
    await killAndResume(suite, `prepare`, (o) => runner(prepare.args(join(base, 'data')), o), prepare.ref, {
      writing: prepare.writing(base),
      midWrite: () => hasTemporaries(base),
    });
    compareTrees(tally, join(W, 'prepare/ref'), base, `prepare kill ${trial}`, { referenceBase: join(W, 'prepare/ref'), trialBase: base });
  }
  for (let trial = 1; trial <= 2; trial++) {
    const base = join(W, `run/kill${trial}`);
    // The second trial kills the resumed run again: a kill during the resume must be as harmless.
    await killAndResume(suite, 'run', (o) => runner(run.args(base), o), run.ref, {
      kills: trial,
      writing: run.writing(base),
      midWrite: () => !existsSync(join(base, cellPath, 'summary.json')),
    });
    compareTrees(tally, join(W, 'run/ref'), base, `run kill ${trial}`);
  }
  for (let trial = 1; trial <= 2; trial++) {
    const base = join(W, `sweep/kill${trial}`);
    await killAndResume(suite, 'sweep', (o) => runner(sweep.args(base), o), sweep.ref, {
      kills: trial,
      writing: sweep.writing(base),
      midWrite: () => walk(sweep.cells(base)).filter((f) => f.endsWith('summary.json')).length < 4,
    });
    compareTrees(tally, join(W, 'sweep/ref'), base, `sweep kill ${trial}`);
  }
  for (const name of ['explain', 'detect']) {
    const { args, ref } = refs[name];
    for (let trial = 1; trial <= 2; trial++) {
      const base = join(W, `${name}/kill${trial}`);
      copyRun(base);
      await killAndResume(suite, name, (o) => runner(args(base), o), ref, {
        midWrite: () => !existsSync(join(analysed(base), `${name}.json`)) || hasTemporaries(analysed(base)),
      });
      compareTrees(tally, join(W, `${name}/ref`), base, `${name} kill ${trial}`);
    }
  }
  for (let trial = 1; trial <= 2; trial++) {
    const base = join(W, `aggregate/kill${trial}`);
    mkdirSync(base, { recursive: true });
    // The report is written at its very end: one kill while it works, one after it started writing.
    const writing = trial === 2 ? { writing: refs.aggregate.writing(base) } : {};
    await killAndResume(suite, 'aggregate', (o) => aggregate(refs.aggregate.args(base), o), refs.aggregate.ref, {
      ...writing,
      midWrite: () => !existsSync(join(base, 'report')) || hasTemporaries(base),
    });
    compareTrees(tally, join(W, 'aggregate/ref'), base, `aggregate kill ${trial}`);
  }
}
