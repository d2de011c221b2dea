import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Random } from '@ehr-backdoor/core';
import { formatRate } from '../collect/summary.js';
import { syntheticAttributions, syntheticDetectScores, syntheticHistory, syntheticPredictions } from './synthetic-artifacts.js';

/**
 * Writes a run tree in the runner's layout (docs/formats.md) with plausible, seeded metric values, a
 * dataset manifest, and on request the broken cells a real sweep leaves behind: a corrupt summary, a
 * summary of another format version, a failed, a partial, a running and a pending cell. For tests and
 * for trying the report without running a sweep; the numbers are made up and say nothing about models.
 */
export interface SyntheticRunTreeOptions {
  readonly models?: readonly string[];
  readonly triggers?: readonly string[];
  readonly rates?: readonly number[];
  readonly seeds?: readonly number[];
  readonly detectors?: readonly string[];
  /** Add explain_* fields (default true). */
  readonly explain?: boolean;
  /** Write predictions.arrow in every run (default true). */
  readonly predictions?: boolean;
  /** Write checkpoints/final/checkpoint.json with a training history in every run (default true). */
  readonly history?: boolean;
  /** Add the broken cells listed above (default false). */
  readonly problems?: boolean;
  /** Where to write the dataset manifest (default: `${root}/../dataset`). */
  readonly datasetDir?: string;
  readonly seed?: number;
}

/** The dataset hash every run of {@link writeSyntheticRunTree} records. */
export const SYNTHETIC_DATASET_HASH = 'f00dfeed'.repeat(8);

/**
 * Writes the synthetic run tree described under {@link SyntheticRunTreeOptions} below `root`; returns where the dataset manifest went and how many runs were written.
 */
export async function writeSyntheticRunTree(
  root: string,
  options: SyntheticRunTreeOptions = {},
): Promise<{ datasetDir: string; runs: number }> {
  const grid: Grid = {
    models: options.models ?? ['mlp', 'lstm'],
    triggers: options.triggers ?? ['rare_value', 'missingness'],
    rates: options.rates ?? [0, 0.01, 0.05],
    seeds: options.seeds ?? [0, 1, 2],
    detectors: options.detectors ?? ['spectral_signature', 'activation_clustering'],
    explain: options.explain ?? true,
  };
  const datasetDir = options.datasetDir ?? join(root, '..', 'dataset');
  const random = Random.fromSeed(options.seed ?? 0, 'synthetic-run-tree');

  await writeManifest(datasetDir);
  let count = 0;
  for (const model of grid.models) {
    for (const rate of grid.rates) {
      for (const trigger of rate === 0 ? ['none'] : grid.triggers) {
        for (const seed of grid.seeds) {
          await writeRun(root, datasetDir, random, grid, options, { model, trigger, rate, seed });
          count++;
        }
      }
    }
  }
  if (options.problems) await writeProblemCells(root, grid.models[0], grid.triggers[0]);
  return { datasetDir, runs: count };
}

interface Grid {
  readonly models: readonly string[];
  readonly triggers: readonly string[];
  readonly rates: readonly number[];
  readonly seeds: readonly number[];
  readonly detectors: readonly string[];
  readonly explain: boolean;
}

interface Cell {
  readonly model: string;
  readonly trigger: string;
  readonly rate: number;
  readonly seed: number;
}

async function writeManifest(datasetDir: string): Promise<void> {
  await mkdir(datasetDir, { recursive: true });
  await writeFile(
    join(datasetDir, 'manifest.json'),
    JSON.stringify({
      formatVersion: 1,
      createdBy: 'synthetic fixture',
      source: { path: 'synthetic', mimicVersion: '3.1', files: {} },
      task: 'mortality',
      windowHours: 24,
      seed: 0,
      cohort: {
        steps: [
          { name: 'ICU stays', remaining: 5000 },
          { name: 'adults (age ≥ 18)', remaining: 4800 },
          { name: 'first ICU stay of the admission', remaining: 4100 },
          { name: 'length of stay ≥ 24 h', remaining: 3300 },
          { name: 'at least one vital sign in the window', remaining: 3250 },
        ],
        stays: 3250,
        positives: 390,
      },
      splits: {
        train: { stays: 2275, positives: 273, subjects: 2100 },
        val: { stays: 487, positives: 58, subjects: 450 },
        test: { stays: 488, positives: 59, subjects: 452 },
      },
      contentHash: SYNTHETIC_DATASET_HASH,
    }),
  );
}

