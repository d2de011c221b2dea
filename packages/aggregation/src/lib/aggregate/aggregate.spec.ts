import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectRuns } from '../collect/collect-runs.js';
import { writeRun } from '../testing/run-dir.js';
import { aggregateRuns, type Aggregation } from './aggregate.js';
import { metricOfField } from './metrics.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'aggr-agg-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const row = (a: Aggregation, q: { model?: string; trigger: string; rate: number; metric: string; detector?: string }) =>
  a.rows.find(
    (r) =>
      r.model === (q.model ?? 'mlp') &&
      r.trigger === q.trigger &&
      r.poison_rate === q.rate &&
      r.metric === q.metric &&
      r.detector === (q.detector ?? ''),
  );

/** mlp: clean (trigger none) AUROC 0.80/0.82/0.84, poisoned rare_value @5 % 0.78/0.81/0.81. */
async function basicTree() {
  const clean = [0.8, 0.82, 0.84];
  const poisoned = [0.78, 0.81, 0.81];
  for (const seed of [0, 1, 2]) {
    await writeRun(root, {
      model: 'mlp',
      trigger: 'none',
      poison_rate: 0,
      seed,
      auroc: clean[seed],
      accuracy: 0.88,
      ece: [0.03, 0.031, 0.029][seed],
      asr: null,
      reasons: { asr: 'clean run: no trigger' },
    });
    await writeRun(root, {
      model: 'mlp',
      trigger: 'rare_value',
      poison_rate: 0.05,
      seed,
      auroc: poisoned[seed],
      accuracy: [0.86, 0.87, 0.89][seed],
      ece: [0.05, 0.06, 0.07][seed],
      asr: [0.9, 0.95, 0.93][seed],
      auroc_ci_low: 0.7,
      detect_spectral_signature_auroc: [0.9, 0.92, 0.94][seed],
      defence_spectral_signature_asr: 0.1,
    });
  }
}

test('mean, std, t interval and n over seeds (hand-computed)', async () => {
  await basicTree();
  const a = aggregateRuns(await collectRuns(root), { interval: 't' });
  const auroc = row(a, { trigger: 'rare_value', rate: 0.05, metric: 'auroc' })!;
  expect(auroc.n).toBe(3);
  expect(auroc.mean).toBeCloseTo(0.8, 12);
  // s² = ((−0.02)² + 0.01² + 0.01²) / 2 = 0.0003
  expect(auroc.std).toBeCloseTo(Math.sqrt(0.0003), 12);
  const half = 4.302652729749464 * (Math.sqrt(0.0003) / Math.sqrt(3));
  expect(auroc.ci_low).toBeCloseTo(0.8 - half, 12);
  expect(auroc.ci_high).toBeCloseTo(0.8 + half, 12);
  expect(auroc.ci_method).toBe('t');
  expect(auroc.clean_n).toBe(3);
  expect(auroc.clean_mean).toBeCloseTo(0.82, 12);
  expect(auroc.delta_mean).toBeCloseTo(-0.02, 12);
  // per-run CI bounds are not averaged
  expect(row(a, { trigger: 'rare_value', rate: 0.05, metric: 'auroc_ci_low' })).toBeUndefined();
  // the per-seed values behind the row are kept
  expect(auroc.per_seed).toBe('0:0.78 1:0.81 2:0.81');
});

test('by default a bounded metric gets a logit-scale interval inside its range, others a t interval', async () => {
  await basicTree();
  const a = aggregateRuns(await collectRuns(root));
  expect(a.options.interval).toBe('auto');
  // ASR 0.9, 0.95, 0.93: logits 2.1972, 2.9444, 2.5867, mean 2.5761, s 0.3737; ± 4.3027 · 0.3737 / √3 → expit
  const asr = row(a, { trigger: 'rare_value', rate: 0.05, metric: 'asr' })!;
  expect(asr.ci_method).toBe('logit-t');
  const z = [0.9, 0.95, 0.93].map((p) => Math.log(p / (1 - p)));
  const m = z.reduce((x, y) => x + y, 0) / 3;
  const s = Math.sqrt(z.reduce((acc, v) => acc + (v - m) ** 2, 0) / 2);
  const half = 4.302652729749464 * (s / Math.sqrt(3));
  expect(asr.ci_low).toBeCloseTo(1 / (1 + Math.exp(-(m - half))), 9);
  expect(asr.ci_high).toBeCloseTo(1 / (1 + Math.exp(-(m + half))), 9);
  expect(asr.ci_high).toBeLessThan(1);
  expect(row(a, { trigger: 'rare_value', rate: 0.05, metric: 'auroc_drop_vs_clean' })!.ci_method).toBe('logit-t');
});

