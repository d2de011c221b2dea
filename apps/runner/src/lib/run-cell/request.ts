import type { EhrDataset } from '@ehr-backdoor/data';
import type { CellConfig } from '../cell-config.js';
import type { CellKey } from '../grid.js';

/** What a cell reports while it runs (a sweep worker relays it to the progress display). */
export interface CellReporter {
  (update: { phase?: string; epoch?: number; epochs?: number; metric?: number }): void;
}

export interface CellRequest {
  readonly dataDir: string;
  readonly runsRoot: string;
  readonly cell: CellKey;
  /** The cell's whole configuration (a plan's cell carries it; `cellConfigFromOptions` builds it for older plans). */
  readonly config: CellConfig;
  /**
   * How to load the dataset at `dataDir`; by default from disk, every call. A sweep worker passes its
   * cache, so the cells it runs share one copy: no cell writes to the dataset (poisoning and the
   * triggered test set copy the arrays they change).
   */
  readonly loadDataset?: (dataDir: string) => Promise<EhrDataset>;
  /**
   * A poisoned cell whose clean baseline has not finished when its summary is due keeps the summary's
   * inputs in awaiting-baseline.json and returns null, instead of writing its clean-AUROC drop and lift
   * as undefined: set by a sweep, which runs the baseline too and finishes the cell once it is there
   * (complete-awaiting.ts). Without it the summary is written at once, with whatever baseline exists.
   */
  readonly deferBaseline?: boolean;
  /** Called when another process finished the cell while this one waited for its lock (nothing is run). */
  readonly onAlreadyDone?: () => void;
}
