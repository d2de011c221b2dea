/**
 * Holm's step-down adjustment: the i-th smallest of m p-values becomes max_{j ≤ i} min(1, (m − j + 1) p_(j)).
 * It controls the family-wise error rate under any dependence between the tests. NaN entries (tests
 * that were not computable) stay NaN and do not count towards m.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const order = pValues
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => Number.isFinite(p))
    .sort((x, y) => x.p - y.p || x.i - y.i);
  const m = order.length;
  const adjusted = pValues.map(() => NaN);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
