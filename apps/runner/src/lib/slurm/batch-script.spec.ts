import { buildBatchScript, checkSlurmOptions, sbatchDirective, shellQuote, type BatchScriptInput } from './batch-script.js';

const base: BatchScriptInput = {
  options: {},
  indices: [0, 1, 2, 3, 7, 9, 10, 11, 12],
  planPath: '/runs/smoke/slurm-plans/plan-abc.json',
  logDir: '/runs/smoke/slurm-logs',
  workDir: '/home/me/study',
  node: '/usr/local/bin/node',
  bin: '/home/me/ehr-backdoor/apps/runner/bin/ehr-backdoor.js',
};

function directives(script: string): string[] {
  return script.split('\n').filter((l) => l.startsWith('#SBATCH '));
}

describe('buildBatchScript', () => {
  it('submits only the given cells as a compact array, logs per task, runs run-cell with absolute paths', () => {
    const script = buildBatchScript(base);
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(directives(script)).toEqual([
      '#SBATCH --job-name=ehr-backdoor',
      '#SBATCH --array=0-3,7,9-12',
      '#SBATCH --output=/runs/smoke/slurm-logs/%A_%a.out',
      '#SBATCH --open-mode=append',
      '#SBATCH --chdir=/home/me/study',
      '#SBATCH --ntasks=1',
    ]);
    expect(script).toContain('NODE=/usr/local/bin/node\nNODE="${EHR_BACKDOOR_NODE:-$NODE}"\n');
    expect(script).toContain('INDEX=$((SLURM_ARRAY_TASK_ID))');
    expect(script).toContain(
      'exec "$NODE" /home/me/ehr-backdoor/apps/runner/bin/ehr-backdoor.js run-cell --plan /runs/smoke/slurm-plans/plan-abc.json --index "$INDEX"',
    );
  });

  it('writes every resource option, the throttle and extra lines before the first command', () => {
    const script = buildBatchScript({
      ...base,
      indices: [4, 5],
      options: {
        partition: 'gpu',
        time: '2:00:00',
        cpusPerTask: 4,
        mem: '16G',
        gres: 'gpu:1',
        maxParallel: 8,
        sbatchLines: ['--account=proj42', '#SBATCH --qos=long'],
        jobName: 'ehrb-full',
      },
    });
    const lines = script.split('\n');
    const firstCommand = lines.findIndex((l) => l && !l.startsWith('#'));
    const lastDirective = lines.map((l) => l.startsWith('#SBATCH ')).lastIndexOf(true);
    expect(lastDirective).toBeLessThan(firstCommand); // sbatch stops reading directives at the first command
    expect(directives(script)).toEqual([
      '#SBATCH --job-name=ehrb-full',
      '#SBATCH --array=4-5%8',
      '#SBATCH --output=/runs/smoke/slurm-logs/%A_%a.out',
      '#SBATCH --open-mode=append',
      '#SBATCH --chdir=/home/me/study',
      '#SBATCH --ntasks=1',
      '#SBATCH --partition=gpu',
      '#SBATCH --time=2:00:00',
      '#SBATCH --cpus-per-task=4',
      '#SBATCH --mem=16G',
      '#SBATCH --gres=gpu:1',
      '#SBATCH --account=proj42',
      '#SBATCH --qos=long',
    ]);
  });

  it('runs the prologue before the cell, tolerating unset variables inside it', () => {
    const script = buildBatchScript({ ...base, options: { prologue: 'module load nodejs/20\nexport EHR_BACKDOOR_NODE=$(which node)\n' } });
    const prologueAt = script.indexOf('module load nodejs/20');
    expect(prologueAt).toBeGreaterThan(script.indexOf('set -euo pipefail'));
    expect(prologueAt).toBeLessThan(script.indexOf('NODE='));
    expect(script).toContain('set +u\nmodule load nodejs/20\nexport EHR_BACKDOOR_NODE=$(which node)\nset -u');
  });

  it('shifts task ids by the offset of an array split at MaxArraySize', () => {
    const script = buildBatchScript({ ...base, indices: [1001, 1002, 1500], indexOffset: 1001 });
    expect(directives(script)).toContain('#SBATCH --array=0-1,499');
    expect(script).toContain('INDEX=$((SLURM_ARRAY_TASK_ID + 1001))');
  });

  it('writes a dependency, and refuses one that is not', () => {
    expect(directives(buildBatchScript({ ...base, dependency: 'afterany:100:101' }))).toContain('#SBATCH --dependency=afterany:100:101');
    expect(() => buildBatchScript({ ...base, dependency: 'afterany:1\n#SBATCH --uid=0' })).toThrow(
      expect.objectContaining({ code: 'E_SLURM_OPTION' }),
    );
  });

  it('quotes paths with shell metacharacters in the command', () => {
    const script = buildBatchScript({ ...base, bin: "/opt/it's/ehr-backdoor.js", node: '/opt/node 20/bin/node' });
    expect(script).toContain(`NODE='/opt/node 20/bin/node'\n`);
    expect(script).toContain(`exec "$NODE" '/opt/it'\\''s/ehr-backdoor.js' run-cell`);
  });

  it('refuses paths that #SBATCH lines cannot carry, and an empty array', () => {
    expect(() => buildBatchScript({ ...base, logDir: '/runs/my study/slurm-logs' })).toThrow(
      expect.objectContaining({ code: 'E_SLURM_PATH' }),
    );
    expect(() => buildBatchScript({ ...base, workDir: '/home/100%' })).toThrow(expect.objectContaining({ code: 'E_SLURM_PATH' }));
    expect(() => buildBatchScript({ ...base, indices: [] })).toThrow(expect.objectContaining({ code: 'E_SLURM_EMPTY' }));
  });
});

