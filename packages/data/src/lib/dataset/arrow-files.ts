import {
  Field,
  FixedSizeList,
  Float32,
  Int32,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Uint8,
  makeData,
  tableFromIPC,
  tableToIPC,
  type Data,
  type Vector,
} from 'apache-arrow';
import { CompatibilityError } from '@ehr-backdoor/core';
import { SPLIT_CODE, type TabularFeature } from './types.js';
import type { DataCode } from '../error-codes.js';

/**
 * The two Arrow IPC files of a dataset (Arrow "file" format, one record batch, readable by pyarrow
 * `pa.ipc.open_file` and `pandas.read_feather`):
 *
 *   tabular.arrow     stay_id int32 · subject_id int32 · hadm_id int32 · label uint8 · split uint8
 *                     · one float32 column per tabular feature (NaN = not measured in the window)
 *   timeseries.arrow  stay_id int32 · values fixed_size_list<float32>[T·C] · mask fixed_size_list<uint8>[T·C]
 *                     each list is one stay's T × C grid, hour-major (hour t, channel c at t·C + c)
 *
 * A single record batch keeps each list's child buffer contiguous, so the loader hands out the
 * n × T × C tensors as typed-array views of the file's bytes: no copy of the largest arrays.
 */
export const TABULAR_FILE = 'tabular.arrow';
export const TIMESERIES_FILE = 'timeseries.arrow';

export interface TabularColumns {
  readonly stayIds: Int32Array;
  readonly subjectIds: Int32Array;
  readonly hadmIds: Int32Array;
  readonly labels: Uint8Array;
  readonly splits: Uint8Array;
  readonly features: readonly TabularFeature[];
  /** n × F, row-major. */
  readonly values: Float32Array;
}

export interface TimeSeriesColumns {
  readonly stayIds: Int32Array;
  readonly hours: number;
  readonly channels: readonly string[];
  readonly values: Float32Array;
  readonly mask: Uint8Array;
}

// Arrow's makeData is overloaded by type family, so each column type gets its own (cast-free) maker.
const int32 = (data: Int32Array): Data<Int32> => makeData({ type: new Int32(), length: data.length, nullCount: 0, data });
const uint8 = (data: Uint8Array): Data<Uint8> => makeData({ type: new Uint8(), length: data.length, nullCount: 0, data });
const float32 = (data: Float32Array): Data<Float32> => makeData({ type: new Float32(), length: data.length, nullCount: 0, data });

/** A column of `n` fixed-size lists (one stay's T × C grid each) over one contiguous child column. */
function fixedSizeLists<T extends Float32 | Uint8>(width: number, n: number, child: Data<T>): Data<FixedSizeList<T>> {
  return makeData({ type: new FixedSizeList(width, new Field('item', child.type, false)), length: n, nullCount: 0, child });
}

function batchTable(fields: Field[], children: Data[], n: number, metadata: Record<string, string>): Table {
  const schema = new Schema(fields, new Map(Object.entries(metadata)));
  const struct = makeData({ type: new Struct(fields), length: n, nullCount: 0, children });
  return new Table(schema, [new RecordBatch(schema, struct)]);
}

export function encodeTabular(columns: TabularColumns): Uint8Array {
  const n = columns.stayIds.length;
  const F = columns.features.length;
  const fields = [
    new Field('stay_id', new Int32(), false),
    new Field('subject_id', new Int32(), false),
    new Field('hadm_id', new Int32(), false),
    new Field('label', new Uint8(), false),
    new Field('split', new Uint8(), false),
    ...columns.features.map((f) => new Field(f.name, new Float32(), false)),
  ];
  const children: Data[] = [
    int32(columns.stayIds),
    int32(columns.subjectIds),
    int32(columns.hadmIds),
    uint8(columns.labels),
    uint8(columns.splits),
  ];
  for (let j = 0; j < F; j++) {
    const column = new Float32Array(n);
    for (let i = 0; i < n; i++) column[i] = columns.values[i * F + j];
    children.push(float32(column));
  }
  return tableToIPC(
    batchTable(fields, children, n, {
      'ehr-backdoor.split_codes': JSON.stringify(SPLIT_CODE),
      'ehr-backdoor.features': JSON.stringify(columns.features),
    }),
    'file',
  );
}

