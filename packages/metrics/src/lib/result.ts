/**
 * A metric's value, or NaN with the reason it is undefined for this input. Degenerate input (one class,
 * an empty set, no predicted positives) is a fact about the data, not a bug: it must reach the summary
 * row as NaN and the warnings list as a sentence, never as 0 and never as an exception.
 */
export interface MetricResult {
  readonly value: number;
  /** Present exactly when `value` is NaN. */
  readonly reason?: string;
  /** Stable code for the reason (see `WARNING`), present exactly when `reason` is. */
  readonly code?: WarningCode;
}

/** One degenerate-input note, as data: which metric, a stable code, and a readable sentence. */
export interface MetricWarning {
  readonly metric: string;
  readonly code: WarningCode;
  readonly message: string;
}

/** All warning codes in one place, so tests and the runner can match on them. */
export const WARNING = {
  empty: 'W_EMPTY',
  oneClass: 'W_ONE_CLASS',
  noPredictedPositive: 'W_NO_PREDICTED_POSITIVE',
  noActualPositive: 'W_NO_ACTUAL_POSITIVE',
  noPositiveOrPrediction: 'W_NO_POSITIVE_OR_PREDICTION',
  noEligibleStay: 'W_NO_ELIGIBLE_STAY',
  missingReference: 'W_MISSING_REFERENCE',
  undefinedInput: 'W_UNDEFINED_INPUT',
  bootstrapDegenerateResamples: 'W_BOOTSTRAP_DEGENERATE_RESAMPLES',
  notRequested: 'W_NOT_REQUESTED',
} as const;
/**
 * One of the stable `W_*` codes of {@link WARNING}; a `MetricWarning` or an undefined `MetricResult` carries exactly one.
 */
export type WarningCode = (typeof WARNING)[keyof typeof WARNING];

export function defined(value: number): MetricResult {
  return { value };
}

export function undefinedMetric(code: WarningCode, reason: string): MetricResult {
  return { value: Number.NaN, reason, code };
}

/** Adds `result`'s reason (if any) to `warnings` under `metric`, and returns the bare value. */
export function collect(metric: string, result: MetricResult, warnings: MetricWarning[]): number {
  if (result.reason !== undefined && result.code !== undefined) {
    warnings.push({ metric, code: result.code, message: result.reason });
  }
  return result.value;
}

/**
 * The `reasons` object of a summary row (docs/formats.md): column → why it is NaN (written as null),
 * for exactly the NaN columns of `row`. Notes about defined values (e.g. an interval read from fewer
 * resamples than drawn) are left out; they stay in the warnings list.
 */
export function nullReasons<Row extends { readonly [K in keyof Row]: number }>(
  row: Row,
  warnings: readonly MetricWarning[],
): Record<string, string> {
  const reasons: Record<string, string> = {};
  for (const [column, value] of Object.entries(row) as [string, number][]) {
    if (!Number.isNaN(value)) continue;
    const warning = warnings.find((w) => w.metric === column);
    reasons[column] = warning?.message ?? `${column} is undefined for this input.`;
  }
  return reasons;
}
