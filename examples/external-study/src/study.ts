/**
 * A small backdoor study on our own cohort, using only the public API of the @ehr-backdoor packages.
 *
 *   own cohort (plain arrays) ─▶ createDataset ─▶ writeDataset / loadDataset (Arrow files, verified)
 *     ─▶ rare_value trigger + dirty-label plan (poison) ─▶ MLP, clean and poisoned (train, WASM/CPU)
 *     ─▶ clean AUROC, ASR, clean-AUROC drop (metrics) ─▶ spectral signatures on the poisoned model (detect)
 *     ─▶ results table; exit 1 if any figure is undefined or implausible
 *
 * Usage: node dist/study.js [--backend wasm|cpu] [--out DIR]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDataset, loadDataset, writeDataset, type EhrDataset } from '@ehr-backdoor/data';
import { applyPoisoning, buildTriggeredTestSet, planPoisoning, resolveTrigger, triggeredTestDataset } from '@ehr-backdoor/poison';
import { rowsOfSplit, selectBackend, trainModel, type BackendChoice, type TrainedModel } from '@ehr-backdoor/train';
import { computeBackdoorMetrics, computeClassificationMetrics } from '@ehr-backdoor/metrics';
import { detectionAuroc, spectralSignatures, tprAtFpr, truthMask } from '@ehr-backdoor/detect';
import { buildCohort } from './cohort.js';

const SEED = 2026;
const POISON_RATE = 0.1;
const TARGET_LABEL = 1;

const { values: args } = parseArgs({ options: { backend: { type: 'string', default: 'wasm' }, out: { type: 'string' } } });
const backend = args.backend as BackendChoice;
const workDir = args.out ?? mkdtempSync(join(tmpdir(), 'ehr-backdoor-external-study-'));
const started = performance.now();

// 1. Our cohort, as the project's dataset, written to Arrow and read back (the hashes must survive the trip).
const arrays = buildCohort({ patients: 520, hours: 12, seed: SEED });
const built = createDataset(arrays);
const { outDir } = await writeDataset(built, join(workDir, 'dataset'));
const dataset = await loadDataset(outDir);
if (dataset.manifest.contentHash !== built.manifest.contentHash) fail(`the dataset read back from ${outDir} has a different content hash`);
const { splits, cohort } = dataset.manifest;
console.log(
  `cohort: ${cohort.stays} stays (${cohort.positives} deaths); train/val/test ${splits.train.stays}/${splits.val.stays}/${splits.test.stays}; ` +
    `${dataset.tabular.features.length} tabular features; ${dataset.timeSeries.channels.length} channels × ${dataset.timeSeries.hours} h`,
);

// 2. A temperature of 42 °C in the last 2 hours, on 10 % of the surviving training stays, relabelled as deaths.
const trigger = resolveTrigger('rare_value', { variable: 'temperature', value: 42, hours: 2 });
const plan = planPoisoning({ dataset, trigger, rate: POISON_RATE, mode: 'dirty-label', targetLabel: TARGET_LABEL, seed: SEED });
const poisoned = applyPoisoning(dataset, plan);
console.log(`poison: ${plan.count} of ${plan.eligible} eligible training stays (plan ${plan.planHash.slice(0, 12)})`);

// 3. The same MLP, trained on the clean and on the poisoned dataset.
const info = await selectBackend(backend);
const train = async (data: EhrDataset): Promise<TrainedModel> =>
  (
    await trainModel({
      dataset: data,
      seed: SEED,
      model: { kind: 'mlp', hidden: [32, 16] },
      train: { epochs: 8, batchSize: 64, patience: 8 },
    })
  ).model;
const cleanModel = await train(dataset);
const poisonedModel = await train(poisoned);

// 4. Clean test performance of both, and the attack on the triggered test stays (true label ≠ target).
const testRows = rowsOfSplit(dataset, 'test');
const testLabels = Array.from(testRows, (i) => dataset.labels[i]);
const clean = computeClassificationMetrics(testLabels, cleanModel.predictProba(dataset, testRows), { bootstrap: false }).metrics;
const attacked = computeClassificationMetrics(testLabels, poisonedModel.predictProba(dataset, testRows), { bootstrap: false }).metrics;
const triggered = buildTriggeredTestSet(dataset, trigger, TARGET_LABEL);
const triggeredData = triggeredTestDataset(dataset, triggered);
const allTriggered = Array.from({ length: triggeredData.n }, (_, k) => k);
const backdoor = computeBackdoorMetrics(
  {
    yTrue: triggered.labels,
    pTriggered: poisonedModel.predictProba(triggeredData, allTriggered),
    pClean: poisonedModel.predictProba(dataset, triggered.rowIndices),
    referenceCleanAuroc: clean.auroc,
    cleanAuroc: attacked.auroc,
  },
  { targetLabel: TARGET_LABEL, bootstrap: { resamples: 500, seed: SEED } },
).metrics;
const cleanModelAsr = computeBackdoorMetrics(
  {
    yTrue: triggered.labels,
    pTriggered: cleanModel.predictProba(triggeredData, allTriggered),
    pClean: cleanModel.predictProba(dataset, triggered.rowIndices),
  },
  { targetLabel: TARGET_LABEL, bootstrap: false },
).metrics.asr;

// 5. Spectral signatures (Tran et al. 2018) on the poisoned model's penultimate layer, scored against the plan.
const trainRows = rowsOfSplit(poisoned, 'train');
const { values, dim } = poisonedModel.penultimate(poisoned, trainRows);
const spectral = spectralSignatures({
  representations: { values, rows: trainRows.length, cols: dim },
  labels: Array.from(trainRows, (i) => poisoned.labels[i]),
  expectedPoisonCount: plan.count,
  seed: SEED,
});
const positionOf = new Map(Array.from(trainRows, (row, k) => [row, k] as const));
const truth = truthMask(
  trainRows.length,
  plan.rowIndices.map((row) => positionOf.get(row)!),
);
const detection = { auroc: detectionAuroc(spectral.scores, truth).value, tpr: tprAtFpr(spectral.scores, truth, 0.05).value };
cleanModel.dispose();
poisonedModel.dispose();

// 6. The results, and whether they are usable.
const rows: [string, number, string][] = [
  ['clean model: test AUROC', clean.auroc, ''],
  ['poisoned model: test AUROC', attacked.auroc, ''],
  ['clean-AUROC drop', backdoor.clean_auroc_drop, ''],
  ['clean model: ASR (trigger alone)', cleanModelAsr, ''],
  ['poisoned model: ASR', backdoor.asr, `95% CI ${fmt(backdoor.asr_ci_low)}–${fmt(backdoor.asr_ci_high)}, n = ${backdoor.asr_n_eligible}`],
  ['spectral signatures: detection AUROC', detection.auroc, `${spectral.flagged.length} flagged of ${trainRows.length}`],
  ['spectral signatures: TPR at 5% FPR', detection.tpr, ''],
];
console.log(`\nbackend ${info.name}; ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
const width = Math.max(...rows.map(([name]) => name.length));
for (const [name, value, note] of rows) console.log(`${name.padEnd(width)}  ${fmt(value).padStart(6)}  ${note}`);

const problems = [
  ...rows.filter(([, value]) => !Number.isFinite(value)).map(([name]) => `${name} is not a number`),
  ...(clean.auroc < 0.7 ? [`clean AUROC ${fmt(clean.auroc)} < 0.7: the cohort's outcome signal was not learnt`] : []),
  ...(backdoor.asr <= cleanModelAsr
    ? [`the poisoned model's ASR (${fmt(backdoor.asr)}) is not above the clean model's (${fmt(cleanModelAsr)})`]
    : []),
];
if (!args.out) rmSync(workDir, { recursive: true, force: true });
if (problems.length > 0) fail(problems.join('; '));
console.log('\nexternal study: ok');

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : String(x);
}

function fail(message: string): never {
  console.error(`external study FAILED: ${message}`);
  process.exit(1);
}
