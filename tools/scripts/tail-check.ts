/**
 * Do the synthetic generator's tails match the real demo's? Look-alike rates of rare-value triggers
 * are tail probabilities, so they mean something on synthetic data only where its tails follow the
 * demo's. Compares two prepared datasets (what triggers and look-alike tests see: observed hourly
 * values, each the mean of the hour's charted values):
 *
 *   per variable: P99, P99.9 and maximum (P1, P0.1 and minimum for variables whose danger is low)
 *   per stay: the share of stays with at least one hour beyond clinical extremes (tachyarrhythmia
 *   HR ≥ 150, …)
 *
 * A quantile the demo has too few values to estimate (fewer than 1 / (1 − q) observations, so not one
 * value lies beyond it) prints as "—" with the count; asking for one explicitly (--variables and
 * --quantiles) is an error, exit 2: the demo cannot calibrate that tail.
 *
 * Usage: node --import ./tools/node/source-loader.js tools/scripts/tail-check.ts \
 *          --synthetic data/default --demo data/demo [--variables heart_rate,sbp] [--quantiles 0.99,0.999]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { handleErrors, InputError } from '@ehr-backdoor/core';
import { loadDataset, type EhrDataset } from '@ehr-backdoor/data';

/** Variables whose dangerous tail is low (the table reports lower quantiles and the minimum). */
const LOW_TAIL = new Set([
  'spo2',
  'sbp',
  'dbp',
  'mbp',
  'ph',
  'bicarbonate',
  'hemoglobin',
  'hematocrit',
  'platelets',
  'gcs_eye',
  'gcs_verbal',
  'gcs_motor',
  'po2',
  'albumin',
]);

/** Per-stay clinical extremes: at least one observed hour beyond the threshold. */
const EXTREMES: readonly { label: string; variable: string; op: '≥' | '≤'; value: number }[] = [
  { label: 'tachyarrhythmia (HR ≥ 150)', variable: 'heart_rate', op: '≥', value: 150 },
  { label: 'HR ≥ 180', variable: 'heart_rate', op: '≥', value: 180 },
  { label: 'HR ≥ 200', variable: 'heart_rate', op: '≥', value: 200 },
  { label: 'bradycardia (HR ≤ 40)', variable: 'heart_rate', op: '≤', value: 40 },
  { label: 'SBP ≥ 200', variable: 'sbp', op: '≥', value: 200 },
  { label: 'SBP ≤ 70', variable: 'sbp', op: '≤', value: 70 },
  { label: 'RR ≥ 40', variable: 'resp_rate', op: '≥', value: 40 },
  { label: 'SpO2 ≤ 80', variable: 'spo2', op: '≤', value: 80 },
  { label: 'temperature ≥ 40 °C', variable: 'temperature', op: '≥', value: 40 },
  { label: 'lactate ≥ 10', variable: 'lactate', op: '≥', value: 10 },
  { label: 'potassium ≥ 7', variable: 'potassium', op: '≥', value: 7 },
];

interface Tail {
  readonly n: number;
  readonly quantiles: readonly (number | null)[];
  readonly extreme: number;
}

function observed(ds: EhrDataset, variable: string): Float64Array {
  const { channels, hours: T, values, mask } = ds.timeSeries;
  const C = channels.length;
  const c = channels.indexOf(variable);
  if (c < 0) return new Float64Array(0);
  const out: number[] = [];
  for (let i = 0; i < ds.n; i++) for (let t = 0; t < T; t++) if (mask[(i * T + t) * C + c]) out.push(values[(i * T + t) * C + c]);
  return Float64Array.from(out).sort();
}

/** Type-7 quantile; null when fewer than 1 / (1 − q) values (not one value lies beyond it). */
function quantile(sorted: Float64Array, q: number): number | null {
  const n = sorted.length;
  if (n === 0 || n * (1 - q) < 1) return null;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo] + (h - lo) * (sorted[Math.min(n - 1, lo + 1)] - sorted[lo]);
}

function tailOf(ds: EhrDataset, variable: string, qs: readonly number[]): Tail {
  const sorted = observed(ds, variable);
  const low = LOW_TAIL.has(variable);
  return {
    n: sorted.length,
    quantiles: qs.map((q) => quantile(sorted, low ? 1 - q : q)),
    extreme: sorted.length ? (low ? sorted[0] : sorted[sorted.length - 1]) : NaN,
  };
}

