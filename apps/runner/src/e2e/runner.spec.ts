import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import { prepareDataset } from '@ehr-backdoor/data';
import { runCli, startCli } from './cli.js';

/**
 * The runner end to end on the real MIMIC-IV demo (100 patients): a single run, bad input, a smoke
 * sweep that resumes, and a sweep killed with SIGKILL then completed by the same command.
 */
const DEMO = resolve(fileURLToPath(new URL('../../../../datasets/mimic-iv-demo', import.meta.url)));
const root = mkdtempSync(join(tmpdir(), 'runner-e2e-'));
const data = join(root, 'demo-dataset');

beforeAll(async () => {
  await prepareDataset({ mimicDir: DEMO, outDir: data, windowHours: 24, seed: 0 });
}, 300_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

function summaries(runs: string): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry === 'summary.json') out.set(dir.slice(runs.length + 1), JSON.parse(readFileSync(path, 'utf8')));
    }
  };
  walk(runs);
  return out;
}

/** Everything but wall-clock figures must be identical between an interrupted and an uninterrupted run. */
function withoutTimings(summary: Record<string, unknown>): Record<string, unknown> {
  const { wall_time_s: _w, ...rest } = summary;
  return rest;
}

function leftovers(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (entry.startsWith('.tmp-') || entry === '.lock' || entry === 'error.json' || entry === 'awaiting-baseline.json') found.push(path);
      if (statSync(path).isDirectory()) walk(path);
    }
  };
  walk(dir);
  return found;
}

