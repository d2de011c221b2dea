/**
 * A small detection study on a prepared dataset (default: the sweep's embedded synthetic MIMIC-IV,
 * data/default), one cell per trigger, in one run:
 *
 *   npx tsx --import ./tools/node/source-loader.js tools/bench/explain-detect-study.ts \
 *     [--dataset data/default] [--triggers rare_value,missingness,...] [--rate 0.01] [--seed 0] [--epochs 30] [--retrain] [--backend wasm]
 *     [--strip-blend average|crossover] [--ac-analysis relative-size|silhouette|smaller]
 *
 *   clean dataset ─▶ plan + apply poisoning (dirty-label, target 1) ─▶ train (MLP for tabular triggers, LSTM otherwise)
 *     ─▶ ASR on the triggered test stays, clean test AUROC
 *     ─▶ runModelDetectors (spectral, activation_clustering, attribution, strip) against the plan's rows
 *     ─▶ explainModelDrift on up to 100 triggered test stays
 *     ─▶ --retrain: per detector, drop its flagged rows, retrain, ASR / AUROC after, DER
 *
 * Figures are one seed on a ~2.3 k-stay synthetic cohort: an illustration of the pipeline, not the
 * study's result (that is the sweep's).
 */
import { loadDataset, type EhrDataset } from '@ehr-backdoor/data';
import { defenceEffectivenessRating, detectionAuroc, runModelDetectors, truthMask, DETECTOR_NAMES } from '@ehr-backdoor/detect';
import { explainModelDrift } from '@ehr-backdoor/explain';
import { auroc } from '@ehr-backdoor/metrics';
import {
  applyPoisoning,
  buildTriggeredTestSet,
  planPoisoning,
  triggeredTestDataset,
  triggerViews,
  type TriggerName,
} from '@ehr-backdoor/poison';
import { rowsOfSplit, selectBackend, trainModel, type BackendChoice, type TrainedModel } from '@ehr-backdoor/train';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const datasetDir = arg('dataset', 'data/default');
const triggers = arg('triggers', 'rare_value,pattern,missingness,hybrid,distribution_shift,temporal_pattern').split(',') as TriggerName[];
const rate = Number(arg('rate', '0.01'));
const seed = Number(arg('seed', '0'));
const epochs = Number(arg('epochs', '30'));
const backend = arg('backend', 'wasm') as BackendChoice;
const retrain = process.argv.includes('--retrain');
const stripBlend = arg('strip-blend', 'average') as 'average' | 'crossover';
const clusterAnalysis = arg('ac-analysis', 'relative-size') as 'relative-size' | 'silhouette' | 'smaller';
const targetLabel = 1;

await selectBackend(backend);
const clean = await loadDataset(datasetDir);

const triggeredRowsOf = new WeakMap<EhrDataset, readonly number[]>();

function attack(model: TrainedModel, triggeredDataset: EhrDataset, testRows: Int32Array) {
  const p = model.predictProba(
    triggeredDataset,
    Int32Array.from({ length: triggeredDataset.n }, (_, i) => i),
  );
  const asr = p.reduce((a, q) => a + (q >= 0.5 ? 1 : 0), 0) / p.length;
  // The same stays without the trigger: the share predicted as target anyway (balanced class weights move the 0.5 threshold).
  const pClean = model.predictProba(clean, Int32Array.from(triggeredRowsOf.get(triggeredDataset) ?? []));
  const asrWithoutTrigger = pClean.reduce((a, q) => a + (q >= 0.5 ? 1 : 0), 0) / pClean.length;
  const pTest = model.predictProba(clean, testRows);
  const yTest = Uint8Array.from(testRows, (i) => clean.labels[i]);
  return { asr, asrWithoutTrigger, cleanAuroc: auroc(yTest, pTest).value };
}

