/**
 * Why is `temporal_pattern` (Joe et al. 2021) not learned? A small sensitivity grid over the trigger's
 * amplitude and length, the epochs, the cohort size and the model, trained the way `ehr-backdoor run`
 * trains (fixed epochs, last epoch evaluated, dirty-label, target 1 unless told otherwise).
 *
 *   dataset ─▶ per (model, epochs, cohort share): one clean model ─▶ clean AUROC, clean "ASR" per variant
 *           ─▶ per trigger variant × rate: plan ─▶ poison ─▶ train ─▶ ASR, clean-AUROC drop
 *           ─▶ per variant: the perturbation actually written (mean peak |δ| per variable, raw units)
 *
 * Results go to OUT as JSON lines, one per cell as soon as it finishes (a killed run keeps what it
 * measured), and a Markdown table goes to stdout at the end.
 *
 * Usage: node --import ./tools/node/source-loader.js tools/scripts/temporal-sensitivity.ts \
 *          --data data/default --out tmp/temporal.jsonl --models lstm,tcn --distance 2,4,8 --hours 6,12 \
 *          [--epochs 15] [--rates 0.05] [--seed 0] [--cohort 1] [--target 1] [--fixed '{"amplitude":"population"}']
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Random } from '@ehr-backdoor/core';
import { loadDataset, type EhrDataset } from '@ehr-backdoor/data';
import { auroc, attackSuccessRate } from '@ehr-backdoor/metrics';
import {
  applyPoisoning,
  buildTriggeredTestSet,
  planPoisoning,
  resolveTrigger,
  triggeredTestDataset,
  type TriggerSpec,
} from '@ehr-backdoor/poison';
import { rowsOfSplit, selectBackend, trainModel, type TrainedModel } from '@ehr-backdoor/train';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: 'data/default' },
    out: { type: 'string', default: 'tmp/temporal-sensitivity.jsonl' },
    models: { type: 'string', default: 'lstm' },
    distance: { type: 'string', default: '2' },
    hours: { type: 'string', default: '6' },
    epochs: { type: 'string', default: '15' },
    rates: { type: 'string', default: '0.05' },
    seed: { type: 'string', default: '0' },
    cohort: { type: 'string', default: '1' },
    target: { type: 'string', default: '1' },
    fixed: { type: 'string', default: '{}' },
  },
});
const list = (s: string) => s.split(',').map(Number);
const targetLabel = Number(args.target) as 0 | 1;
const seed = Number(args.seed);
const fixed = JSON.parse(args.fixed!) as Record<string, unknown>;
const out = resolve(args.out!);
const done = new Set(
  existsSync(out)
    ? readFileSync(out, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { key: string }).key)
    : [],
);

const dataset = await loadDataset(resolve(args.data!));
await selectBackend('auto');
const variants: TriggerSpec[] = [];
for (const distance of list(args.distance!))
  for (const hours of list(args.hours!)) variants.push(resolveTrigger('temporal_pattern', { ...fixed, distance, hours }));

/** Mean over triggered test stays of the largest |δ| each variable received, in raw units. */
function peakPerturbation(spec: TriggerSpec): Record<string, number> {
  const triggered = buildTriggeredTestSet(dataset, spec, targetLabel);
  const { hours: T, channels } = dataset.timeSeries;
  const C = channels.length;
  const names = (spec.params as { variables: string[] }).variables;
  const result: Record<string, number> = {};
  for (const name of names) {
    const c = channels.indexOf(name);
    let sum = 0;
    triggered.rowIndices.forEach((row, m) => {
      let peak = 0;
      for (let t = 0; t < T; t++)
        peak = Math.max(
          peak,
          Math.abs(triggered.timeSeries.values[(m * T + t) * C + c] - dataset.timeSeries.values[(row * T + t) * C + c]),
        );
      sum += peak;
    });
    result[name] = Number((sum / Math.max(1, triggered.rowIndices.length)).toFixed(2));
  }
  return result;
}

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

