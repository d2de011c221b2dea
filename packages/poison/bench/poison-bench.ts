/**
 * Poisoning at MIMIC-IV scale: plan, apply (both views) and the triggered test set for every
 * trigger, on a synthetic dataset shaped like the prepared cohort (all 36 variables, 48 hours).
 * Figures are wall-clock milliseconds on whatever machine runs it; they are for comparison side by
 * side, never a test threshold.
 *
 *   npx tsx packages/poison/bench/poison-bench.ts [stays=20000]
 */
import { CLINICAL_VARIABLES } from '@ehr-backdoor/data';
import { applyPoisoningWithReport, buildTriggeredTestSet, planPoisoning, TRIGGER_NAMES } from '../src/index.js';
import { makeDataset } from '../src/lib/testing/fixtures.js';

const n = Number(process.argv[2] ?? 20000);
const t0 = performance.now();
const dataset = makeDataset({ n, hours: 48, channels: CLINICAL_VARIABLES.map((v) => v.name), seed: 1 });
console.log(
  `dataset: ${n} stays × 48 h × ${dataset.timeSeries.channels.length} channels, ${dataset.tabular.features.length} tabular features (built in ${(performance.now() - t0).toFixed(0)} ms)`,
);
console.log('trigger              plan ms   apply ms   test-set ms   poisoned   ts stealth (outside plausible / outside train P1–P99)');
for (const name of TRIGGER_NAMES) {
  const a = performance.now();
  const plan = planPoisoning({ dataset, trigger: { name }, rate: 0.05, seed: 1 });
  const b = performance.now();
  const { stealth } = applyPoisoningWithReport(dataset, plan);
  const c = performance.now();
  buildTriggeredTestSet(dataset, { name });
  const d = performance.now();
  const ts = stealth.find((s) => s.view === 'timeseries');
  const share = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '  n/a' : `${(100 * x).toFixed(1)}%`);
  console.log(
    `${name.padEnd(20)} ${(b - a).toFixed(0).padStart(7)} ${(c - b).toFixed(0).padStart(10)} ${(d - c).toFixed(0).padStart(13)} ${String(plan.count).padStart(10)}   ${share(ts?.shareOutsidePlausible)} / ${share(ts?.shareOutsideTrainingP1P99)}`,
  );
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
