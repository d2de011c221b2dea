import type { Random } from '@ehr-backdoor/core';

/**
 * Marginals come from calibrated quantiles: a latent standard normal z is mapped through the
 * empirical inverse CDF, so whatever the latent structure (severity, organ systems, noise), each item's
 * distribution matches the real demo's as long as z stays close to N(0, 1).
 */

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155211853];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Maps z ~ N(0, 1) to a value with the given quantiles (piecewise linear in z, linear tails, clamped). */
export class QuantileMap {
  private readonly z: Float64Array;
  private readonly q: Float64Array;

  constructor(
    grid: readonly number[],
    quantiles: readonly number[],
    private readonly min = -Infinity,
    private readonly max = Infinity,
  ) {
    if (grid.length !== quantiles.length || grid.length < 2) throw new RangeError('grid and quantiles must have the same length (>= 2)');
    this.z = Float64Array.from(grid, normalQuantile);
    this.q = Float64Array.from(quantiles);
  }

  value(z: number): number {
    const zs = this.z;
    const qs = this.q;
    const last = zs.length - 1;
    let i: number;
    if (z <= zs[0]) i = 0;
    else if (z >= zs[last]) i = last - 1;
    else {
      let lo = 0;
      let hi = last;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (zs[mid] <= z) lo = mid;
        else hi = mid;
      }
      i = lo;
    }
    const x = qs[i] + ((z - zs[i]) * (qs[i + 1] - qs[i])) / (zs[i + 1] - zs[i]);
    return x < this.min ? this.min : x > this.max ? this.max : x;
  }
}

/** Maps z ~ N(0, 1) to a discrete value with the given probabilities (ordered support, monotone in z). */
export class DiscreteMap {
  private readonly thresholds: Float64Array;

  constructor(
    private readonly support: readonly number[],
    p: readonly number[],
  ) {
    const total = p.reduce((s, x) => s + x, 0);
    let cumulative = 0;
    this.thresholds = Float64Array.from(p.slice(0, -1), (x) => {
      cumulative += x / total;
      return normalQuantile(Math.min(Math.max(cumulative, 1e-12), 1 - 1e-12));
    });
  }

  value(z: number): number {
    let k = 0;
    while (k < this.thresholds.length && z > this.thresholds[k]) k++;
    return this.support[k];
  }
}

/** A draw from a categorical distribution given by (unnormalised) weights. */
export function pick<T>(random: Random, values: readonly T[], weights: readonly number[]): T {
  let total = 0;
  for (const w of weights) total += w;
  let u = random.next() * total;
  for (let i = 0; i < values.length; i++) {
    u -= weights[i];
    if (u < 0) return values[i];
  }
  return values[values.length - 1];
}

export function uniform(random: Random, lo: number, hi: number): number {
  return lo + (hi - lo) * random.next();
}

export function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Exponential draw with the given mean. */
export function exponential(random: Random, mean: number): number {
  return -mean * Math.log(1 - random.next());
}

/** A provider id as MIMIC-IV writes them: 'P' and five characters of A–Z and 0–9. */
export function providerId(random: Random): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let id = 'P';
  for (let i = 0; i < 5; i++) id += alphabet[random.int(alphabet.length)];
  return id;
}
