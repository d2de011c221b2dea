import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunCollection } from './collect-runs.js';
import { datasetDirCandidates } from './collect-runs.js';
import { WARN, type AggregationWarning } from './warnings.js';

/**
 * The datasets the runs were trained on, for provenance and the cohort-flow plot. The dataset
 * directory comes from each run's run_metadata.json (`dataset.path`); its manifest.json is used only
 * when its contentHash is the one the runs recorded, so a dataset rebuilt since is never shown as theirs.
 */
export interface CohortStepInfo {
  readonly name: string;
  readonly remaining: number;
}

/**
 * One dataset the runs were trained on: its content hash, how many runs used it, and its manifest's cohort and splits when found.
 */
export interface DatasetInfo {
  readonly contentHash: string;
  /** Runs on this dataset. */
  readonly runs: number;
  readonly path?: string;
  readonly mimicVersion?: string;
  /** From manifest.json, when it was found and matches. */
  readonly manifest?: {
    readonly path: string;
    readonly createdBy?: string;
    readonly task?: string;
    /** `hospital_mortality` or `icu_mortality`; manifests without the field carry in-hospital mortality. */
    readonly labelDefinition?: string;
    readonly windowHours?: number;
    readonly seed?: number;
    readonly cohort: { readonly steps: readonly CohortStepInfo[]; readonly stays?: number; readonly positives?: number };
    readonly splits?: Readonly<Record<string, { stays: number; positives: number; subjects: number }>>;
    readonly sourcePath?: string;
  };
}

/**
 * The datasets of the collected runs, most used first (see above for how their manifests are found).
 * Never throws for a missing or changed dataset directory: it becomes a warning.
 */
export async function readDatasets(collection: RunCollection): Promise<{ datasets: DatasetInfo[]; warnings: AggregationWarning[] }> {
  const byHash = new Map<string, { runs: number; path?: string; mimicVersion?: string; firstRun: string }>();
  for (const run of collection.runs) {
    const hash = run.summary.datasetHash || run.metadata?.dataset?.contentHash || '';
    const entry = byHash.get(hash) ?? { runs: 0, firstRun: run.dir };
    entry.runs++;
    entry.path ??= run.metadata?.dataset?.path;
    entry.mimicVersion ??= run.metadata?.dataset?.mimicVersion;
    byHash.set(hash, entry);
  }
  const datasets: DatasetInfo[] = [];
  const warnings: AggregationWarning[] = [];
  for (const [hash, entry] of [...byHash.entries()].sort((a, b) => b[1].runs - a[1].runs || a[0].localeCompare(b[0]))) {
    const base = { contentHash: hash, runs: entry.runs, path: entry.path, mimicVersion: entry.mimicVersion };
    if (!entry.path) {
      datasets.push(base);
      continue;
    }
    const dir = datasetDirCandidates(entry.path, collection.root).find((d) => existsSync(join(d, 'manifest.json')));
    if (!dir) {
      warnings.push(WARN.datasetManifest(entry.firstRun, join(entry.path, 'manifest.json'), 'not found'));
      datasets.push(base);
      continue;
    }
    const manifestPath = join(dir, 'manifest.json');
    try {
      const m = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
      if (hash && m.contentHash !== hash) {
        warnings.push(
          WARN.datasetManifest(
            entry.firstRun,
            manifestPath,
            `its contentHash ${String(m.contentHash).slice(0, 12)} is not the runs' ${hash.slice(0, 12)}: the dataset was rebuilt`,
          ),
        );
        datasets.push(base);
        continue;
      }
      const cohort = (m.cohort ?? {}) as { steps?: unknown; stays?: unknown; positives?: unknown };
      const steps = Array.isArray(cohort.steps)
        ? cohort.steps.filter((s): s is CohortStepInfo => !!s && typeof s.name === 'string' && typeof s.remaining === 'number')
        : [];
      const source = (m.source ?? {}) as { path?: unknown; mimicVersion?: unknown };
      datasets.push({
        ...base,
        mimicVersion: base.mimicVersion ?? (typeof source.mimicVersion === 'string' ? source.mimicVersion : undefined),
        manifest: {
          path: manifestPath,
          createdBy: typeof m.createdBy === 'string' ? m.createdBy : undefined,
          task: typeof m.task === 'string' ? m.task : undefined,
          labelDefinition: typeof m.labelDefinition === 'string' ? m.labelDefinition : 'hospital_mortality',
          windowHours: typeof m.windowHours === 'number' ? m.windowHours : undefined,
          seed: typeof m.seed === 'number' ? m.seed : undefined,
          cohort: {
            steps,
            stays: typeof cohort.stays === 'number' ? cohort.stays : undefined,
            positives: typeof cohort.positives === 'number' ? cohort.positives : undefined,
          },
          splits:
            m.splits && typeof m.splits === 'object'
              ? (m.splits as Record<string, { stays: number; positives: number; subjects: number }>)
              : undefined,
          sourcePath: typeof source.path === 'string' ? source.path : undefined,
        },
      });
    } catch (error) {
      warnings.push(WARN.datasetManifest(entry.firstRun, manifestPath, (error as Error).message));
      datasets.push(base);
    }
  }
  return { datasets, warnings };
}
