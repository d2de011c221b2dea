/**
 * The time-series view: an n × T × C grid (stay, hour, channel), row-major, filled in three steps:
 *   1. observed cells get the hour's mean (from DuckDB) and mask 1;
 *   2. within each stay, an unobserved cell takes the channel's last observed value (forward fill);
 *   3. cells before a stay's first observation of a channel take the channel's fill value, the median
 *      of the observed hourly values of the training split (never of validation or test stays).
 */
export interface HourlyGrid {
  readonly n: number;
  readonly hours: number;
  readonly channels: number;
  /** NaN where unobserved until `forwardFill` runs. */
  readonly values: Float32Array;
  readonly mask: Uint8Array;
}

export function createHourlyGrid(n: number, hours: number, channels: number): HourlyGrid {
  const size = n * hours * channels;
  return { n, hours, channels, values: new Float32Array(size).fill(Number.NaN), mask: new Uint8Array(size) };
}

export function setObserved(grid: HourlyGrid, stay: number, hour: number, channel: number, value: number): void {
  const at = (stay * grid.hours + hour) * grid.channels + channel;
  grid.values[at] = value;
  grid.mask[at] = 1;
}

/**
 * Median per channel of the observed cells of the stays whose `include` flag is set (the training
 * split). A channel with no such cell gets NaN; the caller decides the fallback and records it.
 */
export function observedMedians(grid: HourlyGrid, include: (stay: number) => boolean): Float64Array {
  const { n, hours: T, channels: C, values, mask } = grid;
  const counts = new Int32Array(C);
  for (let i = 0; i < n; i++) {
    if (!include(i)) continue;
    for (let t = 0; t < T; t++) {
      const base = (i * T + t) * C;
      for (let c = 0; c < C; c++) counts[c] += mask[base + c];
    }
  }
  const perChannel = Array.from(counts, (k) => new Float32Array(k));
  const filled = new Int32Array(C);
  for (let i = 0; i < n; i++) {
    if (!include(i)) continue;
    for (let t = 0; t < T; t++) {
      const base = (i * T + t) * C;
      for (let c = 0; c < C; c++) if (mask[base + c]) perChannel[c][filled[c]++] = values[base + c];
    }
  }
  return Float64Array.from(perChannel, (xs) => median(xs));
}

/** Median of float32 values (mean of the two middle values for an even count); NaN when empty. */
export function median(xs: Float32Array): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = xs.slice().sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Forward fill within each stay, then `fillValues[c]` before the first observation. In place. */
export function forwardFill(grid: HourlyGrid, fillValues: ArrayLike<number>): void {
  const { n, hours: T, channels: C, values, mask } = grid;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) {
      let carried = fillValues[c];
      for (let t = 0; t < T; t++) {
        const at = (i * T + t) * C + c;
        if (mask[at]) carried = values[at];
        else values[at] = carried;
      }
    }
  }
}