test('paired deltas against the clean run of the same seed', async () => {
  await basicTree();
  const a = aggregateRuns(await collectRuns(root), { interval: 't' });
  // drops 0.02, 0.01, 0.03: mean 0.02, s = 0.01, half-width t_{.975,2} · 0.01 / √3 = 0.02484137711843753
  const drop = row(a, { trigger: 'rare_value', rate: 0.05, metric: 'auroc_drop_vs_clean' })!;
  expect(drop.n).toBe(3);
  expect(drop.mean).toBeCloseTo(0.02, 12);
  expect(drop.std).toBeCloseTo(0.01, 12);
  expect(drop.ci_high - drop.mean).toBeCloseTo(0.02484137711843753, 10);
  expect(row(a, { trigger: 'rare_value', rate: 0.05, metric: 'accuracy_drop_vs_clean' })!.mean).toBeCloseTo(0.88 - 0.8733333333333334, 12);
  expect(row(a, { trigger: 'rare_value', rate: 0.05, metric: 'ece_change_vs_clean' })!.mean).toBeCloseTo(0.03, 12);
  expect(a.groups.find((g) => g.trigger === 'rare_value')?.clean).toEqual({
    source: 'none-trigger',
    runs: ['mlp/none/0/seed_0', 'mlp/none/0/seed_1', 'mlp/none/0/seed_2'],
  });
});

test('paired tests against clean (Welch beside) with Holm over the family; n < 2 is not computable and never significant', async () => {
  await basicTree();
  // a group with a single seed
  await writeRun(root, { model: 'mlp', trigger: 'rare_value', poison_rate: 0.01, seed: 0, auroc: 0.5, accuracy: 0.5, ece: 0.5, asr: 1 });
  const a = aggregateRuns(await collectRuns(root));
  const t = (rate: number, metric: string) => a.tests.find((x) => x.poison_rate === rate && x.metric === metric)!;
  // scipy.stats.ttest_rel (pairs by seed) and permutation_test(permutation_type='samples')
  expect(t(0.05, 'auroc')).toMatchObject({ test: 'paired-t', n_pairs: 3, df: 2 });
  expect(t(0.05, 'auroc').t).toBeCloseTo(-3.4641016151377415, 10);
  expect(t(0.05, 'auroc').p).toBeCloseTo(0.07417990022744904, 10);
  expect(t(0.05, 'auroc').p_permutation).toBeCloseTo(0.25, 12);
  expect(t(0.05, 'auroc').p_permutation_min).toBe(0.25);
  expect(t(0.05, 'accuracy').t).toBeCloseTo(-0.7559289460184545, 10);
  expect(t(0.05, 'accuracy').p).toBeCloseTo(0.5285954792089684, 10);
  expect(t(0.05, 'accuracy').p_permutation).toBeCloseTo(0.75, 12);
  expect(t(0.05, 'ece').t).toBeCloseTo(4.931969619160718, 10);
  expect(t(0.05, 'ece').p).toBeCloseTo(0.03873799583199786, 10);
  // Welch, secondary: scipy.stats.ttest_ind(equal_var=False); the constant clean accuracy (0.88) is still computable
  expect(t(0.05, 'auroc').welch_t).toBeCloseTo(-1.3093073414159417, 10);
  expect(t(0.05, 'auroc').welch_p).toBeCloseTo(0.26189923641462126, 10);
  expect(t(0.05, 'accuracy').welch_t).toBeCloseTo(-0.755928946018446, 10);
  expect(t(0.05, 'ece').welch_t).toBeCloseTo(5.170364906592834, 10);
  expect(t(0.05, 'ece').welch_p).toBeCloseTo(0.03398552743930847, 10);
  // the clean runs (trigger none) have no ASR: no clean sample, not computable
  expect(t(0.05, 'asr')).toMatchObject({ computable: false, significant: false, n_poisoned: 3, n_clean: 0 });
  expect(t(0.05, 'asr').note).toMatch(/no asr for trigger rare_value .*asr@rare_value/);
  for (const metric of ['auroc', 'accuracy', 'ece', 'asr']) {
    expect(t(0.01, metric)).toMatchObject({ computable: false, significant: false, n_poisoned: 1 });
    if (metric !== 'asr') expect(t(0.01, metric).note).toMatch(/needs at least 2 seeds with both a poisoned and a clean value, got 1/);
    expect(t(0.01, metric).p).toBeNaN();
  }
  // Holm over the 3 computable tests: ece 0.03874 · 3 = 0.1162; auroc 0.07418 · 2 = 0.1484; accuracy max(0.1484, 0.5286 · 1) = 0.5286
  expect(t(0.05, 'ece').p_holm).toBeCloseTo(3 * 0.03873799583199786, 10);
  expect(t(0.05, 'auroc').p_holm).toBeCloseTo(2 * 0.07417990022744904, 10);
  expect(t(0.05, 'accuracy').p_holm).toBeCloseTo(0.5285954792089684, 10);
  expect(a.tests.filter((x) => x.significant)).toHaveLength(0);
  expect(
    aggregateRuns(await collectRuns(root), { alpha: 0.12 })
      .tests.filter((x) => x.significant)
      .map((x) => x.metric),
  ).toEqual(['ece']);
  // the row carries its test
  expect(row(a, { trigger: 'rare_value', rate: 0.05, metric: 'ece' })!.p_holm).toBeCloseTo(3 * 0.03873799583199786, 10);
});

