import { Bool, Float64, Int32, Table, Utf8, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import type { AggregatedRow } from '../aggregate/aggregate.js';
import { AGGREGATED_COLUMNS } from './columns.js';

/**
 * aggregated.arrow: the same table as aggregated.csv in the Arrow IPC file format (readable by
 * `pyarrow.ipc.open_file` and `pandas.read_feather`), typed columns, NaN written as null.
 */
export function aggregatedToArrow(rows: readonly AggregatedRow[]): Uint8Array {
  const columns: Record<string, Vector> = {};
  for (const [name, kind] of AGGREGATED_COLUMNS) {
    const values = rows.map((r) => r[name]);
    switch (kind) {
      case 'string':
        columns[name] = vectorFromArray(
          values.map((v) => String(v)),
          new Utf8(),
        );
        break;
      case 'number':
        columns[name] = vectorFromArray(
          values.map((v) => (Number.isFinite(v) ? (v as number) : null)),
          new Float64(),
        );
        break;
      case 'int':
        columns[name] = vectorFromArray(values as number[], new Int32());
        break;
      case 'bool':
        columns[name] = vectorFromArray(values as boolean[], new Bool());
        break;
    }
  }
  return tableToIPC(new Table(columns), 'file');
}
