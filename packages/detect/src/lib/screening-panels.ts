import { missingness, type Table } from './screening-table.js';

/**
 * Missingness against the panels it breaks: for a variable u missing in a stay, the most surprising of
 * P(u missing | v measured) over the variables v the stay has measured (counted on the training stays,
 * add-½ smoothed), in nats, counted when it is at least twice as surprising as u's missingness on its
 * own; a stay's pattern score is the sum over its missing variables, booked on the most surprising one. Labs come in panels: a haemoglobin missing while the haematocrit of the same blood
 * count was measured is improbable. Conditioning on each measured variable separately (not on the whole
 * pattern) keeps a trigger that blanks several variables together from explaining itself.
 */
export function missingnessPattern(table: Table): Float64Array {
  const { n } = table;
  const V = table.variableNames.length;
  const { missing } = missingness(table);
  const measured = new Float64Array(V);
  const both = new Float64Array(V * V);
  for (let i = 0; i < n; i++)
    for (let v = 0; v < V; v++) {
      if (missing[i * V + v]) continue;
      measured[v]++;
      for (let u = 0; u < V; u++) if (missing[i * V + u]) both[u * V + v]++;
    }
  const out = new Float64Array(n * V);
  for (let i = 0; i < n; i++) {
    let total = 0;
    let worst = -1;
    let worstSurprisal = 0;
    for (let u = 0; u < V; u++) {
      if (!missing[i * V + u]) continue;
      let s = 0;
      for (let v = 0; v < V; v++) if (v !== u && !missing[i * V + v]) s = Math.max(s, -Math.log((both[u * V + v] + 0.5) / (measured[v] + 1)));
      // Only a missingness that a measured partner makes rarer than it is anyway (by a factor 2 or more)
      // breaks a panel; a variable that is simply often missing, or missing with its whole panel, does not.
      if (s + Math.log((n - measured[u] + 0.5) / (n + 1)) < Math.LN2) continue;
      total += s;
      if (s > worstSurprisal) [worst, worstSurprisal] = [u, s];
    }
    if (worst >= 0) out[i * V + worst] = total;
  }
  return out;
}