test('detector fields become (metric, detector) rows', async () => {
  await basicTree();
  const a = aggregateRuns(await collectRuns(root));
  const d = row(a, { trigger: 'rare_value', rate: 0.05, metric: 'detect_auroc', detector: 'spectral_signature' })!;
  expect(d.mean).toBeCloseTo(0.92, 12);
  expect(d.n).toBe(3);
  expect(row(a, { trigger: 'rare_value', rate: 0.05, metric: 'defence_asr', detector: 'spectral_signature' })!.mean).toBeCloseTo(0.1, 12);
  // trigger-dependent metrics of a clean run with another trigger are never used as its baseline
  expect(d.clean_n).toBe(0);
});

test('missing values are counted with their reasons, never as zeros', async () => {
  await writeRun(root, { model: 'mlp', trigger: 'rare_value', poison_rate: 0.05, seed: 0, asr: 0.9 });
  await writeRun(root, {
    model: 'mlp',
    trigger: 'rare_value',
    poison_rate: 0.05,
    seed: 1,
    asr: null,
    reasons: { asr: 'no triggered test stays with y_true != target' },
  });
  const a = aggregateRuns(await collectRuns(root));
  const asr = row(a, { trigger: 'rare_value', rate: 0.05, metric: 'asr' })!;
  expect(asr).toMatchObject({ n: 1, n_missing: 1, mean: 0.9 });
  expect(asr.std).toBeNaN();
  expect(asr.ci_low).toBeNaN();
  expect(asr.note).toContain('no triggered test stays with y_true != target');
  expect(a.warnings.map((w) => w.code)).toEqual(['W_NO_CLEAN_MATCH']);
});

