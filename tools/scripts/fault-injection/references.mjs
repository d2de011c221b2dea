import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The references: one uninterrupted run of each command on a tiny synthetic dataset, and the arguments
 * every scenario repeats them with (under another base folder). A trial's outputs are compared with these.
 */
export async function makeReferences({ W, tally: { check, log }, runner, aggregate }) {
  const { data, ...prepare } = await prepareReference(W, check, runner);
  const { cellPath, ...run } = await runReference(W, check, runner, data);
  const sweep = await sweepReference(W, check, runner, data);
  const { analysed, copyRun, explain, detect } = await analysisReferences(W, check, runner, cellPath);
  const aggregated = await aggregateReference(W, check, aggregate, sweep.cells);
  log(
    `references: prepare ${prepare.ref.ms} ms, run ${run.ref.ms} ms, sweep ${sweep.ref.ms} ms, explain ${explain.ref.ms} ms, detect ${detect.ref.ms} ms, aggregate ${aggregated.ref.ms} ms`,
  );
  return { cellPath, prepare, run, sweep, explain, detect, aggregate: aggregated, analysed, copyRun };
}

async function prepareReference(W, check, runner) {
  const mimic = join(W, 'mimic');
  check((await runner(['synth', '--stays', '400', '--seed', '0', '--gzip-level', '1', '--out', mimic])).code === 0, 'synth');
  const prepareArgs = (out) => ['prepare', '--mimic', mimic, '--out', out, '--threads', '1'];
  const prepareWriting = (base) => () => existsSync(base) && readdirSync(base).some((f) => f.startsWith('.tmp-'));
  const refPrepare = await runner(prepareArgs(join(W, 'prepare/ref/data')), { writing: prepareWriting(join(W, 'prepare/ref')) });
  check(refPrepare.code === 0, `reference prepare\n${refPrepare.stderr.slice(-800)}`);
  return { args: prepareArgs, writing: prepareWriting, ref: refPrepare, data: join(W, 'prepare/ref/data') };
}

async function runReference(W, check, runner, data) {
  const cellPath = 'runs/mlp/rare_value/0.1/seed_0';
  const cellArgs = [
    '--data',
    data,
    '--model',
    'mlp',
    '--trigger',
    'rare_value',
    '--poison-rate',
    '0.1',
    '--seed',
    '0',
    '--epochs',
    '4',
    '--backend',
    'cpu',
  ];
  const runArgs = (base) => ['run', ...cellArgs, '--out', join(base, 'runs')];
  const runWriting = (base) => () => existsSync(join(base, cellPath));
  const refRun = await runner(runArgs(join(W, 'run/ref')), { writing: runWriting(join(W, 'run/ref')) });
  check(refRun.code === 0, `reference run\n${refRun.stderr.slice(-800)}`);
  return { cellPath, args: runArgs, writing: runWriting, ref: refRun };
}

async function sweepReference(W, check, runner, data) {
  const grid = [
    '--models',
    'mlp',
    '--triggers',
    'rare_value',
    '--poison-rates',
    '0',
    '0.1',
    '--seeds',
    '0',
    '1',
    '--epochs',
    '3',
    '--backend',
    'cpu',
    '--data',
    data,
  ];
  const sweepArgs = (base, workers = 2) => ['sweep', ...grid, '--workers', String(workers), '--out', join(base, 'runs')];
  const sweepWriting = (base) => () => existsSync(join(base, 'runs/mlp'));
  const refSweep = await runner(sweepArgs(join(W, 'sweep/ref')), { writing: sweepWriting(join(W, 'sweep/ref')) });
  check(refSweep.code === 0, `reference sweep\n${refSweep.stderr.slice(-800)}`);
  const sweepCells = (base) => join(base, 'runs');
  return { args: sweepArgs, writing: sweepWriting, ref: refSweep, cells: sweepCells };
}

/** `explain` and `detect` each read a copy of the reference run's cell, so a trial cannot spoil the original. */
async function analysisReferences(W, check, runner, cellPath) {
  const analysed = (base) => join(base, 'run');
  const copyRun = (base) => cpSync(join(W, 'run/ref', cellPath), analysed(base), { recursive: true });
  const explainArgs = (base) => ['explain', '--run', analysed(base), '--max-stays', '20', '--steps', '8'];
  const detectArgs = (base) => ['detect', '--run', analysed(base), '--detectors', 'spectral', 'strip'];
  copyRun(join(W, 'explain/ref'));
  const refExplain = await runner(explainArgs(join(W, 'explain/ref')));
  check(refExplain.code === 0, `reference explain\n${refExplain.stderr.slice(-800)}`);
  copyRun(join(W, 'detect/ref'));
  const refDetect = await runner(detectArgs(join(W, 'detect/ref')));
  check(refDetect.code === 0, `reference detect\n${refDetect.stderr.slice(-800)}`);
  return { analysed, copyRun, explain: { args: explainArgs, ref: refExplain }, detect: { args: detectArgs, ref: refDetect } };
}

async function aggregateReference(W, check, aggregate, sweepCells) {
  const aggregateArgs = (base) => ['--runs', sweepCells(join(W, 'sweep/ref')), '--out', join(base, 'report'), '--no-png'];
  const aggregateWriting = (base) => () => existsSync(base) && readdirSync(base).some((f) => f.startsWith('.tmp-'));
  mkdirSync(join(W, 'aggregate/ref'), { recursive: true });
  const refAggregate = await aggregate(aggregateArgs(join(W, 'aggregate/ref')), { writing: aggregateWriting(join(W, 'aggregate/ref')) });
  check(refAggregate.code === 0, `reference aggregate\n${refAggregate.stderr.slice(-800)}`);
  return { args: aggregateArgs, writing: aggregateWriting, ref: refAggregate };
}
