import yargs from 'yargs';
import { addSlurmOptions, slurmOptionsFromArgs } from './cli-options.js';

function parse(argv: string[]) {
  return addSlurmOptions(yargs(argv).option('executor', { type: 'string', default: 'local' }))
    .strict()
    .parseSync();
}

describe('slurmOptionsFromArgs', () => {
  it('maps the command line to SlurmRunOptions', () => {
    const args = parse([
      '--executor',
      'slurm',
      '--partition',
      'gpu',
      '--time',
      '2:00:00',
      '--cpus-per-task',
      '4',
      '--mem',
      '16G',
      '--gres',
      'gpu:1',
      '--sbatch-line',
      'account=abc',
      '--sbatch-line=--qos=long',
      '--prologue',
      'pro.sh',
      '--max-parallel',
      '8',
      '--dry-run',
    ]);
    expect(slurmOptionsFromArgs(args)).toEqual({
      partition: 'gpu',
      time: '2:00:00',
      cpusPerTask: 4,
      mem: '16G',
      gres: 'gpu:1',
      sbatchLines: ['account=abc', '--qos=long'],
      prologueFile: 'pro.sh',
      maxParallel: 8,
      dryRun: true,
      wait: false,
    });
  });

  it('keeps a numeric --time as Slurm minutes', () => {
    expect(slurmOptionsFromArgs(parse(['--executor', 'slurm', '--time', '30'])).time).toBe('30');
  });

  it('refuses Slurm options with the local executor', () => {
    expect(() => slurmOptionsFromArgs(parse(['--partition', 'gpu', '--wait']))).toThrow(
      expect.objectContaining({
        code: 'E_SLURM_OPTION',
        message: expect.stringContaining('--partition, --wait apply only to --executor slurm'),
      }),
    );
    expect(slurmOptionsFromArgs(parse([]))).toEqual({});
  });

  it('refuses a non-positive poll interval', () => {
    expect(() => slurmOptionsFromArgs(parse(['--executor', 'slurm', '--poll-seconds', '0']))).toThrow(
      expect.objectContaining({ code: 'E_SLURM_OPTION' }),
    );
  });
});