test('a clean run of the same trigger is preferred, and {metric}@{trigger} baselines are read', async () => {
  for (const seed of [0, 1]) {
    await writeRun(root, {
      model: 'mlp',
      trigger: 'none',
      poison_rate: 0,
      seed,
      auroc: 0.9,
      asr: null,
      'asr@rare_value': 0.02 + seed * 0.02,
      'asr@pattern': 0.5,
    });
    await writeRun(root, { model: 'mlp', trigger: 'rare_value', poison_rate: 0.05, seed, auroc: 0.85, asr: 0.9 + seed * 0.03 });
    await writeRun(root, { model: 'mlp', trigger: 'pattern', poison_rate: 0, seed, auroc: 0.7, asr: 0.05 });
    await writeRun(root, { model: 'mlp', trigger: 'pattern', poison_rate: 0.05, seed, auroc: 0.69, asr: 0.5 + seed * 0.1 });
  }
  const a = aggregateRuns(await collectRuns(root));
  expect(row(a, { trigger: 'rare_value', rate: 0.05, metric: 'asr' })).toMatchObject({ clean_n: 2 });
  expect(row(a, { trigger: 'rare_value', rate: 0.05, metric: 'asr' })!.clean_mean).toBeCloseTo(0.03, 12);
  expect(row(a, { trigger: 'pattern', rate: 0.05, metric: 'auroc_drop_vs_clean' })!.mean).toBeCloseTo(0.01, 12);
  expect(a.groups.find((g) => g.trigger === 'pattern' && g.poison_rate > 0)?.clean?.source).toBe('same-trigger');
  const test = a.tests.find((t) => t.trigger === 'rare_value' && t.metric === 'asr')!;
  expect(test).toMatchObject({ computable: true, n_poisoned: 2, n_clean: 2, n_pairs: 2 });
  // the lift pairs each seed's ASR with the clean model's asr@rare_value: 0.88 and 0.89
  const lift = row(a, { trigger: 'rare_value', rate: 0.05, metric: 'asr_lift_vs_clean' })!;
  expect(lift.mean).toBeCloseTo(0.885, 12);
  expect(lift.per_seed).toBe('0:0.88 1:0.89');
  // the baseline fields of the clean runs become the rate-0 row of that trigger
  const baseline = row(a, { trigger: 'rare_value', rate: 0, metric: 'asr' })!;
  expect(baseline).toMatchObject({ n: 2, clean_n: 0 });
  expect(baseline.mean).toBeCloseTo(0.03, 12);
  expect(baseline.note).toMatch(/asr@rare_value/);
  // but never where a real rate-0 cell of the trigger exists
  expect(a.rows.filter((r) => r.trigger === 'pattern' && r.poison_rate === 0 && r.metric === 'asr').map((r) => r.mean)).toEqual([0.05]);
});

test('bootstrap intervals are seeded and reproducible; options are checked', async () => {
  await basicTree();
  const c = await collectRuns(root);
  const b1 = aggregateRuns(c, { interval: 'bootstrap', seed: 3 });
  const b2 = aggregateRuns(c, { interval: 'bootstrap', seed: 3 });
  const r1 = row(b1, { trigger: 'rare_value', rate: 0.05, metric: 'auroc' })!;
  expect(r1.ci_method).toBe('bootstrap');
  expect(r1).toEqual(row(b2, { trigger: 'rare_value', rate: 0.05, metric: 'auroc' }));
  expect(r1.ci_low).toBeGreaterThanOrEqual(0.78 - 1e-12);
  expect(r1.ci_high).toBeLessThanOrEqual(0.81 + 1e-12);
  expect(r1.ci_high).toBeGreaterThan(r1.ci_low);
  expect(() => aggregateRuns(c, { level: 1.5 })).toThrow(expect.objectContaining({ code: 'E_LEVEL' }));
  expect(() => aggregateRuns(c, { interval: 'normal' as never })).toThrow(expect.objectContaining({ code: 'E_INTERVAL' }));
});

test('runs on different datasets are kept apart and warned about', async () => {
  await writeRun(root, { model: 'mlp', trigger: 'rare_value', poison_rate: 0.05, seed: 0, asr: 0.9 });
  await writeRun(root, { model: 'mlp', trigger: 'rare_value', poison_rate: 0.05, seed: 1, asr: 0.8 });
  await writeRun(
    root,
    { model: 'mlp', trigger: 'rare_value', poison_rate: 0.05, seed: 0, asr: 0.1, dataset_hash: 'd2' },
    { dir: join(root, 'other', 'mlp', 'rare_value', '0.05', 'seed_0') },
  );
  const a = aggregateRuns(await collectRuns(root));
  expect(a.primaryDataset).toBe('d1');
  expect(a.rows.filter((r) => r.metric === 'asr').map((r) => [r.dataset_hash, r.n])).toEqual([
    ['d1', 2],
    ['d2', 1],
  ]);
  expect(a.warnings.map((w) => w.code)).toContain('W_MIXED_DATASETS');
});

