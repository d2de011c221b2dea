import { robustCentre, zSurprisal } from './robust-scores.js';
import type { ScreeningData } from './screening-types.js';

/** AR(1) per channel on consecutive hours where the later one is measured and an earlier one was. */
export function temporal(data: Extract<ScreeningData, { view: 'timeseries' }>): Float64Array {
  const { rows: n, hours: T, channels } = data;
  const C = channels.length;
  const out = new Float64Array(n * C);
  for (let c = 0; c < C; c++) {
    const prev: number[] = [];
    const next: number[] = [];
    const owner: number[] = [];
    for (let i = 0; i < n; i++) {
      let seen = false;
      for (let t = 0; t < T; t++) {
        const k = (i * T + t) * C + c;
        if (seen && data.mask[k]) {
          prev.push(data.values[k - C]);
          next.push(data.values[k]);
          owner.push(i);
        }
        if (data.mask[k]) seen = true;
      }
    }
    const m = prev.length;
    if (m < 3) continue;
    let mx = 0;
    let my = 0;
    for (let k = 0; k < m; k++) {
      mx += prev[k] / m;
      my += next[k] / m;
    }
    let sxy = 0;
    let sxx = 0;
    for (let k = 0; k < m; k++) {
      sxy += (prev[k] - mx) * (next[k] - my);
      sxx += (prev[k] - mx) ** 2;
    }
    const slope = sxx > 0 ? sxy / sxx : 0;
    const residual = Float64Array.from({ length: m }, (_, k) => next[k] - (my + slope * (prev[k] - mx)));
    const { median, lower, upper } = robustCentre(residual);
    for (let k = 0; k < m; k++) {
      const r = residual[k];
      const s = zSurprisal(r >= median ? (r - median) / upper : (median - r) / lower);
      const o = owner[k] * C + c;
      if (s > out[o]) out[o] = s;
    }
  }
  return out;
}
