#!/usr/bin/env node
// Checks that a study file plans the same cells, with the same configurations, as a sweep plan written
// before study files existed (its cells ran with the plan's shared options and every trigger and model at
// its defaults): same cells in the same order, and per cell the same run identity (run-cell's
// configHash over model, view, trigger, rate, seed, target, mode, training and backend), the same
// analyses and the same baseline triggers. It reads configurations only; it trains nothing.
//
//   node tools/scripts/compare-study-plan.mjs studies/default.yaml /work/baseline/runs/default/sweep-plan.json
import '../node/source-loader.js';

const [studyFile, planFile] = process.argv.slice(2);
if (!studyFile || !planFile) {
  console.error('usage: compare-study-plan.mjs STUDY.yaml OLD/sweep-plan.json');
  process.exit(2);
}
const { loadStudyFile } = await import('../../apps/runner/src/lib/study/load.ts');
const { studyCells } = await import('../../apps/runner/src/lib/study/cells.ts');
const { readPlan } = await import('../../apps/runner/src/lib/plan.ts');
const { cellConfigFromOptions } = await import('../../apps/runner/src/lib/cell-config.ts');
const { cellId } = await import('../../apps/runner/src/lib/grid.ts');
const { canonicalJson } = await import('@ehr-backdoor/core');
const { triggerViews } = await import('@ehr-backdoor/poison/names');
const { viewOf } = await import('@ehr-backdoor/train/names');

const study = await loadStudyFile(studyFile);
const cells = studyCells(study);
const plan = await readPlan(planFile);
const problems = [];
if (cells.length !== plan.cells.length) problems.push(`cell count: study ${cells.length}, plan ${plan.cells.length}`);
// What a cell runs with, as run-cell uses it; a clean cell's baselines only where the trigger has a form on the model's view.
const comparable = (c) => ({
  model: c.model,
  training: c.training,
  attack: c.attack,
  backend: c.backend,
  explain: c.explain,
  detect: c.detect,
  baselines: c.baselines.filter((b) => triggerViews(b.trigger).includes(viewOf(c.model.kind))),
});
for (let i = 0; i < Math.max(cells.length, plan.cells.length); i++) {
  const a = cells[i];
  const b = plan.cells[i];
  if (!a || !b || cellId(a) !== cellId(b)) {
    problems.push(`cell ${i}: study ${a ? cellId(a) : '-'}, plan ${b ? cellId(b) : '-'}`);
    continue;
  }
  const old = await cellConfigFromOptions(b, plan.options);
  const x = canonicalJson(comparable(a.config));
  const y = canonicalJson(comparable(old));
  if (x !== y) problems.push(`cell ${cellId(a)}: configurations differ\n  study ${x}\n  plan  ${y}`);
}
if (problems.length) {
  console.log(`${problems.length} differences:\n${problems.slice(0, 20).join('\n')}`);
  process.exit(1);
}
console.log(`${cells.length} cells: same folders, same order, same configurations`);