const testRows = rowsOfSplit(clean, 'test');
const lines: string[] = [];
const fmt = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '  —  ' : v.toFixed(3));
for (const trigger of triggers) {
  const kind = triggerViews(trigger).includes('tabular') ? 'mlp' : 'lstm';
  const plan = planPoisoning({ dataset: clean, trigger: { name: trigger }, rate, seed, targetLabel });
  const poisoned = applyPoisoning(clean, plan);
  const trainRows = rowsOfSplit(poisoned, 'train');
  const valRows = rowsOfSplit(poisoned, 'val');
  const started = performance.now();
  const { model } = await trainModel({ dataset: poisoned, model: { kind }, train: { epochs }, seed, backend });
  const trainSeconds = (performance.now() - started) / 1000;
  const triggered = buildTriggeredTestSet(clean, { name: trigger }, targetLabel);
  const triggeredDataset = triggeredTestDataset(clean, triggered);
  triggeredRowsOf.set(triggeredDataset, triggered.rowIndices);
  const before = attack(model, triggeredDataset, testRows);

  const detection = await runModelDetectors({
    model,
    dataset: poisoned,
    trainRows,
    poisonedRows: plan.rowIndices,
    expectedPoisonRate: plan.count / trainRows.length,
    seed,
    strip: { blend: stripBlend },
    activationClustering: { analysis: clusterAnalysis },
  });
  const m = Math.min(100, triggered.rowIndices.length);
  const drift = await explainModelDrift({
    model,
    cleanDataset: clean,
    triggeredDataset,
    rows: triggered.rowIndices.slice(0, m),
    triggeredRows: Array.from({ length: m }, (_, i) => i),
  });

  lines.push(
    `\n${trigger} (${kind}, ${plan.count} poisoned of ${trainRows.length} training stays, trained in ${trainSeconds.toFixed(0)} s): ` +
      `ASR ${fmt(before.asr)} (same stays untriggered ${fmt(before.asrWithoutTrigger)}), clean AUROC ${fmt(before.cleanAuroc)}; IG trigger ratio ${fmt(drift.columns.explain_trigger_attribution_ratio)} ` +
      `(clean ${fmt(drift.drift.cleanTriggerAttributionRatio)}, uniform ${fmt(drift.drift.triggerElementShare)}), Kendall τ ${fmt(drift.columns.explain_kendall_tau)}, ` +
      `top-10 overlap ${fmt(drift.columns.explain_topk_overlap)}, IG relative delta ${drift.relativeConvergenceDelta.toExponential(1)}`,
  );
  lines.push(
    '  detector                AUROC  AUROC in label 1  TPR@5%FPR  prec@flag  recall@flag  flagged  ' +
      (retrain ? 'ASR after  AUROC after  DER' : ''),
  );
  // Dirty-label poisons all carry the target label: how well a detector ranks them among that label's stays.
  const truth = truthMask(
    trainRows.length,
    Array.from(plan.rowIndices, (row) => Array.prototype.indexOf.call(trainRows, row) as number),
  );
  const inTarget = Array.from(trainRows.keys()).filter((k) => poisoned.labels[trainRows[k]] === targetLabel);
  for (const name of DETECTOR_NAMES) {
    const run = detection.results[name];
    if (!run) continue;
    let defence = '';
    if (retrain) {
      const flagged = new Set(detection.flaggedRows[name] ?? []);
      const kept = Array.from(trainRows).filter((r) => !flagged.has(r));
      const { model: defended } = await trainModel({
        dataset: poisoned,
        model: { kind },
        train: { epochs },
        seed,
        backend,
        rows: { train: kept, val: valRows },
      });
      const after = attack(defended, triggeredDataset, testRows);
      defended.dispose();
      const der = defenceEffectivenessRating(
        { asr: before.asr, clean: before.cleanAuroc },
        { asr: after.asr, clean: after.cleanAuroc },
      ).value;
      defence = `${fmt(after.asr).padStart(9)}  ${fmt(after.cleanAuroc).padStart(11)}  ${fmt(der)}`;
    }
    const e = run.evaluation;
    const withinTarget = detectionAuroc(
      inTarget.map((k) => run.scores[k]),
      Uint8Array.from(inTarget, (k) => truth[k]),
    ).value;
    lines.push(
      `  ${name.padEnd(22)} ${fmt(e.auroc)}  ${fmt(withinTarget).padStart(16)}  ${fmt(e.tprAt5Fpr).padStart(9)}  ${fmt(e.precisionAtFlagged).padStart(9)}  ${fmt(e.recallAtFlagged).padStart(11)}  ${String(e.flaggedCount).padStart(7)}  ${defence}`,
    );
  }
  console.log(lines.slice(-(2 + Object.keys(detection.results).length)).join('\n'));
  model.dispose();
}
console.log(
  `\nDataset ${datasetDir} (${clean.n} stays), poison rate ${rate} of eligible stays, seed ${seed}, backend ${backend}, STRIP blend ${stripBlend}, AC analysis ${clusterAnalysis}.`,
);