describe('ehr-backdoor run', () => {
  const runs = join(root, 'single');

  it('runs one poisoned cell on the real demo and writes the run folder', () => {
    const result = runCli([
      'run',
      '--data',
      data,
      '--model',
      'mlp',
      '--trigger',
      'rare_value',
      '--poison-rate',
      '0.1',
      '--seed',
      '1',
      '--epochs',
      '3',
      '--out',
      runs,
    ]);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    const dir = join(runs, 'mlp', 'rare_value', '0.1', 'seed_1');
    for (const file of ['run_metadata.json', 'summary.json', 'summary.csv', 'predictions.arrow', 'poisoned_indices', 'checkpoints']) {
      expect(existsSync(join(dir, file))).toBe(true);
    }
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ formatVersion: 1, model: 'mlp', trigger: 'rare_value', poison_rate: 0.1, seed: 1, epochs_run: 3 });
    expect(summary.n_poisoned).toBe(Math.round(0.1 * (summary.n_train - readCount(data, 'train'))));
    expect(typeof summary.auroc === 'number' || summary.reasons.auroc).toBeTruthy();
    // No clean run exists in this root, so the drop is null with a reason, never 0.
    expect(summary.clean_auroc_drop).toBeNull();
    expect(summary.reasons.clean_auroc_drop).toBeTruthy();
    const metadata = JSON.parse(readFileSync(join(dir, 'run_metadata.json'), 'utf8'));
    expect(metadata.status).toBe('done');
    expect(metadata.dataset.contentHash).toBe(summary.dataset_hash);
    expect(metadata.versions.node).toBe(process.versions.node);
    expect(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).toContain(metadata.backend.used);
    const predictions = tableFromIPC(readFileSync(join(dir, 'predictions.arrow')));
    expect(predictions.schema.fields.map((f) => f.name)).toEqual(['stay_id', 'split', 'y_true', 'p_target', 'triggered']);
    expect(predictions.numRows).toBe(summary.n_test + summary.n_triggered);
    expect(leftovers(runs)).toEqual([]);
  });

  it('explains and runs detectors on the finished run, adding their columns to its summary', () => {
    const dir = join(runs, 'mlp', 'rare_value', '0.1', 'seed_1');
    const explained = runCli(['explain', '--run', dir, '--max-stays', '10', '--steps', '16', '--save-attributions']);
    expect(explained.stderr).not.toMatch(/unexpected error/);
    expect(explained.code).toBe(0);
    const detected = runCli(['detect', '--run', dir, '--detectors', 'spectral', 'activation_clustering']);
    expect(detected.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.explain_trigger_attribution_ratio).toBeGreaterThan(0);
    expect(summary.explain_trigger_attribution_ratio).toBeLessThanOrEqual(1);
    expect('detect_spectral_auroc' in summary).toBe(true);
    expect(existsSync(join(dir, 'explain.json')) && existsSync(join(dir, 'detect.json'))).toBe(true);
    // the raw material of the report's heatmaps and detector plots
    const attributions = tableFromIPC(readFileSync(join(dir, 'attributions.arrow')));
    expect(attributions.numRows).toBe(20);
    const scores = tableFromIPC(readFileSync(join(dir, 'detect-scores.arrow')));
    expect(new Set([...scores.getChild('detector')!])).toEqual(new Set(['spectral', 'activation_clustering']));
    expect([...scores.getChild('poisoned')!].filter(Boolean).length).toBe(2 * summary.n_poisoned);
    const csv = readFileSync(join(dir, 'summary.csv'), 'utf8').split('\n')[0];
    expect(csv).toContain('detect_spectral_auroc');
    const bad = runCli(['detect', '--run', dir, '--detectors', 'crystal_ball']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/E_DETECT_UNKNOWN/);
    const noBlends = runCli(['detect', '--run', dir, '--detectors', 'strip', '--strip-blends', '0']);
    expect(noBlends.code).toBe(2);
    expect(noBlends.stderr).toMatch(/--strip-blends must be an integer ≥ 1/);
    const written = readFileSync(join(dir, 'detect.json'), 'utf8');
    const badBudget = runCli(['detect', '--run', dir, '--detectors', 'input_screening', '--assumed-contamination', '0.5']);
    expect(badBudget.code).toBe(2);
    expect(badBudget.stderr).toMatch(/input_screening: --assumed-contamination .* must be a share in \(0, 0\.5\)/);
    expect(readFileSync(join(dir, 'detect.json'), 'utf8')).toBe(written);
    // removal and retraining, measured at the retrained model's operating threshold and at 0.5
    const defended = runCli(['detect', '--run', dir, '--detectors', 'input_screening', '--retrain']);
    expect(defended.code).toBe(0);
    const after = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    for (const column of ['asr', 'asr_at_0_5', 'accuracy', 'accuracy_at_0_5', 'clean_auroc', 'der', 'der_at_0_5'])
      expect(`defence_input_screening_${column}` in after).toBe(true);
    const defence = JSON.parse(readFileSync(join(dir, 'detect.json'), 'utf8')).defence.input_screening;
    expect(defence).toMatchObject({ thresholdBefore: expect.any(Number), asrAfterAt05: expect.any(Number) });
    expect(leftovers(runs)).toEqual([]);
  });

  it('exports the run to ONNX that reproduces its predictions in onnxruntime, and refuses a damaged checkpoint or predictions file', () => {
    const dir = join(runs, 'mlp', 'rare_value', '0.1', 'seed_1');
    const exported = runCli(['export', '--run', dir, '--verify']);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/verified in onnxruntime: \d+ clean test stays, max \|Δp\| = /);
    expect(readFileSync(join(dir, 'model.onnx')).length).toBeGreaterThan(1000);

    const damaged = join(root, 'damaged-run');
    cpSync(dir, damaged, { recursive: true });
    rmSync(join(damaged, 'model.onnx'));
    writeFileSync(
      join(damaged, 'checkpoints', 'final', 'weights.bin'),
      Buffer.concat([readFileSync(join(damaged, 'checkpoints', 'final', 'weights.bin')), Buffer.from([0])]),
    );
    const refused = runCli(['export', '--run', damaged]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/E_CHECKPOINT_CORRUPT.*weights\.bin does not match its sha256/);
    expect(existsSync(join(damaged, 'model.onnx'))).toBe(false);

    const corrupt = join(root, 'corrupt-predictions');
    cpSync(dir, corrupt, { recursive: true });
    rmSync(join(corrupt, 'model.onnx'));
    writeFileSync(join(corrupt, 'predictions.arrow'), 'not arrow');
    const rejected = runCli(['export', '--run', corrupt, '--verify']);
    expect(rejected.code).toBe(3);
    expect(rejected.stderr).toMatch(/E_PREDICTIONS_CORRUPT.*predictions\.arrow is not an Arrow IPC file/);
    expect(existsSync(join(corrupt, 'model.onnx'))).toBe(false);
  });

  it('refuses a run directory that holds another configuration (exit 4)', () => {
    const result = runCli([
      'run',
      '--data',
      data,
      '--model',
      'mlp',
      '--trigger',
      'rare_value',
      '--poison-rate',
      '0.1',
      '--seed',
      '1',
      '--epochs',
      '4',
      '--out',
      runs,
    ]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/E_RUN_DIR_CONFIG/);
  });

  it.each([
    [['--model', 'resnet'], 2, /E_UNKNOWN_MODEL.*resnet/],
    [['--model', 'mlp', '--trigger', 'glitter', '--poison-rate', '0.1'], 2, /E_UNKNOWN_TRIGGER.*glitter/],
    [['--model', 'mlp', '--trigger', 'rare_value', '--poison-rate', '1.5'], 2, /E_POISON_RATE.*1\.5/],
    [['--model', 'mlp', '--trigger', 'rare_value', '--poison-rate', '-0.1'], 2, /E_POISON_RATE/],
    [['--model', 'mlp', '--backend', 'quantum'], 2, /quantum/],
    [['--model', 'mlp', '--trigger', 'rare_value', '--poison-rate', '0.001'], 2, /E_POISON_RATE_TOO_SMALL/],
    [['--model', 'mlp', '--threshold-rule', 'fpr=1.5'], 2, /E_THRESHOLD_RULE.*fpr=1\.5/],
  ])('rejects bad input %j with exit %i', (extra, code, message) => {
    const out = join(root, 'bad');
    const result = runCli(['run', '--data', data, '--epochs', '1', '--out', out, ...extra]);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/unexpected error/);
  });

  it('rejects a dataset directory without a manifest', () => {
    const result = runCli(['run', '--data', root, '--model', 'mlp', '--out', join(root, 'bad')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/E_DATASET_MISSING.*prepare/);
  });
});

