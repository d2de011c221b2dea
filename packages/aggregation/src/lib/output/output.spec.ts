import { tableFromIPC } from 'apache-arrow';
import type { AggregatedRow } from '../aggregate/aggregate.js';
import { aggregatedToArrow } from './arrow.js';
import { AGGREGATED_COLUMNS } from './columns.js';
import { aggregatedToCsv, csvField } from './csv.js';

const row: AggregatedRow = {
  dataset_hash: 'd1',
  model: 'mlp',
  trigger: 'rare_value',
  mode: 'dirty-label',
  poison_rate: 0.05,
  detector: '',
  metric: 'asr',
  n: 1,
  n_missing: 1,
  mean: 0.9,
  std: NaN,
  ci_low: NaN,
  ci_high: NaN,
  ci_method: 't',
  per_seed: '3:0.9',
  clean_n: 0,
  clean_mean: NaN,
  delta_mean: NaN,
  p_value: NaN,
  p_holm: NaN,
  significant: false,
  note: '1 run(s) without a value: no triggered stays, "y != target"',
};

test('CSV: RFC 4180 quoting, NaN as an empty field, full precision', () => {
  expect(csvField('a,b')).toBe('"a,b"');
  expect(csvField('say "hi"')).toBe('"say ""hi"""');
  expect(csvField(NaN)).toBe('');
  expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004');
  const csv = aggregatedToCsv([row]);
  const [header, line] = csv.trimEnd().split('\n');
  expect(header).toBe(AGGREGATED_COLUMNS.map(([c]) => c).join(','));
  expect(line).toBe(
    'd1,mlp,rare_value,dirty-label,0.05,,asr,1,1,0.9,,,,t,3:0.9,0,,,,,false,"1 run(s) without a value: no triggered stays, ""y != target"""',
  );
});

test('Arrow: an IPC file with typed columns and nulls for NaN', () => {
  const bytes = aggregatedToArrow([row, { ...row, model: 'lstm', std: 0.01, significant: true }]);
  // the IPC *file* format starts and ends with the ARROW1 magic (what pyarrow.ipc.open_file and pandas.read_feather expect)
  expect(Buffer.from(bytes.subarray(0, 6)).toString('ascii')).toBe('ARROW1');
  expect(Buffer.from(bytes.subarray(bytes.length - 6)).toString('ascii')).toBe('ARROW1');
  const table = tableFromIPC(bytes);
  expect(table.numRows).toBe(2);
  expect(table.schema.fields.map((f) => f.name)).toEqual(AGGREGATED_COLUMNS.map(([c]) => c));
  expect(String(table.schema.fields.find((f) => f.name === 'mean')?.type)).toBe('Float64');
  expect(String(table.schema.fields.find((f) => f.name === 'n')?.type)).toBe('Int32');
  expect(String(table.schema.fields.find((f) => f.name === 'significant')?.type)).toBe('Bool');
  expect(table.getChild('std')?.get(0)).toBeNull();
  expect(table.getChild('std')?.get(1)).toBe(0.01);
  expect(table.getChild('model')?.toArray()).toEqual(['mlp', 'lstm']);
  expect(table.getChild('significant')?.get(1)).toBe(true);
});