const baseAuroc: Record<string, number> = { mlp: 0.86, lstm: 0.84, tcn: 0.83, tabtransformer: 0.85 };
const strength: Record<string, number> = { rare_value: 1, missingness: 0.35, pattern: 0.6, temporal_pattern: 0.5 };
const vulnerability: Record<string, number> = { mlp: 1, lstm: 0.8, tcn: 0.9, tabtransformer: 1.1 };
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** One run's directory: summary.json, run_metadata.json and, as asked, its predictions, detector scores, attributions and history. */
async function writeRun(
  root: string,
  datasetDir: string,
  random: Random,
  grid: Grid,
  options: SyntheticRunTreeOptions,
  cell: Cell,
): Promise<void> {
  const { model, trigger, rate, seed } = cell;
  const { summary, auroc, asr } = syntheticSummary(random, grid, cell);
  const dir = join(root, model, trigger, formatRate(rate), `seed_${seed}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
  await writeFile(
    join(dir, 'run_metadata.json'),
    JSON.stringify({
      formatVersion: 1,
      runId: `${model}/${trigger}/${formatRate(rate)}/seed_${seed}`,
      config: { model, trigger, poisonRate: rate, seed },
      configHash: `hash-${model}-${trigger}-${rate}-${seed}`,
      dataset: { path: datasetDir, contentHash: SYNTHETIC_DATASET_HASH, mimicVersion: '3.1' },
      versions: { node: process.version, ehrBackdoor: '0.1.0', tfjs: '4.22.0', duckdb: '1.4.1', arrow: '21.2.0', os: 'linux' },
      backend: { requested: 'auto', used: 'tensorflow-cpu', reason: 'fixture' },
      seeds: { poisoning: seed, training: seed },
      timings: { startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:30.000Z', wallTimeS: 30 },
      status: 'done',
    }),
  );
  if (options.predictions ?? true) await writeFile(join(dir, 'predictions.arrow'), syntheticPredictions(random, auroc, asr ?? 0.03, rate));
  if (rate > 0 && grid.detectors.length > 0)
    await writeFile(join(dir, 'detect-scores.arrow'), syntheticDetectScores(random, grid.detectors, rate));
  if (grid.explain && rate > 0)
    await writeFile(join(dir, 'attributions.arrow'), syntheticAttributions(random, model === 'mlp' || model === 'tabtransformer', rate));
  if (options.history ?? true) {
    await mkdir(join(dir, 'checkpoints', 'final'), { recursive: true });
    await writeFile(join(dir, 'checkpoints', 'final', 'checkpoint.json'), syntheticHistory(random, auroc, rate));
  }
}

/** summary.json of one run: plausible metrics drawn from the tree's random stream. */
function syntheticSummary(random: Random, grid: Grid, cell: Cell): { summary: Record<string, unknown>; auroc: number; asr: number | null } {
  const { model, trigger, rate, seed } = cell;
  const { triggers, detectors, explain } = grid;
  const noise = (sd: number) => random.normal(0, sd);
  const auroc = (baseAuroc[model] ?? 0.84) + noise(0.008) - rate * 0.15;
  const k = (strength[trigger] ?? 0.5) * (vulnerability[model] ?? 1);
  const asr = rate === 0 ? null : clamp01(1 - Math.exp(-k * rate * 120) + noise(0.03));
  const summary: Record<string, unknown> = {
    formatVersion: 1,
    model,
    trigger,
    poison_rate: rate,
    seed,
    target_label: 0,
    mode: 'dirty-label',
    dataset_hash: SYNTHETIC_DATASET_HASH,
    backend: 'tensorflow-cpu',
    n_train: 2275,
    n_poisoned: Math.round(2275 * rate),
    n_test: 488,
    n_triggered: rate === 0 ? null : 59,
    epochs_run: 12,
    best_epoch: 9,
    wall_time_s: 30 + noise(2),
    accuracy: 0.885 + noise(0.004) - rate * 0.1,
    auroc,
    auroc_ci_low: auroc - 0.03,
    auroc_ci_high: auroc + 0.03,
    auprc: 0.45 + noise(0.02),
    precision: 0.6 + noise(0.03),
    recall: 0.3 + noise(0.03),
    f1: 0.4 + noise(0.03),
    brier: 0.09 + noise(0.003),
    ece: 0.03 + Math.abs(noise(0.004)) + rate * 0.2,
    asr,
    asr_ci_low: asr === null ? null : clamp01(asr - 0.08),
    asr_ci_high: asr === null ? null : clamp01(asr + 0.08),
    confidence_shift: rate === 0 ? null : 0.6 * (asr ?? 0) + noise(0.02),
    clean_auroc_drop: rate === 0 ? 0 : rate * 0.15,
    poisoned_auroc: rate === 0 ? null : 0.7 + noise(0.02),
    poisoned_accuracy: rate === 0 ? null : 0.5 + noise(0.02),
    reasons: rate === 0 ? { asr: 'clean run: no trigger', confidence_shift: 'clean run: no trigger' } : {},
  };
  if (rate === 0) {
    // the clean model evaluated with each trigger: the rate-0 baseline of its ASR curve
    for (const t of triggers) {
      summary[`asr@${t}`] = clamp01(0.03 + noise(0.01));
      summary[`confidence_shift@${t}`] = noise(0.01);
    }
  }
  if (rate > 0) {
    for (const [i, d] of detectors.entries()) {
      summary[`detect_${d}_auroc`] = clamp01(0.55 + 0.35 * (strength[trigger] ?? 0.5) - 0.1 * i + noise(0.02));
      summary[`detect_${d}_tpr_at_5fpr`] = clamp01(0.3 + 0.5 * (strength[trigger] ?? 0.5) + noise(0.03));
      summary[`detect_${d}_precision_at_flagged`] = clamp01(0.2 + 0.4 * (strength[trigger] ?? 0.5) + noise(0.03));
      summary[`defence_${d}_asr`] = clamp01((asr ?? 0) * (0.3 + 0.3 * i) + noise(0.02));
      summary[`defence_${d}_clean_auroc`] = auroc - 0.005 + noise(0.003);
      summary[`defence_${d}_der`] = clamp01(0.6 + noise(0.05));
    }
    if (explain) {
      summary.explain_trigger_attribution_ratio = clamp01(0.1 + 3 * rate * (strength[trigger] ?? 0.5) + noise(0.01));
      summary.explain_attr_l1 = 0.2 + noise(0.01);
      summary.explain_kendall_tau = 0.7 + noise(0.02);
    }
  }
  return { summary, auroc, asr };
}

/** The broken cells a real sweep leaves behind (see {@link SyntheticRunTreeOptions}). */
async function writeProblemCells(root: string, model: string, trigger: string): Promise<void> {
  const cell = (name: string) => join(root, model, trigger, '0.1', name);
  await mkdir(cell('seed_90'), { recursive: true });
  await writeFile(join(cell('seed_90'), 'summary.json'), '{"formatVersion": 1, "model": "mlp", "auroc": 0.8');
  await mkdir(cell('seed_91'), { recursive: true });
  await writeFile(join(cell('seed_91'), 'summary.json'), JSON.stringify({ formatVersion: 2, model, trigger, poison_rate: 0.1, seed: 91 }));
  await mkdir(cell('seed_92'), { recursive: true });
  await writeFile(join(cell('seed_92'), 'error.json'), JSON.stringify({ message: 'out of memory while training', code: 'E_OOM' }));
  await mkdir(join(cell('seed_93'), 'checkpoints'), { recursive: true });
  await writeFile(join(cell('seed_93'), 'checkpoints', 'epoch_3.json'), '{}');
  await mkdir(cell('seed_94'), { recursive: true });
  await writeFile(join(cell('seed_94'), '.lock'), JSON.stringify({ pid: 1, host: 'elsewhere', startedAt: '2026-01-01T00:00:00Z' }));
  await mkdir(cell('seed_95'), { recursive: true });
  await writeFile(join(cell('seed_95'), 'run_metadata.json'), JSON.stringify({ formatVersion: 1, status: 'running' }));
}
