/**
 * Attacks side by side at the same number of poisoned stays: dirty-label, clean-label, and clean-label
 * with the Turner et al. (2019) perturbation, for the triggers and models asked for. Trained as
 * `ehr-backdoor run` trains (fixed epochs, last epoch evaluated).
 *
 *   dataset ─▶ per model: clean model ─▶ reference AUROC, clean-model ASR per trigger
 *           ─▶ per trigger × attack: plan with rate = count / eligible ─▶ poison ─▶ train ─▶ ASR, AUROC drop
 *
 * Results go to OUT as JSON lines (one per cell, as it finishes); a Markdown table to stdout.
 *
 * Usage: node --import ./tools/node/source-loader.js tools/scripts/attack-compare.ts \
 *          --data data/default --models mlp,lstm --triggers rare_value,'pattern={"inRange":true}' --count 37 \
 *          [--epochs 15] [--seed 0] [--target 1] [--epsilon 0.5,1] [--attacks dirty-label,clean-label,surrogate] [--out FILE]
 */
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SPLIT_CODE, loadDataset } from '@ehr-backdoor/data';
import { attackSuccessRate, auroc } from '@ehr-backdoor/metrics';
import {
  applyPoisoning,
  buildTriggeredTestSet,
  planPoisoning,
  resolveTrigger,
  triggeredTestDataset,
  triggerViews,
  type PerturbationInput,
  type PoisonMode,
  type TriggerSpec,
} from '@ehr-backdoor/poison';
import { rowsOfSplit, selectBackend, trainModel, viewOf, type TrainedModel } from '@ehr-backdoor/train';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: 'data/default' },
    out: { type: 'string', default: 'tmp/attack-compare.jsonl' },
    models: { type: 'string', default: 'mlp,lstm' },
    triggers: { type: 'string', default: 'rare_value' },
    count: { type: 'string', default: '37' },
    epochs: { type: 'string', default: '15' },
    seed: { type: 'string', default: '0' },
    target: { type: 'string', default: '1' },
    epsilon: { type: 'string', default: '0.5,1' },
    attacks: { type: 'string', default: 'dirty-label,clean-label,surrogate' },
  },
});
const targetLabel = Number(args.target) as 0 | 1;
const seed = Number(args.seed);
const count = Number(args.count);
const epochs = Number(args.epochs);
const dataset = await loadDataset(resolve(args.data!));
await selectBackend('auto');

// Trigger arguments: name or name={JSON}, separated by ';' (JSON has commas of its own).
const triggers: TriggerSpec[] = args.triggers!.split(';').map((text) => {
  const at = text.indexOf('=');
  return at < 0 ? resolveTrigger(text, {}) : resolveTrigger(text.slice(0, at), JSON.parse(text.slice(at + 1)));
});
const eligible = (mode: PoisonMode) => {
  let n = 0;
  for (let i = 0; i < dataset.n; i++)
    if (dataset.splits[i] === SPLIT_CODE.train && (mode === 'dirty-label') === (dataset.labels[i] !== targetLabel)) n++;
  return n;
};
const wantedAttacks = args.attacks!.split(',');
const attacks: { name: string; mode: PoisonMode; perturbation?: PerturbationInput }[] = [
  ...(wantedAttacks.includes('dirty-label') ? [{ name: 'dirty-label', mode: 'dirty-label' as const }] : []),
  ...(wantedAttacks.includes('clean-label') ? [{ name: 'clean-label', mode: 'clean-label' as const }] : []),
  ...(wantedAttacks.includes('surrogate')
    ? args.epsilon!.split(',').map((e) => ({
        name: `clean-label + surrogate ε ${e}`,
        mode: 'clean-label' as const,
        perturbation: { method: 'surrogate' as const, epsilon: Number(e) },
      }))
    : []),
];

function asrOf(model: TrainedModel, spec: TriggerSpec): number {
  const triggered = buildTriggeredTestSet(dataset, spec, targetLabel);
  const p = model.predictProba(triggeredTestDataset(dataset, triggered), Int32Array.from(triggered.rowIndices.keys()));
  return attackSuccessRate(triggered.labels, p, { targetLabel }).value;
}
function cleanAuroc(model: TrainedModel): number {
  const rows = rowsOfSplit(dataset, 'test');
  return auroc(
    Uint8Array.from(rows, (i) => dataset.labels[i]),
    model.predictProba(dataset, rows),
  ).value;
}
const fit = async (data: typeof dataset, model: string) =>
  (await trainModel({ dataset: data, model: { kind: model as 'mlp' }, train: { epochs, selection: 'last', patience: 0 }, seed })).model;

const rows: Record<string, unknown>[] = [];
for (const model of args.models!.split(',')) {
  const specs = triggers.filter((t) => triggerViews(t.name).includes(viewOf(model as 'mlp')));
  const clean = await fit(dataset, model);
  const reference = cleanAuroc(clean);
  const cleanAsr = specs.map((s) => asrOf(clean, s));
  clean.dispose();
  for (const [t, spec] of specs.entries()) {
    for (const attack of attacks) {
      const rate = count / eligible(attack.mode);
      const plan = planPoisoning({
        dataset,
        trigger: spec,
        rate,
        targetLabel,
        mode: attack.mode,
        seed,
        ...(attack.perturbation && { perturbation: attack.perturbation }),
      });
      const poisoned = await fit(applyPoisoning(dataset, plan), model);
      const row = {
        model,
        trigger: spec,
        attack: attack.name,
        targetLabel,
        epochs,
        nPoisoned: plan.count,
        rate,
        asr: asrOf(poisoned, spec),
        cleanModelAsr: cleanAsr[t],
        aurocDrop: reference - cleanAuroc(poisoned),
        directions: plan.perturbation?.directions,
      };
      poisoned.dispose();
      appendFileSync(resolve(args.out!), `${JSON.stringify(row)}\n`);
      rows.push(row);
      process.stderr.write(
        `${model} ${spec.name} ${attack.name} n=${plan.count}: ASR ${row.asr.toFixed(3)} (clean model ${row.cleanModelAsr.toFixed(3)}), AUROC drop ${row.aurocDrop.toFixed(4)}\n`,
      );
    }
  }
}
const f = (x: number) => x.toFixed(3);
process.stdout.write(
  '| model | trigger | attack | n poisoned | rate of eligible | ASR | clean-model ASR | AUROC drop |\n|---|---|---|---:|---:|---:|---:|---:|\n',
);
for (const r of rows) {
  process.stdout.write(
    `| ${r['model']} | ${(r['trigger'] as TriggerSpec).name} | ${r['attack']} | ${r['nPoisoned']} | ${f(r['rate'] as number)} | ${f(r['asr'] as number)} | ${f(r['cleanModelAsr'] as number)} | ${f(r['aurocDrop'] as number)} |\n`,
  );
}