describe('checkSlurmOptions', () => {
  it.each([
    ['time', { time: '2 hours' }],
    ['time', { time: '1-' }],
    ['mem', { mem: '8GB' }],
    ['cpus', { cpusPerTask: 0 }],
    ['max parallel', { maxParallel: 1.5 }],
    ['partition', { partition: 'gpu\n#SBATCH --uid=0' }],
    ['gres', { gres: 'gpu 1' }],
  ])('rejects a bad %s', (_what, options) => {
    expect(() => checkSlurmOptions(options)).toThrow(expect.objectContaining({ code: 'E_SLURM_OPTION' }));
  });

  it.each(['30', '30:00', '2:00:00', '1-0', '1-12', '1-12:30', '2-00:00:00'])('accepts the Slurm time %s', (time) => {
    expect(() => checkSlurmOptions({ time })).not.toThrow();
  });

  it.each(['8G', '16000M', '512', '1T'])('accepts the memory size %s', (mem) => {
    expect(() => checkSlurmOptions({ mem })).not.toThrow();
  });
});

describe('sbatchDirective', () => {
  it('adds the #SBATCH prefix once', () => {
    expect(sbatchDirective('--account=abc')).toBe('#SBATCH --account=abc');
    expect(sbatchDirective('#SBATCH  -A abc')).toBe('#SBATCH -A abc');
    expect(sbatchDirective('account=abc')).toBe('#SBATCH --account=abc');
    expect(sbatchDirective('requeue')).toBe('#SBATCH --requeue');
  });

  it('refuses options the sweep owns and lines that are not options', () => {
    for (const line of ['--array=0-9', 'array=0-9', '-o out.txt', '--output=x', 'echo hi', '--chdir=/tmp', '=x']) {
      expect(() => sbatchDirective(line)).toThrow(expect.objectContaining({ code: 'E_SLURM_OPTION' }));
    }
  });
});

describe('shellQuote', () => {
  it('leaves plain words alone and single-quotes the rest', () => {
    expect(shellQuote('/a/b-c_d.js')).toBe('/a/b-c_d.js');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('$HOME')).toBe("'$HOME'");
  });
});
