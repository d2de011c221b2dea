import { missingness, type Table } from './screening-table.js';

/**
 * How strongly v's absence must predict u's before u missing while v was measured breaks a panel:
 * P(u missing | v missing) / P(u missing | v measured) ≥ 20. Labs drawn on one sample (a blood count's
 * haemoglobin and haematocrit) pass by orders of magnitude; an optional add-on (calcium, magnesium and
 * phosphate with a chemistry panel: 10×), a loosely related order (INR and the chemistry panel: 2–5×) or a
 * blood gas's lactate (10×) do not.
 */
export const PARTNER_RATIO = 20;

/**
 * …and u must go missing with v nearly always, P(u missing | v missing) ≥ 0.9: one sample, not a common
 * cause. Without it, no labs drawn at all (chemistry and blood count both missing) would make a chemistry
 * panel missing while the blood count was drawn (1 % of stays, ordinary) look like a broken panel.
 */
export const PARTNER_SHARE = 0.9;

/** Stays in which v must be missing before P(u missing | v missing) is trusted. */
const MIN_MISSING = 5;

/**
 * Missingness against the panels it breaks. For each pair of variables, the training stays say how
 * often u is missing when v is missing and when v is measured (add-½ smoothed); v is a panel partner of
 * u when u goes missing with it ({@link PARTNER_SHARE}) and its absence makes u's at least
 * {@link PARTNER_RATIO} times likelier. For a variable u missing in a
 * stay, the surprisal −ln P(u missing | v measured) of the most surprising partner v the stay measured;
 * a stay's score is the sum over its missing variables (booked on the most surprising one), so a block
 * of several variables blanked while their partner was charted adds up, and a whole panel missing
 * together (no partner measured) scores nothing. Conditioning on each measured variable separately (not
 * on the whole pattern) keeps a trigger that blanks several variables together from explaining itself.
 */
export function missingnessPattern(table: Table): Float64Array {
  const { n } = table;
  const V = table.variableNames.length;
  const { missing } = missingness(table);
  const missingCount = new Float64Array(V);
  const both = new Float64Array(V * V);
  for (let i = 0; i < n; i++)
    for (let v = 0; v < V; v++) {
      if (!missing[i * V + v]) continue;
      missingCount[v]++;
      for (let u = 0; u < V; u++) if (missing[i * V + u]) both[u * V + v]++;
    }
  // surprisal[u·V + v]: −ln P(u missing | v measured) when v is a partner of u, else 0.
  const surprisal = new Float64Array(V * V);
  for (let u = 0; u < V; u++)
    for (let v = 0; v < V; v++) {
      if (u === v || missingCount[v] < MIN_MISSING || missingCount[v] === n) continue;
      const givenMissing = (both[u * V + v] + 0.5) / (missingCount[v] + 1);
      const givenMeasured = (missingCount[u] - both[u * V + v] + 0.5) / (n - missingCount[v] + 1);
      if (givenMissing >= PARTNER_SHARE && givenMissing >= PARTNER_RATIO * givenMeasured) surprisal[u * V + v] = -Math.log(givenMeasured);
    }
  const out = new Float64Array(n * V);
  for (let i = 0; i < n; i++) {
    let total = 0;
    let worst = -1;
    let worstSurprisal = 0;
    for (let u = 0; u < V; u++) {
      if (!missing[i * V + u]) continue;
      let s = 0;
      for (let v = 0; v < V; v++) if (!missing[i * V + v] && surprisal[u * V + v] > s) s = surprisal[u * V + v];
      total += s;
      if (s > worstSurprisal) [worst, worstSurprisal] = [u, s];
    }
    if (worst >= 0) out[i * V + worst] = total;
  }
  return out;
}
