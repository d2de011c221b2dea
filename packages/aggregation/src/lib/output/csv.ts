import type { AggregatedRow } from '../aggregate/aggregate.js';
import { AGGREGATED_COLUMNS } from './columns.js';

/**
 * RFC 4180 CSV: fields with a comma, quote or line break are quoted, quotes doubled; NaN is an empty
 * field (pandas reads it as NaN); numbers keep full precision (shortest round-trip form).
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const s = typeof value === 'boolean' ? (value ? 'true' : 'false') : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header.map(csvField).join(','), ...rows.map((r) => r.map(csvField).join(','))].join('\n') + '\n';
}

/**
 * aggregated.csv: a header of {@link AGGREGATED_COLUMNS} and one line per row; NaN is an empty field, and fields are quoted as RFC 4180 requires.
 */
export function aggregatedToCsv(rows: readonly AggregatedRow[]): string {
  return toCsv(
    AGGREGATED_COLUMNS.map(([name]) => name),
    rows.map((row) => AGGREGATED_COLUMNS.map(([name]) => row[name])),
  );
}
