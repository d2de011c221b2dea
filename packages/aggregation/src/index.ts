/**
 * @ehr-backdoor/aggregation — from a tree of run directories to the figures of a study: statistics
 * over seeds, Vega-Lite plots (spec, SVG, PNG) and a self-contained offline HTML report.
 *
 * @packageDocumentation
 */
export { buildReport, displayPath, STATS_FORMAT_VERSION } from './lib/build-report.js';
export type { BuildReportOptions, BuildReportResult, PlotOutcome } from './lib/build-report.js';

export { collectRuns } from './lib/collect/collect-runs.js';
export type { CollectedRun, RunCollection } from './lib/collect/collect-runs.js';
export { parseSummary, SUMMARY_FORMAT_VERSION } from './lib/collect/summary.js';
export type { RunSummary, ParsedSummary } from './lib/collect/summary.js';
export type { RunProvenance } from './lib/collect/metadata.js';
export { readDatasets } from './lib/collect/datasets.js';
export { readVariantLabels, variantLabels } from './lib/collect/study.js';
export type { ResolvedStudyJson, VariantLabels } from './lib/collect/study.js';
export type { DatasetInfo, CohortStepInfo } from './lib/collect/datasets.js';
export { WARN } from './lib/collect/warnings.js';
export type { AggregationWarning, WarningKind } from './lib/collect/warnings.js';

export { aggregateRuns, resolveAggregateOptions } from './lib/aggregate/aggregate.js';
export type {
  AggregateOptions,
  ResolvedAggregateOptions,
  AggregatedRow,
  TestRecord,
  GroupInfo,
  CleanSource,
  Aggregation,
} from './lib/aggregate/aggregate.js';
export { rankModels, RANKING_DEFINITION, RANKING_DEFINITION_LIFT } from './lib/aggregate/ranking.js';
export type { ModelRanking, RankingEntry, RankingGroup } from './lib/aggregate/ranking.js';
export {
  metricOfField,
  isTriggerDependent,
  metricRange,
  DELTA_METRICS,
  DEFAULT_TEST_METRICS,
  METRIC_LABELS,
} from './lib/aggregate/metrics.js';
export type { MetricKey } from './lib/aggregate/metrics.js';

export {
  studentTCdf,
  studentTQuantile,
  studentTTwoSidedP,
  regularizedIncompleteBeta,
  lnGamma,
  normalCdf,
  normalQuantile,
} from './lib/stats/student-t.js';
export {
  describeSample,
  mean,
  sampleStd,
  sampleVariance,
  tInterval,
  logitTInterval,
  bootstrapInterval,
  quantileSorted,
  LOGIT_CLAMP,
} from './lib/stats/describe.js';
export type { Description, Interval, IntervalMethod, IntervalChoice, BootstrapOptions, DescribeOptions } from './lib/stats/describe.js';
export { pairedTests, signFlipP } from './lib/stats/paired.js';
export type { PairedResult } from './lib/stats/paired.js';
export { welchTest } from './lib/stats/welch.js';
export type { WelchResult } from './lib/stats/welch.js';
export { holmAdjust } from './lib/stats/holm.js';

export { aggregatedToCsv } from './lib/output/csv.js';
export { aggregatedToArrow } from './lib/output/arrow.js';
export { AGGREGATED_COLUMNS } from './lib/output/columns.js';

export { PLOTS } from './lib/plots/registry.js';
export { FONT_FAMILY, BASE_CONFIG, PLOT_SECTIONS } from './lib/plots/base.js';
export type { PlotDefinition, PlotInput, PlotResult, PlotSection } from './lib/plots/base.js';
export { readArtifacts } from './lib/artifacts/run-artifacts.js';
export type { RunArtifacts, ArtifactCollection } from './lib/artifacts/run-artifacts.js';
export { readPredictions, PredictionsFileError } from './lib/artifacts/predictions.js';
export type { RunPredictions } from './lib/artifacts/predictions.js';
export type { EpochPoint } from './lib/artifacts/history.js';
export type { AttributionMeans, AttributionElementInfo } from './lib/artifacts/attributions.js';
export type { DetectorScores } from './lib/artifacts/detect-scores.js';
export { renderSvg, renderPng, compileToVega, fontFiles } from './lib/plots/render.js';
export type { PngOptions } from './lib/plots/render.js';

export { writeSyntheticRunTree, SYNTHETIC_DATASET_HASH } from './lib/testing/synthetic-run-tree.js';
export type { SyntheticRunTreeOptions } from './lib/testing/synthetic-run-tree.js';
