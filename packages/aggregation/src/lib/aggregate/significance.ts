import { holmAdjust } from '../stats/holm.js';
import { pairedTests } from '../stats/paired.js';
import { welchTest } from '../stats/welch.js';
import type { ResolvedAggregateOptions } from './aggregate-options.js';
import { isTriggerDependent } from './metrics.js';
import type { MutableRow, Sample } from './rows.js';
import type { TestRecord } from './types.js';

/**
 * Poisoned vs clean, for each poisoned row of a tested metric: the paired t test (and the exact sign-flip
 * p) over seeds, Holm-corrected over the family, Welch's test beside it. Fills the rows' p-values and notes.
 */
export function runTests(rows: MutableRow[], samples: Map<MutableRow, Sample>, opts: ResolvedAggregateOptions): TestRecord[] {
  const tested = rows.filter((r) => r.poison_rate > 0 && r.detector === '' && opts.testMetrics.includes(r.metric) && samples.has(r));
  const results = tested.map((r) => {
    const sample = samples.get(r)!;
    const paired = pairedTests(
      sample.pairs.map((p) => p[0]),
      sample.pairs.map((p) => p[1]),
      opts.seed,
    );
    return { paired, welch: welchTest(sample.values, sample.clean ?? []) };
  });
  const adjusted = holmAdjust(results.map(({ paired }) => (paired.computable ? paired.p : NaN)));
  const adjustedPermutation = holmAdjust(results.map(({ paired }) => paired.pPermutation));
  const records: TestRecord[] = tested.map((r, i) => {
    const { paired, welch: t } = results[i];
    const significant = paired.computable && adjusted[i] < opts.alpha;
    const note = paired.computable
      ? ''
      : t.nB === 0
        ? `not computable: the matching clean runs have no ${r.metric}${isTriggerDependent(r.metric) ? ` for trigger ${r.trigger} (a clean run can supply it as ${r.metric}@${r.trigger})` : ''} (n = ${t.nA} vs 0)`
        : (paired.reason ?? 'not computable');
    r.p_value = paired.p;
    r.p_holm = adjusted[i];
    r.significant = significant;
    if (note) r.note = r.note ? `${r.note} | test ${note}` : `test ${note}`;
    return {
      dataset_hash: r.dataset_hash,
      model: r.model,
      trigger: r.trigger,
      mode: r.mode,
      poison_rate: r.poison_rate,
      metric: r.metric,
      n_poisoned: t.nA,
      n_clean: t.nB,
      mean_poisoned: t.meanA,
      mean_clean: t.meanB,
      difference: t.difference,
      test: 'paired-t',
      n_pairs: paired.nPairs,
      mean_difference: paired.meanDifference,
      t: paired.t,
      df: paired.df,
      p: paired.p,
      p_holm: adjusted[i],
      p_permutation: paired.pPermutation,
      p_permutation_holm: adjustedPermutation[i],
      p_permutation_min: paired.pPermutationMin,
      welch_t: t.t,
      welch_df: t.df,
      welch_p: t.p,
      computable: paired.computable,
      significant,
      note,
    };
  });
  return records;
}
