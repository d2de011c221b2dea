#!/usr/bin/env node
// Compares two runs folders cell by cell: every summary.json equal except wall time (and the fields
// named with --ignore), every predictions.arrow byte-identical, every run_metadata.json configHash equal. Used to prove that a change alters no
// result (e.g. that studies/default.yaml reproduces the default sweep of an older commit).
//
//   node tools/scripts/compare-runs.mjs runs/default /work/baseline/runs/default [--ignore model_kind,trigger_name] [--only-common]
//
// Exit 0 when every cell compared is equal (and, without --only-common, both folders hold the same cells).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args.splice(i, 2)[1];
};
const onlyCommon = args.includes('--only-common');
if (onlyCommon) args.splice(args.indexOf('--only-common'), 1);
const ignored = new Set(['wall_time_s', ...(flag('--ignore') ?? '').split(',').filter(Boolean)]);
const [a, b] = args;
if (!a || !b) {
  console.error('usage: compare-runs.mjs RUNS_A RUNS_B [--ignore f1,f2] [--only-common]');
  process.exit(2);
}

function cells(root) {
  const out = new Set();
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry === 'summary.json') out.add(relative(root, dir));
    }
  };
  walk(root);
  return out;
}

const strip = (summary) => {
  const out = {};
  for (const [k, v] of Object.entries(summary))
    if (!ignored.has(k)) out[k] = k === 'reasons' ? Object.fromEntries(Object.entries(v).filter(([r]) => !ignored.has(r))) : v;
  return out;
};

const inA = cells(a);
const inB = cells(b);
const common = [...inA].filter((c) => inB.has(c)).sort();
const problems = [];
if (!onlyCommon) {
  for (const c of inA) if (!inB.has(c)) problems.push(`${c}: only in ${a}`);
  for (const c of inB) if (!inA.has(c)) problems.push(`${c}: only in ${b}`);
}
let arrows = 0;
for (const cell of common) {
  const sa = JSON.parse(readFileSync(join(a, cell, 'summary.json'), 'utf8'));
  const sb = JSON.parse(readFileSync(join(b, cell, 'summary.json'), 'utf8'));
  const x = strip(sa);
  const y = strip(sb);
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  const differing = [...keys].filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
  if (differing.length)
    problems.push(
      `${cell}: summary fields differ: ${differing.map((k) => `${k} (${JSON.stringify(x[k])} vs ${JSON.stringify(y[k])})`).join(', ')}`,
    );
  const ha = JSON.parse(readFileSync(join(a, cell, 'run_metadata.json'), 'utf8')).configHash;
  const hb = JSON.parse(readFileSync(join(b, cell, 'run_metadata.json'), 'utf8')).configHash;
  if (ha !== hb) problems.push(`${cell}: run_metadata.json configHash differs (${ha} vs ${hb})`);
  const pa = join(a, cell, 'predictions.arrow');
  const pb = join(b, cell, 'predictions.arrow');
  if (!existsSync(pa) || !existsSync(pb)) problems.push(`${cell}: predictions.arrow missing`);
  else if (!readFileSync(pa).equals(readFileSync(pb))) problems.push(`${cell}: predictions.arrow differs`);
  else arrows++;
}
console.log(
  `${common.length} cells in both (${inA.size} in ${a}, ${inB.size} in ${b}); summaries compared ignoring ${[...ignored].join(', ')}; ${arrows} predictions.arrow byte-identical; configHash compared`,
);
if (problems.length) {
  console.log(`${problems.length} differences:\n${problems.slice(0, 40).join('\n')}`);
  process.exit(1);
}
console.log('no differences');
