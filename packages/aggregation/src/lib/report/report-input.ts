import type { TopLevelSpec } from 'vega-lite';
import type { Aggregation } from '../aggregate/aggregate.js';
import type { RunCollection } from '../collect/collect-runs.js';
import type { DatasetInfo } from '../collect/datasets.js';
import type { AggregationWarning } from '../collect/warnings.js';
import type { ReportAssets } from './assets.js';

/** One plot of the report: its spec to draw, or why it was skipped. */
export interface ReportPlot {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly spec?: TopLevelSpec;
  readonly skipped?: string;
  /** Report section (table of contents); default 'Attack'. */
  readonly section?: string;
  /** Files written for the plot, relative to the report (spec, data, SVG, PNG): linked under the chart. */
  readonly files?: readonly string[];
}

/** Everything report.html shows. */
export interface ReportInput {
  readonly title?: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly collection: RunCollection;
  readonly aggregation: Aggregation;
  readonly datasets: readonly DatasetInfo[];
  readonly warnings: readonly AggregationWarning[];
  readonly plots: readonly ReportPlot[];
  readonly toolVersions: Readonly<Record<string, string>>;
  readonly assets: ReportAssets;
  /** Extra table files written beside the report (Parquet), linked from the table section. */
  readonly tables?: readonly string[];
}
