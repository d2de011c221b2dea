import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@ehr-backdoor/core';
import { backdoorFixture } from '@ehr-backdoor/data/testing';
import { resolveTrigger, type PoisoningPlan } from '@ehr-backdoor/poison';
import { trainModel, TrainedModel } from '@ehr-backdoor/train';
import { detectRun, type RunContext } from './analyse-run.js';
import { FINE_PRUNING_FILE, splitModelRepairs } from './repair-run.js';

describe('splitModelRepairs', () => {
  it('separates model repairs from detectors, keeping "none named" apart from "only repairs named"', () => {
    expect(splitModelRepairs(undefined)).toEqual({ repairs: [], detectors: undefined });
    expect(splitModelRepairs([])).toEqual({ repairs: [], detectors: [] });
    expect(splitModelRepairs(['spectral', 'fine_pruning'])).toEqual({ repairs: ['fine_pruning'], detectors: ['spectral'] });
    expect(splitModelRepairs(['fine_pruning'])).toEqual({ repairs: ['fine_pruning'], detectors: [] });
  });
});

describe('detect with fine_pruning on a clean run', () => {
  const { dataset } = backdoorFixture(400, 6, 0);
  const trainConfig = { epochs: 4, learningRate: 1e-2, batchSize: 32, patience: 0, selection: 'last' } as const;
  let model: TrainedModel;
  const context = (runDir: string): RunContext => ({
    runDir,
    dataset,
    model,
    trigger: resolveTrigger('none', {}),
    targetLabel: 1,
    seed: 1,
    plan: { count: 0, rowIndices: [] } as unknown as PoisoningPlan,
    modelConfig: model.config,
    trainConfig: model.meta.trainConfig,
  });
  beforeAll(async () => {
    ({ model } = await trainModel({ dataset, model: { kind: 'mlp', hidden: [16] }, train: trainConfig, seed: 1, backend: 'wasm' }));
  });
  afterAll(() => model?.dispose());

  it('repairs the model, reports its cost and writes fine-pruning.json only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repair-run-'));
    const columns = await detectRun(context(dir), { detectors: ['fine_pruning'], detectorOptions: { fine_pruning: { epochs: 1 } } });
    expect(Object.keys(columns.metrics).every((k) => k.startsWith('defence_fine_pruning_'))).toBe(true);
    expect(columns.metrics.defence_fine_pruning_units_pruned).toBeGreaterThanOrEqual(0);
    expect(columns.metrics.defence_fine_pruning_pruned_fraction).toBeLessThan(1);
    expect(Math.abs(columns.metrics.defence_fine_pruning_clean_auroc_cost)).toBeLessThan(0.1);
    // The 'none' trigger changes no stay: a clean run's "ASR" is its false-positive rate.
    expect(Number.isFinite(columns.metrics.defence_fine_pruning_asr)).toBe(true);
    const report = JSON.parse(readFileSync(join(dir, FINE_PRUNING_FILE), 'utf8'));
    expect(report.settings).toEqual({ budget: 0.04, maxFraction: 1, epochs: 1, learningRate: 1e-2 });
    expect(report.fineTuning.leftOut).toBe(report.pruning.units.length ? Math.round((0.01 * report.fineTuning.stays) / 0.99) : 0);
    expect(readdirSync(dir)).toEqual([FINE_PRUNING_FILE]);
    expect(report.pruning.layer).toBe('penultimate units');
    expect(report.pruning.layerUnits).toEqual(report.pruning.units);
  });

  it("reads every model at the run's threshold rule, not the default", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repair-run-'));
    const run = { ...context(dir), thresholdRule: { kind: 'fixed', threshold: 0.5 } as const };
    const columns = await detectRun(run, { detectors: ['fine_pruning'], detectorOptions: { fine_pruning: { epochs: 1 } } });
    const report = JSON.parse(readFileSync(join(dir, FINE_PRUNING_FILE), 'utf8'));
    for (const model of ['before', 'pruned', 'after']) {
      expect(report[model].threshold).toBe(0.5);
      expect(report[model].asr).toBe(report[model].asrAt05);
      expect(report[model].accuracy).toBe(report[model].accuracyAt05);
    }
    expect(columns.metrics.defence_fine_pruning_asr).toBe(columns.metrics.defence_fine_pruning_asr_at_0_5);
    expect(columns.metrics.defence_fine_pruning_der).toBe(columns.metrics.defence_fine_pruning_der_at_0_5);
    // The default rule (FPR 5 % on clean validation) picks another threshold for the same model.
    await detectRun(context(dir), { detectors: ['fine_pruning'], detectorOptions: { fine_pruning: { epochs: 1 } } });
    expect(JSON.parse(readFileSync(join(dir, FINE_PRUNING_FILE), 'utf8')).before.threshold).not.toBe(0.5);
  });

  it('runs the detectors named with it as well', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repair-run-'));
    const columns = await detectRun(context(dir), {
      detectors: ['spectral', 'fine_pruning'],
      detectorOptions: { fine_pruning: { epochs: 1 } },
    });
    expect('detect_spectral_auroc' in columns.metrics && 'defence_fine_pruning_der' in columns.metrics).toBe(true);
  });

  it('refuses bad settings before anything is computed or written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repair-run-'));
    for (const fine_pruning of [{ budget: 0 }, { maxFraction: 2 }, { epochs: 0 }, { prune: 0.2 }]) {
      const error = await detectRun(context(dir), { detectors: ['spectral', 'fine_pruning'], detectorOptions: { fine_pruning } }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).code).toBe('E_FINE_PRUNING');
      expect((error as Error).message).toMatch(/options\.fine_pruning/);
    }
    const contamination = await detectRun(context(dir), { detectors: ['fine_pruning'], assumedContamination: 0.7 }).catch(
      (e: unknown) => e,
    );
    expect((contamination as InputError).code).toBe('E_DETECT_CONTAMINATION');
    // A network fine-pruning cannot cut (no dense output layer over its penultimate units).
    const params = model.network.store.params.map((p) => (p.name === 'output/kernel' ? { ...p, name: 'head/kernel' } : p));
    const foreign = new TrainedModel(
      { ...model.network, store: { ...model.network.store, params } as never },
      model.normalisation,
      model.meta,
    );
    const unsupported = await detectRun({ ...context(dir), model: foreign }, { detectors: ['fine_pruning'] }).catch((e: unknown) => e);
    expect((unsupported as InputError).code).toBe('E_PRUNE_UNSUPPORTED');
    expect((unsupported as Error).message).toMatch(
      /^fine_pruning needs a model whose output layer .* Use a model trained by @ehr-backdoor\/train/,
    );
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, FINE_PRUNING_FILE))).toBe(false);
  });
});
