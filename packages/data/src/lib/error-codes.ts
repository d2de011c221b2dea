/**
 * Every `E_*` code that data's errors carry, with its meaning: the one place to read them (as vega-lite
 * keeps its messages in `log/message.ts`). The messages stay at the throw sites, typed by {@link DataCode}.
 */
export const DATA_CODES = {
  E_MIMIC_DIR_NOT_FOUND: 'the MIMIC-IV directory does not exist',
  E_MIMIC_LAYOUT: 'the MIMIC-IV directory lacks its hosp/ or icu/ folder',
  E_MISSING_TABLE: 'a MIMIC-IV table the pipeline reads is not there',
  E_MISSING_COLUMN: 'a MIMIC-IV table lacks a column the pipeline reads',
  E_CORRUPT_FILE: 'a gzip file is truncated or corrupt',
  E_BAD_CSV: 'a CSV file cannot be parsed',
  E_READ_FAILED: 'a file cannot be read',
  E_DUPLICATE_KEY: 'a key that must be unique (a stay, an admission) appears twice',
  E_EMPTY_COHORT: 'no stay is left after the cohort exclusions',
  E_EMPTY_SPLIT: 'the training split is empty',
  E_BAD_SYNTHETIC_MARKER: "the synthetic-data marker file is not valid JSON",
  E_OPTION: 'a required option of prepare is missing or malformed',
  E_WINDOW_HOURS: 'the observation window is not a whole number of hours in range',
  E_LABEL_DEFINITION: 'an unknown label definition',
  E_SEED: 'the seed is not a non-negative integer',
  E_SPLIT_FRACTIONS: 'the split fractions are not three shares summing to 1',
  E_SYNTH_STAYS: 'the number of synthetic stays is out of range',
  E_SYNTH_SEED: 'the seed of the synthetic generator is not an integer',
  E_SYNTH_GZIP_LEVEL: 'the gzip level is not an integer in [1, 9]',
  E_SYNTH_OUT: 'no output directory was given to the synthetic generator',
  E_OUTPUT_EXISTS: 'the output directory already exists',
  E_DATASET_NOT_FOUND: 'the dataset directory does not exist',
  E_DATASET_CORRUPT: "a dataset's files are damaged or do not match its manifest",
  E_DATASET_FORMAT: "a dataset's files are not in the format this version reads",
  E_EMPTY_DATASET: 'a dataset with no stays',
  E_SHAPE: "an array's length does not match the number of stays or features",
  E_LABEL: 'a label other than 0 or 1',
  E_SPLIT: 'a split other than train, val or test',
  E_DUPLICATE_STAY: 'a stay id appears twice',
} as const satisfies Record<`E_${string}`, string>;

/** A code of {@link DATA_CODES}. */
export type DataCode = keyof typeof DATA_CODES;
