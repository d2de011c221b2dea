/**
 * The design matrix of confident learning's out-of-fold logistic regression: each clinical column
 * median-imputed and standardised (population standard deviation, a constant column scaled by 1, values
 * clipped to ±10 standard deviations), then one "not measured" indicator column per variable that is
 * missing somewhere, in the variables' first-column order. Missingness is informative in ICU data (a lab
 * not ordered says something about the stay), so a missing value sets its variable's indicator instead of
 * being silently replaced by a typical value.
 *
 * `features` is n × F row-major, NaN (or ±∞) where not measured; `variables` names each column's variable
 * (columns of one variable share one indicator), default one variable per column.
 */
export function clinicalDesignMatrix(
  features: Float64Array,
  n: number,
  F: number,
  variables: readonly string[] | undefined,
): { design: Float64Array; width: number } {
  const { centre, scale } = columnStandardisation(features, n, F);
  const names = variables ?? Array.from({ length: F }, (_, c) => String(c));
  const indicatorOf = missingIndicators(features, n, F, names);
  const width = F + indicatorOf.size;
  const design = new Float64Array(n * width);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < F; c++) {
      const v = features[i * F + c];
      if (Number.isFinite(v)) design[i * width + c] = Math.max(-10, Math.min(10, (v - centre[c]) / scale[c]));
      else design[i * width + (indicatorOf.get(names[c]) as number)] = 1;
    }
  return { design, width };
}

/** Each column's median (the upper one of an even count) and population standard deviation about it. */
function columnStandardisation(features: Float64Array, n: number, F: number): { centre: Float64Array; scale: Float64Array } {
  const centre = new Float64Array(F);
  const scale = new Float64Array(F);
  for (let c = 0; c < F; c++) {
    const seen: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = features[i * F + c];
      if (Number.isFinite(v)) seen.push(v);
    }
    seen.sort((a, b) => a - b);
    centre[c] = seen.length ? seen[Math.floor(seen.length / 2)] : 0;
    let variance = 0;
    for (const v of seen) variance += (v - centre[c]) ** 2 / Math.max(1, seen.length);
    scale[c] = Math.sqrt(variance) || 1;
  }
  return { centre, scale };
}

/** The design column of each variable missing somewhere: F, F + 1, … in the order variables first appear. */
function missingIndicators(features: Float64Array, n: number, F: number, names: readonly string[]): Map<string, number> {
  const missingVariable = new Set<string>();
  for (let i = 0; i < n; i++) for (let c = 0; c < F; c++) if (!Number.isFinite(features[i * F + c])) missingVariable.add(names[c]);
  const indicatorOf = new Map<string, number>();
  for (const name of names) if (missingVariable.has(name) && !indicatorOf.has(name)) indicatorOf.set(name, F + indicatorOf.size);
  return indicatorOf;
}
