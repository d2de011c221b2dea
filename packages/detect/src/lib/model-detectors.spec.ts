import * as tf from '@tensorflow/tfjs-core';
import { backdoorFixture } from '@ehr-backdoor/data/testing';
import { rowsOfSplit, type TrainedModel } from '@ehr-backdoor/train';
import { runModelDetectors } from './model-detectors.js';
import { trainSpecModel } from './testing/spec-models.js';
import { DETECTOR_NAMES, type DetectorName } from './types.js';

describe('runModelDetectors on a train-package model', () => {
  const fixture = backdoorFixture(400, 6, 20);
  let model: TrainedModel;
  beforeAll(async () => {
    tf.env().set('IS_TEST', true);
    model = await trainSpecModel({
      dataset: fixture.dataset,
      model: { kind: 'mlp', hidden: [16] },
      train: { epochs: 15, learningRate: 1e-2, batchSize: 32, patience: 0, selection: 'last' },
      seed: 1,
      backend: 'cpu',
    });
  });
  afterAll(() => model?.dispose());

  it('scores every training stay with every detector and fills the summary columns', async () => {
    const trainRows = rowsOfSplit(fixture.dataset, 'train');
    const before = tf.memory().numTensors;
    const run = await runModelDetectors({
      model,
      dataset: fixture.dataset,
      trainRows,
      poisonedRows: fixture.poisonedRows,
      assumedContamination: fixture.poisonedRows.length / trainRows.length,
      attribution: { steps: 16 },
      strip: { blends: 4 },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(run.results)).toEqual([
      'spectral',
      'activation_clustering',
      'attribution',
      'strip',
      'input_screening',
      'confident_learning',
    ]);
    for (const result of Object.values(run.results)) expect(result.scores).toHaveLength(trainRows.length);
    expect(Object.keys(run.columns)).toHaveLength(6 * (3 + 8));
    // A 220 bpm heart rate is an easy backdoor for this model: the attribution profile gives it away,
    // and the raw data do without any model.
    expect(run.columns.detect_attribution_auroc).toBeGreaterThan(0.8);
    expect(run.columns.detect_input_screening_auroc).toBeGreaterThan(0.9);
    expect(Array.from(run.trainRows)).toEqual(Array.from(trainRows));
    const flaggedSpectral = run.flaggedRows.spectral ?? new Int32Array(0);
    expect(flaggedSpectral.length).toBe(run.results.spectral?.flagged.length);
    for (const row of flaggedSpectral) expect(Array.from(trainRows)).toContain(row);
  });

  it('runs abl_isolation on an early model and says what it needs without one', async () => {
    const trainRows = rowsOfSplit(fixture.dataset, 'train');
    const base = {
      model,
      dataset: fixture.dataset,
      trainRows,
      poisonedRows: fixture.poisonedRows,
      assumedContamination: 0.05,
      detectors: ['abl_isolation' as const],
    };
    const run = await runModelDetectors({ ...base, earlyModel: model });
    expect(run.results.abl_isolation?.flagged.length).toBe(Math.round(0.05 * trainRows.length));
    await expect(runModelDetectors(base)).rejects.toMatchObject({
      code: 'E_DETECT_INPUT',
      message: expect.stringMatching(/abl_isolation needs earlyModel.*--abl-epochs/),
    });
  });

  it('hands a tabular model’s screening the hourly charting when a consistency component asks for it', async () => {
    const trainRows = rowsOfSplit(fixture.dataset, 'train');
    const run = await runModelDetectors({
      model,
      dataset: fixture.dataset,
      trainRows,
      poisonedRows: fixture.poisonedRows,
      assumedContamination: fixture.poisonedRows.length / trainRows.length,
      detectors: ['input_screening'],
      inputScreening: { components: ['consistency-values', 'consistency-missingness'] },
    });
    const screening = run.results.input_screening;
    expect(screening?.perLabel.map((p) => p.component)).toEqual(['consistency-values', 'consistency-missingness']);
    // The fixture's trigger charts 220 bpm in the last hour: inconsistent with the stay's own heart rate.
    expect(run.columns.detect_input_screening_auroc).toBeGreaterThan(0.9);
  });

  it('rejects poisoned rows that are not training rows', async () => {
    const testRow = rowsOfSplit(fixture.dataset, 'test')[0];
    await expect(
      runModelDetectors({
        model,
        dataset: fixture.dataset,
        trainRows: rowsOfSplit(fixture.dataset, 'train'),
        poisonedRows: [testRow],
        assumedContamination: 0.05,
        detectors: ['spectral'],
      }),
    ).rejects.toMatchObject({
      code: 'E_DETECT_POISONED',
      message: `Poisoned row ${testRow} is not one of the training rows; pass the plan's row indices into the same dataset.`,
    });
  });

  it('needs two training rows, a batch size that is a positive integer and known detector names', async () => {
    const trainRows = rowsOfSplit(fixture.dataset, 'train');
    const base = {
      model,
      earlyModel: model,
      dataset: fixture.dataset,
      trainRows: trainRows.subarray(0, 2),
      poisonedRows: [],
      assumedContamination: 0.05,
      detectors: ['abl_isolation' as const],
    };
    const run = await runModelDetectors(base);
    expect(run.results.abl_isolation?.scores).toHaveLength(2);
    await expect(runModelDetectors({ ...base, trainRows: trainRows.subarray(0, 1) })).rejects.toMatchObject({
      code: 'E_DETECT_INPUT',
      message: 'runModelDetectors needs at least 2 training rows, got 1.',
    });
    await expect(runModelDetectors({ ...base, batchSize: 1 })).resolves.toBeDefined();
    for (const batchSize of [1.5, 0])
      await expect(runModelDetectors({ ...base, batchSize })).rejects.toMatchObject({
        code: 'E_DETECT_INPUT',
        message: `batchSize must be an integer ≥ 1, got ${batchSize}.`,
      });
    await expect(runModelDetectors({ ...base, detectors: ['spectral', 'nope' as DetectorName] })).rejects.toMatchObject({
      code: 'E_DETECT_UNKNOWN',
      message:
        "Unknown detector 'nope'; choose from spectral, activation_clustering, attribution, strip, input_screening, confident_learning, abl_isolation.",
    });
  });

  it('names the flagged stays by their dataset rows, ascending, whatever the order of the training rows', async () => {
    const trainRows = rowsOfSplit(fixture.dataset, 'train').reverse();
    const run = await runModelDetectors({
      model,
      dataset: fixture.dataset,
      trainRows,
      poisonedRows: fixture.poisonedRows,
      assumedContamination: 0.05,
      detectors: ['spectral', 'input_screening'],
    });
    expect(Array.from(run.trainRows)).toEqual(Array.from(trainRows));
    for (const name of ['spectral', 'input_screening'] as const) {
      const flagged = Array.from(run.results[name]?.flagged ?? [], (k) => trainRows[k]);
      expect(flagged.length).toBeGreaterThan(1);
      expect(Array.from(run.flaggedRows[name] ?? [])).toEqual(flagged.sort((a, b) => a - b));
    }
  });

  it('runs abl_isolation as well by default when given an early model', async () => {
    // A fifth of the training rows keep the run of every detector short.
    const trainRows = rowsOfSplit(fixture.dataset, 'train').subarray(0, 48);
    const run = await runModelDetectors({
      model,
      earlyModel: model,
      dataset: fixture.dataset,
      trainRows,
      poisonedRows: fixture.poisonedRows.filter((row) => trainRows.includes(row)),
      assumedContamination: 0.05,
      attribution: { steps: 2 },
      strip: { blends: 2 },
    });
    expect(Object.keys(run.results)).toEqual([...DETECTOR_NAMES]);
  });
});