export function encodeTimeSeries(columns: TimeSeriesColumns): Uint8Array {
  const n = columns.stayIds.length;
  const width = columns.hours * columns.channels.length;
  const fields = [
    new Field('stay_id', new Int32(), false),
    new Field('values', new FixedSizeList(width, new Field('item', new Float32(), false)), false),
    new Field('mask', new FixedSizeList(width, new Field('item', new Uint8(), false)), false),
  ];
  return tableToIPC(
    batchTable(fields, [int32(columns.stayIds), fixedSizeLists(width, n, float32(columns.values)), fixedSizeLists(width, n, uint8(columns.mask))], n, {
      'ehr-backdoor.layout': 'stay × hour × channel, row-major; values[t*C + c]',
      'ehr-backdoor.hours': String(columns.hours),
      'ehr-backdoor.channels': JSON.stringify(columns.channels),
    }),
    'file',
  );
}

/** The single contiguous buffer behind a column, as a typed-array view (zero-copy for one batch). */
function contiguous<T extends Int32Array | Uint8Array | Float32Array>(vector: Vector, file: string, column: string, fromList = false): T {
  // `values` may extend past the column into Arrow's 8-byte padding: view exactly `length` items.
  const chunks = vector.data.map((d) => {
    const data = fromList ? d.children[0] : d;
    return (data.values as T).subarray(data.offset, data.offset + data.length) as T;
  });
  if (chunks.length === 1) return chunks[0];
  if (chunks.length === 0) throw new CompatibilityError<DataCode>('E_DATASET_FORMAT', `${file}: column ${column} has no data.`);
  // Files written elsewhere may hold several batches: join them (one copy) rather than refuse.
  const Ctor = chunks[0].constructor as new (length: number) => T;
  const out = new Ctor(chunks.reduce((a, c) => a + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    (out as Float32Array).set(chunk as Float32Array, offset);
    offset += chunk.length;
  }
  return out;
}

function column(table: Table, name: string, file: string): Vector {
  const vector = table.getChild(name);
  if (!vector) throw new CompatibilityError<DataCode>('E_DATASET_FORMAT', `${file} has no column '${name}'; re-create the dataset with \`ehr-backdoor prepare\`.`);
  return vector;
}

export function decodeTabular(bytes: Uint8Array, file: string, features: readonly TabularFeature[]): TabularColumns {
  const table = tableFromIPC(bytes);
  const n = table.numRows;
  const F = features.length;
  const values = new Float32Array(n * F);
  features.forEach((feature, j) => {
    const col = contiguous<Float32Array>(column(table, feature.name, file), file, feature.name);
    for (let i = 0; i < n; i++) values[i * F + j] = col[i];
  });
  return {
    stayIds: contiguous(column(table, 'stay_id', file), file, 'stay_id'),
    subjectIds: contiguous(column(table, 'subject_id', file), file, 'subject_id'),
    hadmIds: contiguous(column(table, 'hadm_id', file), file, 'hadm_id'),
    labels: contiguous(column(table, 'label', file), file, 'label'),
    splits: contiguous(column(table, 'split', file), file, 'split'),
    features,
    values,
  };
}

export function decodeTimeSeries(bytes: Uint8Array, file: string, hours: number, channels: readonly string[]): TimeSeriesColumns {
  const table = tableFromIPC(bytes);
  const width = hours * channels.length;
  for (const name of ['values', 'mask']) {
    const type = column(table, name, file).type as FixedSizeList;
    if (!(type instanceof FixedSizeList) || type.listSize !== width) {
      throw new CompatibilityError<DataCode>(
        'E_DATASET_FORMAT',
        `${file}: column '${name}' should be fixed_size_list[${width}] (${hours} h × ${channels.length} channels), found ${String(type)}.`,
      );
    }
  }
  return {
    stayIds: contiguous(column(table, 'stay_id', file), file, 'stay_id'),
    hours,
    channels,
    values: contiguous(column(table, 'values', file), file, 'values', true),
    mask: contiguous(column(table, 'mask', file), file, 'mask', true),
  };
}