function trainRows(share: number): { train: Int32Array; val: Int32Array } {
  const train = rowsOfSplit(dataset, 'train');
  const val = rowsOfSplit(dataset, 'val');
  if (share >= 1) return { train, val };
  const keep = Random.fromSeed(seed, 'cohort-share')
    .sampleIndices(train.length, Math.round(share * train.length))
    .sort((a, b) => a - b);
  return { train: Int32Array.from(keep, (i) => train[i]), val };
}

async function fit(data: EhrDataset, model: string, epochs: number, share: number): Promise<TrainedModel> {
  const result = await trainModel({
    dataset: data,
    model: { kind: model as 'lstm' },
    train: { epochs, selection: 'last', patience: 0 },
    seed,
    rows: trainRows(share),
  });
  return result.model;
}

const peaks = new Map(variants.map((v) => [JSON.stringify(v.params), peakPerturbation(v)]));
const rows: Record<string, unknown>[] = [];
for (const model of args.models!.split(',')) {
  for (const epochs of list(args.epochs!)) {
    for (const share of list(args.cohort!)) {
      const cleanKey = JSON.stringify({
        model,
        epochs,
        share,
        seed,
        targetLabel,
        fixed,
        clean: true,
        variants: variants.map((v) => v.params),
      });
      const started = Date.now();
      const clean = await fit(dataset, model, epochs, share);
      const reference = cleanAuroc(clean);
      const cleanAsr = new Map(variants.map((v) => [JSON.stringify(v.params), asrOf(clean, v)]));
      clean.dispose();
      process.stderr.write(
        `clean ${model} ${epochs} ep, cohort ${share}: AUROC ${reference.toFixed(4)} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
      );
      for (const spec of variants) {
        for (const rate of list(args.rates!)) {
          const key = JSON.stringify({ model, epochs, share, rate, seed, targetLabel, params: spec.params });
          if (done.has(key)) continue;
          const t0 = Date.now();
          const plan = planPoisoning({ dataset, trigger: spec, rate, targetLabel, seed });
          const poisoned = await fit(applyPoisoning(dataset, plan), model, epochs, share);
          const p = spec.params as { distance: number; hours: number };
          const row = {
            key,
            model,
            epochs,
            cohortShare: share,
            rate,
            nPoisoned: plan.count,
            distance: p.distance,
            hours: p.hours,
            params: spec.params,
            asr: asrOf(poisoned, spec),
            cleanModelAsr: cleanAsr.get(JSON.stringify(spec.params)),
            cleanAuroc: cleanAuroc(poisoned),
            referenceAuroc: reference,
            peakDelta: peaks.get(JSON.stringify(spec.params)),
            seconds: (Date.now() - t0) / 1000,
            cleanKey,
          };
          poisoned.dispose();
          appendFileSync(out, `${JSON.stringify(row)}\n`);
          rows.push(row);
          process.stderr.write(
            `${model} ${epochs} ep cohort ${share} d=${p.distance} h=${p.hours} rate ${rate}: ASR ${row.asr.toFixed(3)} (clean ${row.cleanModelAsr?.toFixed(3)})\n`,
          );
        }
      }
    }
  }
}
const f = (x: unknown) => (typeof x === 'number' ? x.toFixed(3) : String(x));
process.stdout.write(
  '| model | epochs | cohort | distance | hours | rate | n poisoned | ASR | clean-model ASR | AUROC drop | mean peak δ |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n',
);
for (const r of rows) {
  process.stdout.write(
    `| ${r['model']} | ${r['epochs']} | ${r['cohortShare']} | ${r['distance']} | ${r['hours']} | ${r['rate']} | ${r['nPoisoned']} | ${f(r['asr'])} | ${f(r['cleanModelAsr'])} | ${f((r['referenceAuroc'] as number) - (r['cleanAuroc'] as number))} | ${JSON.stringify(r['peakDelta'])} |\n`,
  );
}
