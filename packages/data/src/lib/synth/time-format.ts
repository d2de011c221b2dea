/** Milliseconds in an hour and in a day: the generator works in epoch milliseconds throughout. */
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** ICU in/out times have second resolution. */
export function second(time: number): number {
  return Math.floor(time / 1000) * 1000;
}

/** Charted times have minute resolution. */
export function minute(time: number): number {
  return Math.floor(time / 60_000) * 60_000;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * `YYYY-MM-DD HH:MM:SS`, MIMIC's timestamp format. The rows of a stay fall on a handful of days, so the
 * date part is formatted once per day (a hot path); one formatter per generation keeps that memo out of
 * module state.
 */
export class TimeFormatter {
  private day = NaN;
  private dayPrefix = '';

  /** The timestamp, seconds truncated to :00 unless `seconds`. */
  format(time: number, seconds = false): string {
    const t = Math.floor(time / (seconds ? 1000 : 60_000)) * (seconds ? 1000 : 60_000);
    const day = Math.floor(t / DAY);
    if (day !== this.day) {
      const d = new Date(day * DAY);
      this.day = day;
      this.dayPrefix = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} `;
    }
    const s = Math.floor((t - day * DAY) / 1000);
    return `${this.dayPrefix}${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
  }

  /** `YYYY-MM-DD` (patients.dod). */
  date(time: number): string {
    return this.format(time).slice(0, 10);
  }
}
