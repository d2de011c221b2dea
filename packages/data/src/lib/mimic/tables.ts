import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '@ehr-backdoor/core';
import type { DataCode } from '../error-codes.js';

/**
 * The MIMIC-IV tables `prepare` reads, and the columns it needs from each. Only these columns are
 * required: other columns may come and go between releases (2.2 → 3.x) without affecting us, and
 * columns are always selected by name, never by position.
 */
export type MimicTableName = 'patients' | 'admissions' | 'labevents' | 'd_labitems' | 'icustays' | 'chartevents' | 'd_items';

export interface MimicTableSpec {
  readonly name: MimicTableName;
  readonly module: 'hosp' | 'icu';
  readonly columns: readonly string[];
}

export const MIMIC_TABLES: readonly MimicTableSpec[] = [
  { name: 'patients', module: 'hosp', columns: ['subject_id', 'gender', 'anchor_age', 'anchor_year', 'anchor_year_group'] },
  {
    name: 'admissions',
    module: 'hosp',
    columns: ['subject_id', 'hadm_id', 'admittime', 'dischtime', 'deathtime', 'hospital_expire_flag'],
  },
  { name: 'labevents', module: 'hosp', columns: ['subject_id', 'itemid', 'charttime', 'valuenum'] },
  { name: 'd_labitems', module: 'hosp', columns: ['itemid', 'label'] },
  { name: 'icustays', module: 'icu', columns: ['subject_id', 'hadm_id', 'stay_id', 'intime', 'outtime'] },
  { name: 'chartevents', module: 'icu', columns: ['stay_id', 'itemid', 'charttime', 'valuenum'] },
  { name: 'd_items', module: 'icu', columns: ['itemid', 'label'] },
];

export interface LocatedTable extends MimicTableSpec {
  /** Absolute path of the file read. */
  readonly path: string;
  readonly bytes: number;
}

export type LocatedTables = Readonly<Record<MimicTableName, LocatedTable>>;

/** Compressed first: PhysioNet ships `.csv.gz`, and a user who unpacked a copy usually keeps both. */
const EXTENSIONS = ['.csv.gz', '.csv'] as const;

/**
 * Finds every table the pipeline needs under `mimicDir`, or throws an InputError naming the first
 * missing piece and how to fix it. No file is opened here; headers are checked by DuckDB later.
 */
export function locateMimicTables(mimicDir: string): LocatedTables {
  const root = resolve(mimicDir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new InputError<DataCode>(
      'E_MIMIC_DIR_NOT_FOUND',
      `MIMIC-IV directory ${root} does not exist or is not a directory. Pass --mimic the folder that holds hosp/ and icu/ ` +
        `(for PhysioNet downloads: physionet.org/files/mimiciv/<version>/).`,
      { path: root },
    );
  }
  for (const module of ['hosp', 'icu'] as const) {
    const dir = join(root, module);
    if (existsSync(dir) && statSync(dir).isDirectory()) continue;
    const hint = existsSync(join(root, 'core'))
      ? ' This looks like MIMIC-IV v1.x (it has core/); use v2.2 or 3.x, where core/ was merged into hosp/.'
      : ` Point --mimic at the release folder itself, the one that contains hosp/ and icu/.`;
    throw new InputError<DataCode>('E_MIMIC_LAYOUT', `MIMIC-IV directory ${root} has no ${module}/ folder.${hint}`, { path: dir });
  }
  const located = {} as Record<MimicTableName, LocatedTable>;
  for (const spec of MIMIC_TABLES) {
    const candidates = EXTENSIONS.map((ext) => join(root, spec.module, spec.name + ext));
    const path = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
    if (!path) {
      throw new InputError<DataCode>(
        'E_MISSING_TABLE',
        `MIMIC-IV table ${spec.module}/${spec.name} not found: expected ${candidates.join(' or ')}. ` +
          `Copy ${spec.module}/${spec.name}.csv.gz from the MIMIC-IV release into ${join(root, spec.module)}.`,
        { table: spec.name, expected: candidates },
      );
    }
    located[spec.name] = { ...spec, path, bytes: statSync(path).size };
  }
  return located;
}
