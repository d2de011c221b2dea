import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';

/** `detect --detectors fine_pruning` refuses bad input with exit code 2 and writes nothing. */
describe('ehr-backdoor detect --detectors fine_pruning, bad input', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'fine-pruning-cli-'));

  it('refuses a budget or fraction out of range before opening the run', () => {
    const run = dir();
    const budget = runCli(['detect', '--run', run, '--detectors', 'fine_pruning', '--fine-pruning-budget', '2']);
    expect(budget.code).toBe(2);
    expect(budget.stderr).toMatch(/E_FINE_PRUNING/);
    expect(budget.stderr).toMatch(/--fine-pruning-budget must be a validation-AUROC drop in \(0, 1\)/);
    const fraction = runCli(['detect', '--run', run, '--detectors', 'fine_pruning', '--fine-pruning-max-fraction', '0']);
    expect(fraction.code).toBe(2);
    expect(fraction.stderr).toMatch(/--fine-pruning-max-fraction must be a share of the penultimate units in \(0, 1\]/);
    expect(readdirSync(run)).toEqual([]);
  });

  it('refuses a folder that is not a run, and a run without the weights it needs', () => {
    const notARun = dir();
    const refused = runCli(['detect', '--run', notARun, '--detectors', 'fine_pruning']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/E_NOT_A_RUN/);
    const untrained = dir();
    writeFileSync(join(untrained, 'run_metadata.json'), JSON.stringify({ formatVersion: 1 }));
    const noWeights = runCli(['detect', '--run', untrained, '--detectors', 'fine_pruning']);
    expect(noWeights.code).toBe(2);
    expect(noWeights.stderr).toMatch(/E_NO_CHECKPOINT.*no checkpoints\/: the run has not trained yet/s);
    expect(readdirSync(untrained)).toEqual(['run_metadata.json']);
  });
});
