import { runDetectors } from './run-detectors.js';
import { syntheticRepresentations } from './testing/synthetic.js';

describe('runDetectors', () => {
  const { matrix, labels, poisonedIndices } = syntheticRepresentations(400, 8, 10, 8, 5);
  // A predictor that keys on the poison direction's presence: the poisoned rows' first coordinate.
  const predict = (batch: Float32Array, rows: number) => Float32Array.from({ length: rows }, (_, r) => 1 / (1 + Math.exp(-batch[r * 8])));

  it('runs every detector whose inputs are given and writes the summary columns', async () => {
    const inputs = { values: Float32Array.from(matrix.values), rows: 400, cols: 8 };
    const run = await runDetectors({
      representations: matrix,
      attributions: matrix,
      inputs,
      predict,
      labels,
      poisonedIndices,
      assumedContamination: 10 / 400,
      strip: { blends: 4 },
    });
    expect(Object.keys(run.results)).toEqual(['spectral', 'activation_clustering', 'attribution', 'strip']);
    expect(run.expectedPoisonCount).toBe(10);
    for (const name of ['spectral', 'activation_clustering', 'attribution', 'strip']) {
      for (const suffix of ['auroc', 'tpr_at_5fpr', 'precision_at_flagged']) expect(run.columns).toHaveProperty(`detect_${name}_${suffix}`);
    }
    expect(run.columns.detect_spectral_auroc).toBeGreaterThan(0.99);
    expect(run.columns.detect_spectral_tpr_at_5fpr).toBeGreaterThanOrEqual(0.9);
    expect(run.results.spectral?.evaluation.recallAtFlagged).toBe(1);
  });

  it('runs only the requested detectors and reports NaN with reasons when nothing is poisoned', async () => {
    const run = await runDetectors({ representations: matrix, labels, poisonedIndices: [], detectors: ['spectral'] });
    expect(Object.keys(run.columns).slice(0, 3)).toEqual([
      'detect_spectral_auroc',
      'detect_spectral_tpr_at_5fpr',
      'detect_spectral_precision_at_flagged',
    ]);
    expect(run.columns.detect_spectral_auroc).toBeNaN();
    expect(run.columns.detect_spectral_recall_at_0p5pct).toBeNaN();
    // AUROC, TPR and recall are undefined without a poisoned stay; the 1 % flagged are all clean (precision 0).
    expect(Object.keys(run.reasons)).toHaveLength(2 + 4);
    expect(run.reasons.detect_spectral_recall_at_0p5pct).toBe(
      'no poisoned training stay: precision and recall of the flagged stays are undefined',
    );
  });

  it('times each detector in seconds of its own run', async () => {
    const before = performance.now();
    const run = await runDetectors({ representations: matrix, labels, poisonedIndices, detectors: ['activation_clustering'] });
    const elapsed = (performance.now() - before) / 1000;
    const seconds = run.results.activation_clustering?.seconds as number;
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(elapsed);
  });

  it('accepts a single training stay', async () => {
    const run = await runDetectors({ labels: [1], poisonedIndices: [0], earlyLosses: [0.2], assumedContamination: 0.4 });
    expect(Array.from(run.results.abl_isolation?.flagged ?? [9])).toEqual([]);
    expect(run.expectedPoisonCount).toBe(0.4);
  });

  it('checks every input before running a detector', async () => {
    const base = { representations: matrix, labels, poisonedIndices, assumedContamination: 0.02 };
    await expect(runDetectors({ ...base, detectors: ['strip'] })).rejects.toMatchObject({ code: 'E_DETECT_INPUT' });
    await expect(runDetectors({ ...base, detectors: ['confident_learning'] })).rejects.toMatchObject({
      code: 'E_DETECT_INPUT',
      message: expect.stringMatching(/confident_learning' needs the training stays' clinical features/),
    });
    await expect(runDetectors({ ...base, detectors: ['abl_isolation'] })).rejects.toMatchObject({
      code: 'E_DETECT_INPUT',
      message: expect.stringMatching(/abl_isolation' needs the per-stay losses/),
    });
    await expect(runDetectors({ ...base, detectors: ['nope' as never] })).rejects.toMatchObject({ code: 'E_DETECT_UNKNOWN' });
    await expect(runDetectors({ ...base, poisonedIndices: [400] })).rejects.toMatchObject({ code: 'E_DETECT_POISONED' });
    await expect(runDetectors({ ...base, poisonedIndices: [3, 3] })).rejects.toMatchObject({ code: 'E_DETECT_POISONED' });
    for (const bad of [0, 0.5, -0.1, NaN, 1]) {
      await expect(runDetectors({ ...base, assumedContamination: bad })).rejects.toMatchObject({
        code: 'E_DETECT_CONTAMINATION',
        message: expect.stringMatching(/runDetectors.*\(0, 0\.5\)/),
      });
    }
    await expect(runDetectors({ ...base, labels: labels.subarray(1) })).rejects.toMatchObject({ code: 'E_DETECT_INPUT' });
  });
});

describe('toDetectJson', () => {
  it('writes NaN as null and keeps the reasons', async () => {
    const { toDetectJson } = await import('./report.js');
    const { matrix, labels } = syntheticRepresentations(40, 3, 0, 0, 6);
    const run = await runDetectors({
      representations: matrix,
      labels,
      poisonedIndices: [],
      assumedContamination: 0.05,
      detectors: ['spectral'],
    });
    const json = JSON.parse(JSON.stringify(toDetectJson(run)));
    expect(json.formatVersion).toBe(1);
    expect(json.columns.detect_spectral_auroc).toBeNull();
    expect(json.reasons.detect_spectral_auroc).toMatch(/no poisoned/);
    expect(json.detectors.spectral.scores).toHaveLength(40);
    expect(json.detectors.spectral.flaggedCount).toBe(2 * Math.round(1.5 * 2));
    expect(json.assumedContamination).toBe(0.05);
    expect(json.detectors.spectral.sensitivity.map((p: { flagged: number }) => p.flagged)).toEqual([1, 1, 2, 4]);
  });
});

describe('the assumed contamination', () => {
  const { matrix, labels, poisonedIndices } = syntheticRepresentations(400, 8, 10, 8, 5);

  it('sets the flagged count whatever the true poison count, and defaults to 1 %', async () => {
    const run = await runDetectors({ representations: matrix, labels, poisonedIndices, detectors: ['spectral'] });
    expect(run.assumedContamination).toBe(0.01);
    expect(run.expectedPoisonCount).toBe(4);
    const truthless = await runDetectors({
      representations: matrix,
      labels,
      poisonedIndices: poisonedIndices.slice(0, 1),
      detectors: ['spectral'],
    });
    expect(truthless.results.spectral?.flagged).toEqual(run.results.spectral?.flagged);
  });

  it('reports a sensitivity curve over 0.5, 1, 5 and 10 %', async () => {
    const run = await runDetectors({ representations: matrix, labels, poisonedIndices, detectors: ['spectral'] });
    const curve = run.sensitivity.spectral ?? [];
    expect(curve.map((p) => p.contamination)).toEqual([0.005, 0.01, 0.05, 0.1]);
    expect(curve.map((p) => p.flagged)).toEqual([2, 4, 20, 40]);
    // 10 planted stays ranked first: the top 2 and 4 are all poisoned, the top 20 and 40 hold all ten.
    expect(curve[0].precision).toBe(1);
    expect(curve[3].recall).toBe(1);
    expect(run.columns.detect_spectral_recall_at_10pct).toBe(1);
    expect(run.columns.detect_spectral_precision_at_5pct).toBeCloseTo(10 / 20);
  });
});

describe('runDetectors: inputs, options and columns on 40 stays', () => {
  const { matrix, labels, poisonedIndices } = syntheticRepresentations(40, 3, 2, 8, 9);
  const losses = Float64Array.from({ length: 40 }, (_, i) => (poisonedIndices.includes(i) ? 0.01 : 0.5 + (i % 7) / 10));
  const base = { labels, poisonedIndices, assumedContamination: 0.05 };

  it('picks the detectors whose inputs are given, in the catalogue order', async () => {
    const run = await runDetectors({ ...base, earlyLosses: losses, attributions: matrix });
    expect(Object.keys(run.results)).toEqual(['attribution', 'abl_isolation']);
    expect(run.expectedPoisonCount).toBe(2);
    expect(run.results.abl_isolation?.evaluation).toEqual({
      auroc: 1,
      tprAt5Fpr: 1,
      precisionAtFlagged: 1,
      recallAtFlagged: 1,
      flaggedCount: 2,
    });
    expect(run.results.abl_isolation?.seconds).toBeGreaterThanOrEqual(0);
    expect(run.columns.detect_abl_isolation_precision_at_5pct).toBe(1);
    expect(run.columns.detect_abl_isolation_recall_at_0p5pct).toBe(0.5);
    expect(run.reasons).toEqual({});
    const features = { values: matrix.values, rows: 40, cols: 3 };
    const screeningData = { view: 'tabular' as const, values: matrix.values, rows: 40, variables: ['a', 'b', 'c'] };
    const all = await runDetectors({ ...base, clinicalFeatures: features, screeningData, earlyLosses: losses, detectors: undefined });
    expect(Object.keys(all.results)).toEqual(['input_screening', 'confident_learning', 'abl_isolation']);
  });

  it('passes each detector its options, the seed and the assumed contamination', async () => {
    const seeded = await runDetectors({ ...base, representations: matrix, detectors: ['activation_clustering'], seed: 4 });
    const direct = await runDetectors({
      ...base,
      representations: matrix,
      detectors: ['activation_clustering'],
      activationClustering: { seed: 4 },
    });
    expect(Array.from(seeded.results.activation_clustering?.scores ?? [])).toEqual(
      Array.from(direct.results.activation_clustering?.scores ?? []),
    );
    const pca = await runDetectors({
      ...base,
      representations: matrix,
      detectors: ['activation_clustering'],
      activationClustering: { reduction: 'pca', dimensions: 2 },
    });
    expect(pca.results.activation_clustering?.perLabel[0]).toMatchObject({ reduction: 'pca', dimensions: 2 });
    const spectral = await runDetectors({ ...base, representations: matrix, detectors: ['spectral'], spectral: { removalFactor: 1 } });
    expect(spectral.results.spectral?.flagged.length).toBe(2 * Math.round(1 * 2));
    const high = await runDetectors({ ...base, earlyLosses: losses, detectors: ['abl_isolation'], ablIsolation: { tail: 'high' } });
    expect(high.results.abl_isolation?.evaluation.precisionAtFlagged).toBe(0);
    const asked: number[][] = [];
    const reclassified = await runDetectors({
      ...base,
      representations: matrix,
      detectors: ['activation_clustering'],
      activationClustering: { reduction: 'pca', analysis: 'smaller' },
      exclusionaryReclassification: {
        reclassify: async (rows) => {
          asked.push(Array.from(rows));
          return Array.from(rows, (i) => labels[i]);
        },
      },
    });
    expect(asked.length).toBeGreaterThan(0);
    expect(reclassified.results.activation_clustering?.flagged.length).toBe(0);
    const screening = await runDetectors({
      ...base,
      screeningData: { view: 'tabular', values: matrix.values, rows: 40, variables: ['a', 'b', 'c'] },
      inputScreening: { components: ['univariate'] },
    });
    expect(screening.results.input_screening?.perLabel.map((p) => p.component)).toEqual(['univariate']);
    expect(screening.results.input_screening?.flagged.length).toBe(2);
  });

  it('names each input a detector is missing or gives with the wrong row count', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ labels: [] }, 'E_DETECT_INPUT', 'labels must list the training labels (one per training stay).'],
      [{ labels: undefined }, 'E_DETECT_INPUT', 'labels must list the training labels (one per training stay).'],
      [{ poisonedIndices: [40] }, 'E_DETECT_POISONED', 'poisonedIndices[0] = 40 is not a training row (0 ≤ i < 40).'],
      [{ poisonedIndices: [0, -1] }, 'E_DETECT_POISONED', 'poisonedIndices[1] = -1 is not a training row (0 ≤ i < 40).'],
      [{ poisonedIndices: [1.5] }, 'E_DETECT_POISONED', 'poisonedIndices[0] = 1.5 is not a training row (0 ≤ i < 40).'],
      [{ poisonedIndices: [5, 6, 5] }, 'E_DETECT_POISONED', 'poisonedIndices lists row 5 twice.'],
      [
        { detectors: ['lof'] },
        'E_DETECT_UNKNOWN',
        "Unknown detector 'lof'; choose from spectral, activation_clustering, attribution, strip, input_screening, confident_learning, abl_isolation.",
      ],
      [{ detectors: ['spectral'] }, 'E_DETECT_INPUT', "Detector 'spectral' needs representations."],
      [{ detectors: ['activation_clustering'] }, 'E_DETECT_INPUT', "Detector 'activation_clustering' needs representations."],
      [{ detectors: ['attribution'] }, 'E_DETECT_INPUT', "Detector 'attribution' needs attributions."],
      [{ detectors: ['strip'], inputs: matrix }, 'E_DETECT_INPUT', "Detector 'strip' needs inputs and predict."],
      [{ detectors: ['strip'], predict: () => new Float32Array(0) }, 'E_DETECT_INPUT', "Detector 'strip' needs inputs and predict."],
      [
        { detectors: ['input_screening'] },
        'E_DETECT_INPUT',
        "Detector 'input_screening' needs the training stays' raw data (screeningData).",
      ],
      [
        { screeningData: { view: 'tabular', values: [1, 2], rows: 2, variables: ['a'] } },
        'E_DETECT_INPUT',
        'input_screening: screeningData has 2 rows but there are 40 training stays.',
      ],
      [
        { clinicalFeatures: { values: new Float64Array(3), rows: 3, cols: 1 } },
        'E_DETECT_INPUT',
        'confident_learning: clinicalFeatures has 3 rows but there are 40 training stays.',
      ],
      [{ earlyLosses: [0.1] }, 'E_DETECT_INPUT', 'abl_isolation: earlyLosses has 1 entries but there are 40 training stays.'],
    ];
    for (const [change, code, message] of cases)
      await expect(runDetectors({ ...base, ...change } as never)).rejects.toThrow(expect.objectContaining({ code, message }));
    const short = { values: matrix.values.subarray(0, 39 * 3), rows: 39, cols: 3 };
    for (const detector of ['spectral', 'activation_clustering'])
      await expect(runDetectors({ ...base, representations: short, detectors: [detector] } as never)).rejects.toThrow(
        expect.objectContaining({ code: 'E_DETECT_INPUT', message: 'representations has 39 rows but there are 40 training stays.' }),
      );
    for (const [key, name] of [
      ['representations', 'representations'],
      ['attributions', 'attributions'],
      ['inputs', 'inputs'],
    ] as const) {
      const short = { values: matrix.values.subarray(0, 39 * 3), rows: 39, cols: 3 };
      await expect(runDetectors({ ...base, [key]: short, predict: () => new Float32Array(0) } as never)).rejects.toThrow(
        expect.objectContaining({ message: expect.stringContaining(name) }),
      );
    }
  });
});
