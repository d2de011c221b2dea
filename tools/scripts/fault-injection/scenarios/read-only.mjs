import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { cleanStderr } from '../tally.mjs';

/** read-only: each command's output folder on a read-only file system (a read-only tmpfs, else an injected EROFS). */
export async function readOnlyScenario({ W, tally, runner, aggregate, mounts, refs, inject: INJECT }) {
  const { counts, check, log } = tally;
  log('read-only: the output folder is on a read-only file system');
  const ro = join(W, 'read-only');
  const realRo = mounts.tryMount(ro, 'size=4m');
  cpSync(join(W, 'run/ref', refs.cellPath), join(ro, 'run'), { recursive: true });
  if (realRo) check(mounts.remount(ro, 'ro'), 'remount read-only');
  log(`  ${realRo ? 'a read-only tmpfs' : 'injected EROFS'}`);
  const roInject = realRo
    ? {}
    : { nodeArgs: ['--import', INJECT], env: { EHR_FAULT_ROOT: ro, EHR_FAULT_AT: `^${ro}`, EHR_FAULT_ERRNO: 'EROFS' } };
  for (const [name, command] of [
    ['run', () => runner(refs.run.args(ro), roInject)],
    ['sweep', () => runner(refs.sweep.args(ro), roInject)],
    ['prepare', () => runner(refs.prepare.args(join(ro, 'data')), roInject)],
    ['explain', () => runner(['explain', '--run', join(ro, 'run'), '--max-stays', '20', '--steps', '8'], roInject)],
    ['aggregate', () => aggregate(refs.aggregate.args(ro), roInject)],
  ]) {
    const result = await command();
    counts.faults++;
    counts.readOnly++;
    cleanStderr(tally, result, `read-only ${name}`, 6, '(E_READ_ONLY|E_PERMISSION)');
    check(result.stderr.includes(ro), `read-only ${name}: the message names the folder`);
    log(`  ${name}: exit ${result.code}, "${(/error \[E_[A-Z_]+\]: [^\n]{0,100}/.exec(result.stderr) ?? [''])[0]}…"`);
  }
}