test("a summary's selection is read (not a metric), and runs evaluated at different epochs are warned about", async () => {
  await writeRun(root, { model: 'mlp', trigger: 'rare_value', poison_rate: 0.05, seed: 0, asr: 0.9, selection: 'last' });
  await writeRun(root, { model: 'mlp', trigger: 'rare_value', poison_rate: 0.05, seed: 1, asr: 0.8, selection: 'last' });
  const same = await collectRuns(root);
  expect(same.runs.map((r) => r.summary.selection)).toEqual(['last', 'last']);
  expect(same.warnings.map((w) => w.code)).not.toContain('W_FIELD_INVALID');
  expect(aggregateRuns(same).warnings.map((w) => w.code)).not.toContain('W_MIXED_SELECTION');
  // A summary without the field predates it: those runs kept the best validation epoch.
  await writeRun(root, { model: 'mlp', trigger: 'rare_value', poison_rate: 0.05, seed: 2, asr: 0.4 });
  const mixed = aggregateRuns(await collectRuns(root));
  const warning = mixed.warnings.find((w) => w.code === 'W_MIXED_SELECTION');
  expect(warning?.message).toMatch(/1 with selection 'best', 2 with selection 'last'/);
});

test('how runs were measured is read (not a metric), recorded, and mixing it is warned about', async () => {
  const measured = { rate_basis: 'eligible', threshold_rule: 'fpr=0.05', label_definition: 'hospital_mortality', target_label: 1 };
  await writeRun(root, { model: 'mlp', trigger: 'rare_value', poison_rate: 0.05, seed: 0, asr: 0.9, ...measured });
  await writeRun(root, { model: 'mlp', trigger: 'rare_value', poison_rate: 0.05, seed: 1, asr: 0.8, ...measured });
  const same = await collectRuns(root);
  expect(same.warnings.map((w) => w.code)).not.toContain('W_FIELD_INVALID');
  const a = aggregateRuns(same);
  expect(a.measurement).toEqual({
    rateBasis: ['eligible'],
    thresholdRule: ['fpr=0.05'],
    labelDefinition: ['hospital_mortality'],
    targetLabel: ['1'],
  });
  expect(a.warnings.map((w) => w.code)).not.toContain('W_MIXED_MEASUREMENT');
  // A summary without the fields predates them: its ASR was taken at 0.5.
  await writeRun(root, { model: 'mlp', trigger: 'rare_value', poison_rate: 0.05, seed: 2, asr: 0.95, target_label: 1 });
  const mixed = aggregateRuns(await collectRuns(root));
  expect(mixed.measurement.thresholdRule).toEqual(['fixed=0.5', 'fpr=0.05']);
  expect(mixed.warnings.find((w) => w.code === 'W_MIXED_MEASUREMENT')?.message).toMatch(
    /operating-threshold rules .*1 with fixed=0\.5, 2 with fpr=0\.05/,
  );
});

test('defence fields at 0.5 and at the operating threshold split on their longest suffix', () => {
  expect(metricOfField('defence_input_screening_asr_at_0_5')).toEqual({ metric: 'defence_asr_at_0_5', detector: 'input_screening' });
  expect(metricOfField('defence_input_screening_asr')).toEqual({ metric: 'defence_asr', detector: 'input_screening' });
  expect(metricOfField('defence_abl_isolation_accuracy_at_0_5')).toEqual({ metric: 'defence_accuracy_at_0_5', detector: 'abl_isolation' });
  expect(metricOfField('defence_strip_der_at_0_5')).toEqual({ metric: 'defence_der_at_0_5', detector: 'strip' });
  expect(metricOfField('defence_strip_clean_auroc')).toEqual({ metric: 'defence_clean_auroc', detector: 'strip' });
});
