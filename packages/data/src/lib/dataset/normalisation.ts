import { SPLIT_CODE, type NormalisationStats } from './types.js';

/** Mean and standard deviation per tabular feature (NaN ignored) and per channel (observed cells), on training rows only. */
export function fitNormalisation(
  splits: Uint8Array,
  tabular: Float32Array,
  F: number,
  tsValues: Float32Array,
  mask: Uint8Array,
  T: number,
  C: number,
): NormalisationStats {
  const train = SPLIT_CODE.train;
  const tab = welford(F);
  const ts = welford(C);
  for (let i = 0; i < splits.length; i++) {
    if (splits[i] !== train) continue;
    for (let j = 0; j < F; j++) tab.add(j, tabular[i * F + j]);
    for (let t = 0; t < T; t++) {
      const base = (i * T + t) * C;
      for (let c = 0; c < C; c++) if (mask[base + c]) ts.add(c, tsValues[base + c]);
    }
  }
  return { tabular: tab.result(), timeSeries: ts.result() };
}

function welford(k: number) {
  const count = new Float64Array(k);
  const mean = new Float64Array(k);
  const m2 = new Float64Array(k);
  return {
    add(j: number, x: number) {
      if (!Number.isFinite(x)) return;
      count[j]++;
      const d = x - mean[j];
      mean[j] += d / count[j];
      m2[j] += d * (x - mean[j]);
    },
    result() {
      // A feature with no training values (or no spread) gets mean 0 / std 1 so normalising never divides by 0.
      return {
        mean: Array.from(mean, (m, j) => (count[j] > 0 ? m : 0)),
        std: Array.from(m2, (s, j) => (count[j] > 1 && s > 0 ? Math.sqrt(s / (count[j] - 1)) : 1)),
      };
    },
  };
}
