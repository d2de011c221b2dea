import { WARNING, type MetricWarning } from './result.js';
import type { ConfidenceInterval } from './bootstrap.js';

/**
 * Writes an interval as its `{metric}_ci_low` / `{metric}_ci_high` columns. A NaN column gets one warning
 * under its own name (so every NaN in a row has a reason); a defined interval that rests on fewer
 * resamples than drawn gets a note under `{metric}_ci`.
 */
export function intervalColumns(metric: string, interval: ConfidenceInterval | undefined, warnings: MetricWarning[]): [number, number] {
  const low = `${metric}_ci_low`;
  const high = `${metric}_ci_high`;
  if (interval === undefined) {
    for (const column of [low, high]) {
      warnings.push({ metric: column, code: WARNING.notRequested, message: `${column} was not computed: the bootstrap was switched off.` });
    }
    return [Number.NaN, Number.NaN];
  }
  if (Number.isNaN(interval.low) || Number.isNaN(interval.high)) {
    const message = interval.reason ?? `the ${metric} confidence interval is undefined.`;
    const code = interval.code ?? WARNING.undefinedInput;
    for (const column of [low, high]) warnings.push({ metric: column, code, message });
  } else if (interval.reason !== undefined && interval.code !== undefined) {
    warnings.push({ metric: `${metric}_ci`, code: interval.code, message: interval.reason });
  }
  return [interval.low, interval.high];
}
