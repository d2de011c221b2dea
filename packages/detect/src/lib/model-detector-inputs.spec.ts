import * as tf from '@tensorflow/tfjs-core';
import { backdoorFixture } from '@ehr-backdoor/data/testing';
import { integratedGradients, type IgMethod } from '@ehr-backdoor/explain';
import { rowsOfSplit, type TrainedModel } from '@ehr-backdoor/train';
import { detectorInputs, type DetectorInputsOptions } from './model-detector-inputs.js';
import { trainTinyModels } from './testing/tiny-models.js';
import { DETECTOR_NAMES, type DetectorName } from './types.js';

describe('detectorInputs', () => {
  const fixture = backdoorFixture(40, 4, 3);
  const { dataset } = fixture;
  // Training rows out of dataset order, so that a training position read as a dataset row (or the reverse) shows.
  const trainRows = rowsOfSplit(dataset, 'train').reverse();
  const n = trainRows.length;
  const labels = Uint8Array.from(trainRows, (row) => dataset.labels[row]);
  const models: Record<'mlp' | 'lstm', TrainedModel | undefined> = { mlp: undefined, lstm: undefined };
  beforeAll(async () => {
    Object.assign(models, await trainTinyModels(dataset));
  });
  afterAll(() => Object.values(models).forEach((m) => m?.dispose()));

  const options = (kind: 'mlp' | 'lstm', rest: Partial<DetectorInputsOptions>): DetectorInputsOptions => {
    const model = models[kind] as TrainedModel;
    return { model, dataset, trainRows, labels, detectors: [], earlyModel: model, batchSize: 7, ...rest };
  };

  /** The model's inputs of all training rows in one pass: what the batched extraction must reproduce. */
  async function wholeInputs(model: TrainedModel, rows = trainRows): Promise<{ x: tf.Tensor; values: Float32Array }> {
    const x = model.prepareInputs(dataset, rows);
    return { x, values: (await x.data()) as Float32Array };
  }

  /** Integrated gradients of all training rows in one call, with the baseline built here from the whole input. */
  async function wholeAttributions(
    model: TrainedModel,
    ig: { steps: number; method?: IgMethod; trainMean?: boolean },
    rows = trainRows,
  ): Promise<Float32Array> {
    const { x } = await wholeInputs(model, rows);
    const trainMean = ig.trainMean ? tf.mean(x, 0) : undefined;
    const result = await integratedGradients({
      forward: (z) => model.forwardLogits(z),
      inputs: x,
      baseline: trainMean ? 'train-mean' : 'zero',
      trainMean,
      steps: ig.steps,
      method: ig.method,
    });
    tf.dispose([x, trainMean as tf.Tensor]);
    return result.attributions;
  }

  const expectClose = (actual: ArrayLike<number> | undefined, expected: ArrayLike<number>) => {
    expect(actual).toHaveLength(expected.length);
    Array.from(expected).forEach((e, i) => expect(actual?.[i]).toBeCloseTo(e, 5));
  };

  // Which input each detector reads; every other input is not extracted (each costs passes over the data).
  const reads: Record<DetectorName, string[]> = {
    spectral: ['representations'],
    activation_clustering: ['representations'],
    attribution: ['attributions'],
    strip: ['inputs', 'predict'],
    input_screening: ['screeningData'],
    confident_learning: ['clinicalFeatures'],
    abl_isolation: ['earlyLosses'],
  };
  for (const name of DETECTOR_NAMES)
    it(`extracts only what ${name} reads`, async () => {
      const got = await detectorInputs(options('mlp', { detectors: [name], attribution: { steps: 2 } }));
      const extracted = Object.entries(got).flatMap(([input, value]) => (value === undefined ? [] : [input]));
      expect(extracted).toEqual(reads[name]);
    });

  it('reads the penultimate representations, model inputs, raw values and losses of the training rows, in their order', async () => {
    const model = models.mlp as TrainedModel;
    const got = await detectorInputs(
      options('mlp', { detectors: ['spectral', 'strip', 'input_screening', 'confident_learning', 'abl_isolation'] }),
    );
    const penultimate = model.penultimate(dataset, trainRows);
    expect(got.representations).toEqual({ values: penultimate.values, rows: n, cols: penultimate.dim });
    const { x, values } = await wholeInputs(model);
    x.dispose();
    expect(got.inputs).toEqual({ values, rows: n, cols: model.normalisation.names.length });
    const F = dataset.tabular.features.length;
    const tabular = Float64Array.from(
      Array.from(trainRows).flatMap((row) => Array.from(dataset.tabular.values.slice(row * F, row * F + F))),
    );
    expect(got.clinicalFeatures).toEqual({ values: tabular, rows: n, cols: F, variables: dataset.tabular.features.map((f) => f.variable) });
    expect(got.screeningData).toEqual({
      view: 'tabular',
      values: tabular,
      rows: n,
      variables: dataset.tabular.features.map((f) => f.variable),
      stats: dataset.tabular.features.map((f) => f.stat),
    });
    const p = model.predictProba(dataset, trainRows);
    expectClose(
      got.earlyLosses,
      Array.from(p, (q, k) => -Math.log(labels[k] === 1 ? q : 1 - q)),
    );
    // STRIP's predictor is p(label 1) of normalised inputs laid out as the model reads them.
    expectClose(await got.predict?.(values, n), p);
  });

  it('gives a time-series model’s STRIP its [hours, 2 × channels] inputs and its screening the hourly charting', async () => {
    const model = models.lstm as TrainedModel;
    const got = await detectorInputs(options('lstm', { detectors: ['strip', 'input_screening'] }));
    const { x, values } = await wholeInputs(model);
    x.dispose();
    const { hours: T, channels } = dataset.timeSeries;
    expect(got.inputs).toEqual({ values, rows: n, cols: T * 2 * channels.length });
    expectClose(await got.predict?.(values, n), model.predictProba(dataset, trainRows));
    const size = T * channels.length;
    const slices = <A extends Float32Array | Uint8Array>(a: A) =>
      Array.from(trainRows).flatMap((row) => Array.from(a.slice(row * size, row * size + size)));
    expect(got.screeningData).toEqual({
      view: 'timeseries',
      values: Float64Array.from(slices(dataset.timeSeries.values)),
      mask: Uint8Array.from(slices(dataset.timeSeries.mask)),
      rows: n,
      hours: T,
      channels,
    });
  });

  it('adds the hourly charting to a tabular model’s screening data only when a consistency component is asked for', async () => {
    const hourlyOf = async (screeningComponents?: unknown) =>
      (await detectorInputs(options('mlp', { detectors: ['input_screening'], screeningComponents }))).screeningData;
    const withConsistency = await hourlyOf(['univariate', 'consistency-values']);
    expect(withConsistency).toHaveProperty('hourly.rows', n);
    expect(withConsistency).toHaveProperty('hourly.hours', dataset.timeSeries.hours);
    expect(await hourlyOf(['univariate', 'missingness'])).not.toHaveProperty('hourly');
    expect(await hourlyOf(undefined)).not.toHaveProperty('hourly');
  });

  // The model's inputs are normalised with the training split's statistics, so the mean input of all its
  // rows is nearly the zero one. The half with the higher heart rates has a mean input far from zero.
  const heartRateMean = (row: number) => dataset.tabular.values[row * dataset.tabular.features.length + 2];
  const highHeartRate = Int32Array.from(trainRows)
    .sort((a, b) => heartRateMean(b) - heartRateMean(a))
    .subarray(0, 12);
  const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

  it('takes a tabular model’s attributions as integrated gradients from zero, 32 Gauss–Legendre steps by default', async () => {
    const mlp = models.mlp as TrainedModel;
    const got = await detectorInputs(options('mlp', { trainRows: highHeartRate, detectors: ['attribution'], batchSize: 5 }));
    expect(got.attributions?.rows).toBe(highHeartRate.length);
    expect(got.attributions?.cols).toBe(dataset.tabular.features.length);
    expectClose(got.attributions?.values, await wholeAttributions(mlp, { steps: 32 }, highHeartRate));
  });

  it('integrates from the training rows’ mean input when asked, and keeps no tensor', async () => {
    const mlp = models.mlp as TrainedModel;
    const before = tf.memory().numTensors;
    // Riemann sums move with every step, so the step count given is the one used.
    const attribution = { baseline: 'train-mean', steps: 5, method: 'riemann_right' } as const;
    const got = await detectorInputs(options('mlp', { trainRows: highHeartRate, detectors: ['attribution'], attribution, batchSize: 5 }));
    expect(tf.memory().numTensors).toBe(before);
    const fromMean = await wholeAttributions(mlp, { ...attribution, trainMean: true }, highHeartRate);
    expectClose(got.attributions?.values, fromMean);
    // The two baselines must differ for this to test which one is used.
    expect(maxDifference(fromMean, await wholeAttributions(mlp, attribution, highHeartRate))).toBeGreaterThan(1e-3);
  });

  // 24 training rows: passes of 7 leave a short last one; passes of 6 end exactly at the last row.
  const lstmIg = { steps: 2, method: 'riemann_left' } as const;
  let lstmPerChannel: Float64Array | undefined;
  /** Per stay and channel, the sum of the LSTM's attributions to that channel's values and measured flags over every hour. */
  async function lstmAttributionsPerChannel(): Promise<Float64Array> {
    if (lstmPerChannel) return lstmPerChannel;
    const perInput = await wholeAttributions(models.lstm as TrainedModel, lstmIg);
    const { hours: T, channels } = dataset.timeSeries;
    const C = channels.length;
    lstmPerChannel = new Float64Array(n * C);
    for (let r = 0; r < n; r++)
      for (let t = 0; t < T; t++)
        for (let c = 0; c < C; c++) lstmPerChannel[r * C + c] += perInput[(r * T + t) * 2 * C + c] + perInput[(r * T + t) * 2 * C + C + c];
    return lstmPerChannel;
  }
  for (const batchSize of [7, 6])
    it(`sums a time-series model’s attributions over hours, values and flags per channel (passes of ${batchSize})`, async () => {
      const got = await detectorInputs(options('lstm', { detectors: ['attribution'], attribution: lstmIg, batchSize }));
      expect(got.attributions?.cols).toBe(dataset.timeSeries.channels.length);
      expectClose(got.attributions?.values, await lstmAttributionsPerChannel());
    });

  it('reads at most batchSize stays per forward pass', async () => {
    const model = models.lstm as TrainedModel;
    const passes: number[] = [];
    // The model as it is, except that each call's row count (or batch size) is written down.
    const watched = Object.create(model, {
      prepareInputs: { value: (d: typeof dataset, rows: ArrayLike<number>) => (passes.push(rows.length), model.prepareInputs(d, rows)) },
      penultimate: {
        value: (d: typeof dataset, rows: ArrayLike<number>, size: number) => (passes.push(size), model.penultimate(d, rows, size)),
      },
      predictProba: {
        value: (d: typeof dataset, rows: ArrayLike<number>, size: number) => (passes.push(size), model.predictProba(d, rows, size)),
      },
    }) as TrainedModel;
    const got = await detectorInputs(
      options('lstm', {
        model: watched,
        earlyModel: watched,
        detectors: ['spectral', 'strip', 'attribution', 'abl_isolation'],
        attribution: { steps: 2, baseline: 'train-mean' },
        batchSize: 5,
      }),
    );
    expect(got.attributions?.rows).toBe(n);
    expect(passes.length).toBeGreaterThan(3 * (n / 5));
    expect(Math.max(...passes)).toBe(5);
  });
});