function stayShare(ds: EhrDataset, e: (typeof EXTREMES)[number]): { stays: number; share: number } {
  const { channels, hours: T, values, mask } = ds.timeSeries;
  const C = channels.length;
  const c = channels.indexOf(e.variable);
  if (c < 0) return { stays: 0, share: NaN };
  let hits = 0;
  for (let i = 0; i < ds.n; i++) {
    for (let t = 0; t < T; t++) {
      const k = (i * T + t) * C + c;
      if (mask[k] && (e.op === '≥' ? values[k] >= e.value : values[k] <= e.value)) {
        hits++;
        break;
      }
    }
  }
  return { stays: hits, share: hits / ds.n };
}

const { values: args } = parseArgs({
  options: {
    synthetic: { type: 'string', default: 'data/default' },
    demo: { type: 'string', default: 'data/demo' },
    variables: { type: 'string' },
    quantiles: { type: 'string' },
  },
});

process.exitCode = await handleErrors(false, async () => {
  const qs = (args.quantiles ?? '0.99,0.999').split(',').map(Number);
  for (const q of qs) {
    if (!(q > 0.5 && q < 1))
      throw new InputError('E_TAIL_QUANTILE', `--quantiles: ${q} is not a tail quantile in (0.5, 1); write e.g. --quantiles 0.99,0.999.`);
  }
  const synthetic = await loadDataset(resolve(args.synthetic!));
  const demo = await loadDataset(resolve(args.demo!));
  const variables = args.variables
    ? args.variables.split(',')
    : demo.timeSeries.channels.filter((c) => synthetic.timeSeries.channels.includes(c));
  for (const v of variables) {
    if (!demo.timeSeries.channels.includes(v) || !synthetic.timeSeries.channels.includes(v)) {
      throw new InputError(
        'E_TAIL_VARIABLE',
        `--variables: '${v}' is not a time-series channel of both datasets. Channels: ${demo.timeSeries.channels.join(', ')}.`,
      );
    }
  }
  const rows = variables.map((v) => ({ v, s: tailOf(synthetic, v, qs), d: tailOf(demo, v, qs) }));
  if (args.variables && args.quantiles) {
    // An explicit calibration request: every asked-for tail must be estimable on the demo.
    for (const { v, d } of rows) {
      qs.forEach((q, i) => {
        if (d.quantiles[i] === null) {
          throw new InputError(
            'E_TAIL_UNSUPPORTED',
            `The demo (${resolve(args.demo!)}) has ${d.n} observed hourly values of '${v}'; its ${q} tail needs at least ${Math.ceil(1 / (1 - q))} ` +
              `(one value beyond the quantile), so it cannot calibrate that tail. Ask for a lower quantile (at most ${Math.max(0, 1 - 1 / Math.max(1, d.n)).toFixed(4)}) or use real MIMIC-IV.`,
          );
        }
      });
    }
  }
  const f = (x: number | null) => (x === null ? '—' : Number.isFinite(x) ? String(+x.toFixed(1)) : 'n/a');
  const label = (q: number, low: boolean) => (low ? `P${+(100 * (1 - q)).toFixed(2)}` : `P${+(100 * q).toFixed(2)}`);
  process.stdout.write(
    `Synthetic: ${synthetic.n} stays (${resolve(args.synthetic!)}); demo: ${demo.n} stays (${resolve(args.demo!)}). Observed hourly values (hour means).\n\n`,
  );
  process.stdout.write(
    `| variable | tail | demo n | synthetic n | ${qs.map((q) => `demo / synthetic P${+(100 * q).toFixed(2)}`).join(' | ')} | demo / synthetic extreme |\n`,
  );
  process.stdout.write(`|---|---|---:|---:|${qs.map(() => '---|').join('')}---|\n`);
  for (const { v, s, d } of rows) {
    const low = LOW_TAIL.has(v);
    const cells = qs.map((q, i) => `${label(q, low)}: ${f(d.quantiles[i])} / ${f(s.quantiles[i])}`);
    process.stdout.write(
      `| ${v} | ${low ? 'low' : 'high'} | ${d.n} | ${s.n} | ${cells.join(' | ')} | ${f(d.extreme)} / ${f(s.extreme)} |\n`,
    );
  }
  process.stdout.write('\n| per-stay extreme (at least one hour) | demo stays | synthetic stays |\n|---|---:|---:|\n');
  for (const e of EXTREMES) {
    const d = stayShare(demo, e);
    const s = stayShare(synthetic, e);
    process.stdout.write(`| ${e.label} | ${d.stays} (${(100 * d.share).toFixed(1)} %) | ${s.stays} (${(100 * s.share).toFixed(1)} %) |\n`);
  }
  process.stdout.write('\n— : fewer observed values than the quantile needs (not one lies beyond it). All stays of each dataset.\n');
});
