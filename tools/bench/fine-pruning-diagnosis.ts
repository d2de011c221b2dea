/**
 * Where a trained model carries its backdoor, against what fine-pruning cuts (issue 17). For each run
 * given (after `ehr-backdoor detect --run RUN --detectors fine_pruning`, whose fine-pruning.json it reads):
 * every unit of the pruned layer (MLP/TabTransformer penultimate units, TCN channels, LSTM hidden units)
 * gets its mean activation on clean validation stays and the change of the logit it carries when the
 * trigger is added to the clean test stays of the non-target label, Δ_u = mean over stays of
 * Σ_{p ∈ u} (a_p(triggered) − a_p(clean)) · w_p. Printed: the share of Σ_u Δ_u⁺ carried by the units the
 * walk cut, the dormancy percentile of the units carrying half of it, and ASR before / pruned / repaired.
 * With `--oracle`, fine-pruning is run again with every truly poisoned stay left out of fine-tuning (the
 * paper's defender, who fine-tunes on clean data of its own; ours cannot know them): whether fine-tuning
 * on the poisoned stays is what teaches the backdoor again.
 *
 *   npx tsx --import ./tools/node/source-loader.js tools/bench/fine-pruning-diagnosis.ts [--oracle] RUN...
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTriggeredTestSet, triggeredTestDataset } from '@ehr-backdoor/poison';
import { applyPoisoning } from '@ehr-backdoor/poison';
import { finePrune } from '@ehr-backdoor/detect';
import { prunedLayerOf, rowsOfSplit } from '@ehr-backdoor/train';
import { openRun, type RunContext } from '../../apps/runner/src/lib/analyse-run.js';
import { defenceFigures } from '../../apps/runner/src/lib/defence-figures.js';

const oracle = process.argv.includes('--oracle');
for (const runDir of process.argv.slice(2).filter((a) => a !== '--oracle')) {
  const run = await openRun(runDir, { data: 'data/default' });
  const report = JSON.parse(readFileSync(join(runDir, 'fine-pruning.json'), 'utf8'));
  const model = run.model;
  const layer = prunedLayerOf(model);
  const weights = model.network.store.params.find((p) => p.name === 'output/kernel')?.variable.dataSync() as Float32Array;
  const val = rowsOfSplit(run.dataset, 'val');
  const clean = model.penultimate(run.dataset, val);
  const triggered = buildTriggeredTestSet(run.dataset, run.trigger, run.targetLabel);
  const tData = triggeredTestDataset(run.dataset, triggered);
  const before = model.penultimate(run.dataset, triggered.rowIndices);
  const after = model.penultimate(
    tData,
    Array.from(triggered.rowIndices, (_, k) => k),
  );
  const n = triggered.rowIndices.length;
  const dim = clean.dim;
  const activation = new Float64Array(layer.size);
  const delta = new Float64Array(layer.size);
  layer.penultimate.forEach((units, u) => {
    const last = units[units.length - 1];
    for (let i = 0; i < val.length; i++) activation[u] += Math.abs(clean.values[i * dim + last]) / val.length;
    for (const p of units)
      for (let i = 0; i < n; i++) delta[u] += ((after.values[i * dim + p] - before.values[i * dim + p]) * weights[p]) / n;
  });
  const sign = run.targetLabel === 1 ? 1 : -1;
  const push = Array.from(delta, (d) => Math.max(0, sign * d));
  const total = push.reduce((a, b) => a + b, 0);
  const cut = new Set<number>(report.pruning.layerUnits ?? report.pruning.units);
  const cutShare = push.reduce((a, d, u) => a + (cut.has(u) ? d : 0), 0) / total;
  const rank = Array.from(activation.keys()).sort((a, b) => activation[a] - activation[b]);
  const percentile = new Map(rank.map((u, k) => [u, k / (layer.size - 1)]));
  const byPush = Array.from(push.keys()).sort((a, b) => push[b] - push[a]);
  const half: number[] = [];
  for (let acc = 0, k = 0; acc < total / 2; k++) {
    half.push(byPush[k]);
    acc += push[byPush[k]];
  }
  const pct = half.map((u) => (percentile.get(u) ?? NaN).toFixed(2)).join(' ');
  console.log(
    `${runDir}: ${layer.description}, cut ${cut.size}/${layer.size}; trigger's logit push ${total.toFixed(2)} (net ${(sign * delta.reduce((a, b) => a + b, 0)).toFixed(2)}), ` +
      `share in cut units ${cutShare.toFixed(2)}; units carrying half: ${half.length}, dormancy percentiles ${pct}; ` +
      `ASR before ${report.before.asr.toFixed(2)} pruned ${report.pruned.asr.toFixed(2)} repaired ${report.after.asr.toFixed(2)} (0.5: ${report.before.asrAt05.toFixed(2)} → ${report.after.asrAt05.toFixed(2)}), ` +
      `clean AUROC ${report.before.cleanAuroc.toFixed(3)} → ${report.after.cleanAuroc.toFixed(3)}, poisoned left out ${report.fineTuning.truePoisonedLeftOut}`,
  );
  if (oracle) console.log(`  oracle (every poisoned stay left out of fine-tuning): ${await oracleRepair(run)}`);
  model.dispose();
}

async function oracleRepair(run: RunContext): Promise<string> {
  const held = run.plan.count > 0 ? applyPoisoning(run.dataset, run.plan) : run.dataset;
  const poisoned = new Set(run.plan.rowIndices);
  const result = await finePrune({
    model: run.model,
    dataset: held,
    trainRows: Array.from(rowsOfSplit(held, 'train')).filter((r) => !poisoned.has(r)),
    valRows: rowsOfSplit(held, 'val'),
    assumedContamination: 0.01,
    seed: run.seed,
  });
  const pruned = defenceFigures(run, result.prunedModel);
  const after = defenceFigures(run, result.model);
  result.model.dispose();
  result.prunedModel.dispose();
  return `ASR pruned ${pruned.asr.toFixed(2)} repaired ${after.asr.toFixed(2)} (0.5: ${after.asrAt05.toFixed(2)}), clean AUROC ${after.cleanAuroc.toFixed(3)}`;
}
