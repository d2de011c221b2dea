import { readFile } from 'node:fs/promises';
import { tableFromIPC } from 'apache-arrow';

/**
 * The part of a run's attributions.arrow (written by `explain --save-attributions`) the report draws:
 * the mean attribution of every input element over the explained stays, for the clean and the
 * triggered copies, and what each element is.
 */
/** What one input element is: its variable, statistic (tabular) or `value`/`mask` (time series), and hour. */
export interface AttributionElementInfo {
  readonly variable: string;
  readonly detail: string;
  readonly hour: number | null;
}

/** Mean attribution of every element over a run's explained stays, clean and triggered copies apart. */
export interface AttributionMeans {
  readonly elements: readonly AttributionElementInfo[];
  /** Stays explained (each has a clean and a triggered copy). */
  readonly stays: number;
  readonly clean: Float64Array;
  readonly triggered: Float64Array;
}

/** @throws Error naming the problem when the file is not an attributions file this reader knows. */
export async function readAttributionMeans(path: string): Promise<AttributionMeans> {
  let table;
  try {
    table = tableFromIPC(await readFile(path));
  } catch (error) {
    throw new Error(`not an Arrow IPC file (${(error as Error).message})`);
  }
  const version = table.schema.metadata.get('formatVersion');
  if (version !== '1')
    throw new Error(`formatVersion ${JSON.stringify(version ?? null)} in the schema metadata; this aggregator reads version 1`);
  let elements: AttributionElementInfo[];
  try {
    elements = JSON.parse(table.schema.metadata.get('elements') ?? '') as AttributionElementInfo[];
  } catch {
    throw new Error('the schema metadata has no readable "elements"');
  }
  const copy = table.getChild('copy');
  const attribution = table.getChild('attribution');
  if (!copy || !attribution) throw new Error('column "copy" or "attribution" is missing');
  const d = elements.length;
  const sums = { clean: new Float64Array(d), triggered: new Float64Array(d) };
  const counts = { clean: 0, triggered: 0 };
  for (let i = 0; i < table.numRows; i++) {
    const which = copy.get(i) === 'triggered' ? 'triggered' : 'clean';
    const row = attribution.get(i)?.toArray() as Float32Array | undefined;
    if (!row || row.length !== d) throw new Error(`row ${i}: ${row?.length ?? 0} attributions for ${d} elements`);
    for (let j = 0; j < d; j++) sums[which][j] += row[j];
    counts[which]++;
  }
  if (counts.clean === 0 || counts.triggered === 0) throw new Error('it needs both clean and triggered copies');
  return {
    elements,
    stays: counts.clean,
    clean: sums.clean.map((v) => v / counts.clean),
    triggered: sums.triggered.map((v) => v / counts.triggered),
  };
}