describe('ehr-backdoor sweep', () => {
  const grid = [
    '--data',
    data,
    '--models',
    'mlp',
    '--triggers',
    'rare_value',
    'missingness',
    '--poison-rates',
    '0',
    '0.1',
    '--seeds',
    '0',
    '--epochs',
    '3',
    '--workers',
    '2',
  ];

  it('runs a grid, then skips every finished cell on the second call', () => {
    const runs = join(root, 'sweep');
    const first = runCli(['sweep', ...grid, '--out', runs]);
    expect(first.stderr).not.toMatch(/unexpected error/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/3 run, 0 already done, 0 failed/);
    const done = summaries(runs);
    expect([...done.keys()].sort()).toEqual(['mlp/missingness/0.1/seed_0', 'mlp/none/0/seed_0', 'mlp/rare_value/0.1/seed_0']);
    // Poisoned cells read the clean cell's AUROC when they write their summary; they do not wait for it to start.
    const poisoned = done.get('mlp/rare_value/0.1/seed_0')!;
    const clean = done.get('mlp/none/0/seed_0')!;
    if (typeof clean.auroc === 'number' && typeof poisoned.auroc === 'number') {
      expect(poisoned.clean_auroc_drop).toBeCloseTo(clean.auroc - poisoned.auroc, 12);
    }
    const timings = (cell: string) => JSON.parse(readFileSync(join(runs, cell, 'run_metadata.json'), 'utf8')).timings;
    const cleanFinished = Date.parse(timings('mlp/none/0/seed_0').finishedAt);
    const firstPoisonedStart = Math.min(
      ...['mlp/rare_value/0.1/seed_0', 'mlp/missingness/0.1/seed_0'].map((c) => Date.parse(timings(c).startedAt)),
    );
    expect(firstPoisonedStart).toBeLessThan(cleanFinished);
    expect(leftovers(runs)).toEqual([]);
    const second = runCli(['sweep', ...grid, '--out', runs]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/0 run, 3 already done, 0 failed/);
    const status = runCli(['status', runs]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/3\/3 done/);
  });

  it('one worker runs every cell in one process, with the same results as one process per cell', () => {
    const pooled = join(root, 'one-worker');
    const result = runCli(['sweep', ...grid.map((a) => (a === '2' ? '1' : a)), '--out', pooled]);
    expect(result.code).toBe(0);
    const separate = join(root, 'separate');
    for (const [trigger, rate] of [
      ['none', '0'],
      ['rare_value', '0.1'],
      ['missingness', '0.1'],
    ]) {
      const single = runCli([
        'run',
        '--data',
        data,
        '--model',
        'mlp',
        '--trigger',
        trigger,
        '--poison-rate',
        rate,
        '--seed',
        '0',
        '--epochs',
        '3',
        '--out',
        separate,
      ]);
      expect(single.code).toBe(0);
    }
    const a = summaries(pooled);
    const b = summaries(separate);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [key, summary] of a) {
      // Only the sweep's clean cell records the grid triggers' baselines (asr@trigger), so only the sweep's
      // poisoned cells have the ASR lift that needs them.
      const other = b.get(key)!;
      const compared = (k: string) => k !== 'reasons' && k !== 'asr_lift';
      const shared = Object.fromEntries(Object.entries(withoutTimings(summary)).filter(([k]) => k in other && compared(k)));
      expect(shared).toEqual(Object.fromEntries(Object.entries(withoutTimings(other)).filter(([k]) => k in summary && compared(k))));
      if (summary.poison_rate !== 0) expect(other.asr_lift).toBeNull();
      expect(summary.selection).toBe('last');
      expect(summary.evaluated_epoch).toBe(3);
    }
  });

  it('a failed cell costs only itself: the next cell gets a fresh worker, the sweep exits 5', () => {
    const runs = join(root, 'one-fails');
    // A damaged run_metadata.json where the first poisoned cell goes makes that cell fail (E_RUN_DIR_CORRUPT).
    const blocked = join(runs, 'mlp', 'rare_value', '0.1', 'seed_0');
    mkdirSync(blocked, { recursive: true });
    writeFileSync(join(blocked, 'run_metadata.json'), '{ "configHash": ');
    const result = runCli(['sweep', ...grid.map((a) => (a === '2' ? '1' : a)), '--out', runs]);
    expect(result.code).toBe(5);
    expect(result.stdout).toMatch(/2 run, 0 already done, 1 failed/);
    expect(result.stdout).toMatch(/mlp\/rare_value\/0\.1\/seed_0\s+E_RUN_DIR_CORRUPT/);
    expect([...summaries(runs).keys()].sort()).toEqual(['mlp/missingness/0.1/seed_0', 'mlp/none/0/seed_0']);
  });

  it('a failed clean baseline does not hold its poisoned cells: their drop and lift are undefined, with the reason', () => {
    const runs = join(root, 'baseline-fails');
    const blocked = join(runs, 'mlp', 'none', '0', 'seed_0');
    mkdirSync(blocked, { recursive: true });
    writeFileSync(join(blocked, 'run_metadata.json'), '{ "configHash": ');
    const result = runCli(['sweep', ...grid, '--out', runs]);
    expect(result.code).toBe(5);
    expect(result.stdout).toMatch(/2 run, 0 already done, 1 failed/);
    const done = summaries(runs);
    expect([...done.keys()].sort()).toEqual(['mlp/missingness/0.1/seed_0', 'mlp/rare_value/0.1/seed_0']);
    for (const summary of done.values()) {
      expect(summary.clean_auroc_drop).toBeNull();
      expect((summary.reasons as Record<string, string>).asr_lift).toMatch(/no finished matching clean run/);
    }
    expect(findFiles(runs, 'awaiting-baseline.json')).toEqual([]);
  });

  it('a cell that ran with another configuration is refused before anything runs (exit 2, nothing written)', () => {
    const runs = join(root, 'changed');
    const blocked = join(runs, 'mlp', 'rare_value', '0.1', 'seed_0');
    mkdirSync(blocked, { recursive: true });
    writeFileSync(join(blocked, 'run_metadata.json'), JSON.stringify({ configHash: 'another-configuration' }));
    const result = runCli(['sweep', ...grid.map((a) => (a === '2' ? '1' : a)), '--out', runs]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/E_STUDY_CHANGED/);
    expect(result.stderr).toMatch(/mlp\/rare_value\/0\.1\/seed_0/);
    expect(result.stderr).toMatch(/--replace-changed/);
    expect(summaries(runs).size).toBe(0);
  });

  it('an empty grid is an input error', () => {
    const result = runCli([
      'sweep',
      '--data',
      data,
      '--models',
      'mlp',
      '--triggers',
      'none',
      '--poison-rates',
      '0.1',
      '--out',
      join(root, 'empty'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/E_EMPTY_GRID/);
  });

  it('completes a sweep killed with SIGKILL, identical to an uninterrupted one', async () => {
    const killed = join(root, 'killed');
    const args = ['sweep', ...grid.map((a) => (a === '3' ? '6' : a)), '--out', killed];
    const child = startCli(args);
    // Kill the whole process group once some cell is mid-training (a checkpoint exists, no summary yet).
    await new Promise<void>((resolvePromise, reject) => {
      const deadline = Date.now() + 240_000;
      const poll = setInterval(() => {
        const checkpoints =
          existsSync(killed) && findDirs(killed, 'checkpoints').some((d) => readdirSync(d).some((f) => f.startsWith('epoch-')));
        if (checkpoints || Date.now() > deadline) {
          clearInterval(poll);
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            /* already gone */
          }
          if (checkpoints) resolvePromise();
          else reject(new Error('no checkpoint appeared in time'));
        }
      }, 100);
    });
    await new Promise((r) => child.once('exit', r));
    expect(summaries(killed).size).toBeLessThan(3);

    const resumed = runCli(args);
    expect(resumed.stderr).not.toMatch(/unexpected error/);
    expect(resumed.code).toBe(0);
    const reference = join(root, 'reference');
    expect(runCli([...args.slice(0, -1), reference]).code).toBe(0);
    const a = summaries(killed);
    const b = summaries(reference);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [key, summary] of a) expect(withoutTimings(summary)).toEqual(withoutTimings(b.get(key)!));
    expect(leftovers(killed)).toEqual([]);
  });
});

function findFiles(dir: string, name: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((path) => path.split('/').pop() === name);
}

function findDirs(dir: string, name: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (!statSync(path).isDirectory()) continue;
    if (entry === name) found.push(path);
    else found.push(...findDirs(path, name));
  }
  return found;
}

function readCount(dataDir: string, split: 'train'): number {
  const manifest = JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8'));
  return manifest.splits[split].positives;
}
