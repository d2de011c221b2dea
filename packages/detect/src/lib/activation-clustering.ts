import { assertInput, Random } from '@ehr-backdoor/core';
import { fastIca } from './fast-ica.js';
import { kMeans, silhouette, squaredDistance } from './kmeans.js';
import { assertMatrix, centredRows, covarianceOf, rowsByLabel, type Matrix } from './matrix.js';
import { topEigenvectors } from './power-iteration.js';
import type { DetectorResult } from './types.js';
import type { DetectCode } from './error-codes.js';

/**
 * Activation clustering (Chen et al., SafeAI@AAAI 2019, arXiv 1811.03728):
 *
 *   for each label y:
 *     penultimate activations of the stays labelled y ─▶ reduce to 10 dimensions
 *       ─▶ 2-means ─▶ analyse the two clusters ─▶ flag the smaller one if it looks poisoned
 *
 * Reduction (`reduction`): 'ica' (default), FastICA to 10 components as the paper and ART's
 * ActivationDefence (scikit-learn's FastICA, reproduced in fast-ica.ts); 'pca', the top 10 principal
 * components by power iteration, which keep the directions of largest spread. Clustering: k-means++
 * seeding with 10 restarts, as sklearn's KMeans.
 *
 * Analysis (`analysis`), after the paper's §4 and ART's ClusteringAnalyzer:
 *   size-and-silhouette  (default, ART's silhouette analysis) the smaller cluster is poisoned when it holds
 *                        < `sizeThreshold` (0.35) of the label AND the 2-cluster silhouette is > `silhouetteThreshold` (0.10)
 *   relative-size        ... when it holds < `sizeThreshold` of the label, whatever the silhouette
 *   silhouette           ... when the silhouette is > `silhouetteThreshold`, whatever the size
 *   smaller              the smaller cluster is always flagged
 * Exclusionary reclassification, the paper's second check, is {@link exclusionaryReclassification}.
 *
 * Score per stay = [1 if in a flagged cluster] + d_large / (d_small + d_large), distances to the two
 * centroids in the reduced space: flagged stays rank first, and within and across labels a stay ranks
 * higher the closer it lies to its label's smaller cluster.
 */
export type ClusterAnalysis = 'size-and-silhouette' | 'relative-size' | 'silhouette' | 'smaller';

/**
 * Inputs and settings of {@link activationClustering}: penultimate `representations` (n × d) and the
 * training `labels` they were trained with; `sizeThreshold` (default 0.35, in (0, 0.5]) and
 * `silhouetteThreshold` (default 0.10) apply to the `relative-size` and `silhouette` analyses; `seed`
 * (default 0) seeds the projection and k-means.
 */
export interface ActivationClusteringOptions {
  /** n × d penultimate activations of the training stays. */
  readonly representations: Matrix;
  /**
   * Training labels as trained on (poisoned labels included), length n; each label is clustered separately.
   */
  readonly labels: ArrayLike<number>;
  /** Default 10, the paper's. */
  readonly dimensions?: number;
  /** Default 'size-and-silhouette' (ART's rule). */
  readonly analysis?: ClusterAnalysis;
  /** Default 'ica' (the paper's and ART's FastICA); 'pca' for principal components. */
  readonly reduction?: 'ica' | 'pca';
  /**
   * `relative-size`, `size-and-silhouette`: the smaller cluster is flagged below this share of its label. Default 0.35, in (0, 0.5].
   */
  readonly sizeThreshold?: number;
  /**
   * `silhouette`, `size-and-silhouette`: the 2-cluster silhouette must exceed this. Default 0.10.
   */
  readonly silhouetteThreshold?: number;
  /** k-means++ restarts. Default 10. */
  readonly restarts?: number;
  /** Points the silhouette is estimated on. Default 2000. */
  readonly silhouetteSample?: number;
  /** Seeds the power iteration and k-means++. Default 0. */
  readonly seed?: number;
}

/**
 * Activation clustering (Chen et al. 2019) over the training stays, as described at the top of this
 * module: per label, FastICA (or PCA) to `dimensions`, 2-means, and the smaller cluster flagged when
 * the chosen analysis says it is poisoned. Deterministic for a given `seed`.
 * @throws InputError `E_DETECT_INPUT` for a malformed matrix, labels of another length, `dimensions` < 1,
 * an unknown `analysis` or `sizeThreshold` outside (0, 0.5]; `E_DETECT_NOT_FINITE` for a non-finite value.
 */
export function activationClustering(options: ActivationClusteringOptions): DetectorResult {
  const { representations: R, labels } = options;
  const settings = checkedSettings(options);
  const random = Random.fromSeed(options.seed ?? 0, 'activation-clustering');
  const scores = new Float64Array(R.rows).fill(NaN);
  const flagged: number[] = [];
  const perLabel: Record<string, number | boolean | string>[] = [];
  const warnings: string[] = [];
  for (const [label, rows] of rowsByLabel(labels)) {
    const n = rows.length;
    if (n < 3) {
      warnings.push(`label ${label}: ${n} stays, too few to cluster; their scores are NaN`);
      perLabel.push({ label, n, skipped: true });
      continue;
    }
    const k = Math.min(settings.dims, R.cols);
    const reduced = reduce(R, rows, k, settings.reduction, random, (warning) => warnings.push(`label ${label}: ${warning}`));
    const clusters = analyseClusters(reduced, n, k, settings, random);
    if (clusters.sizes[clusters.small] === 0) warnings.push(`label ${label}: 2-means found one cluster (all reduced activations equal)`);
    scoreStays(reduced, rows, k, clusters, scores, flagged);
    const { sizes, small, relativeSize, sil, poisoned } = clusters;
    perLabel.push({
      label,
      n,
      reduction: settings.reduction,
      dimensions: k,
      smallerClusterSize: sizes[small],
      relativeSize,
      silhouette: sil,
      poisoned,
    });
  }
  return { detector: 'activation_clustering', scores, flagged: Int32Array.from(flagged.sort((a, b) => a - b)), perLabel, warnings };
}

/** {@link ActivationClusteringOptions} with its defaults filled in. */
interface ClusteringSettings {
  readonly dims: number;
  readonly analysis: ClusterAnalysis;
  readonly reduction: 'ica' | 'pca';
  readonly sizeThreshold: number;
  readonly silhouetteThreshold: number;
  readonly restarts: number;
  readonly silhouetteSample: number;
}

function checkedSettings(options: ActivationClusteringOptions): ClusteringSettings {
  const { representations: R, labels } = options;
  assertMatrix(R, 'representations');
  assertInput<DetectCode>(
    labels.length === R.rows,
    'E_DETECT_INPUT',
    () => `labels has ${labels.length} entries for ${R.rows} representations.`,
  );
  const dims = options.dimensions ?? 10;
  const analysis = options.analysis ?? 'size-and-silhouette';
  const reduction = options.reduction ?? 'ica';
  assertInput<DetectCode>(
    reduction === 'ica' || reduction === 'pca',
    'E_DETECT_INPUT',
    () => `activation_clustering: reduction must be ica or pca, got ${String(reduction)}.`,
  );
  const sizeThreshold = options.sizeThreshold ?? 0.35;
  const silhouetteThreshold = options.silhouetteThreshold ?? 0.1;
  assertInput<DetectCode>(Number.isInteger(dims) && dims >= 1, 'E_DETECT_INPUT', () => `dimensions must be an integer ≥ 1, got ${dims}.`);
  assertInput<DetectCode>(
    ['size-and-silhouette', 'relative-size', 'silhouette', 'smaller'].includes(analysis),
    'E_DETECT_INPUT',
    () => `activation_clustering: analysis must be size-and-silhouette, relative-size, silhouette or smaller, got ${analysis}.`,
  );
  assertInput<DetectCode>(
    sizeThreshold > 0 && sizeThreshold <= 0.5,
    'E_DETECT_INPUT',
    () => `sizeThreshold must be in (0, 0.5], got ${sizeThreshold}.`,
  );
  const restarts = options.restarts ?? 10;
  const silhouetteSample = options.silhouetteSample ?? 2000;
  return { dims, analysis, reduction, sizeThreshold, silhouetteThreshold, restarts, silhouetteSample };
}

/** The label's centred activations in k dimensions, n × k row-major. */
function reduce(
  R: Matrix,
  rows: Int32Array,
  k: number,
  reduction: 'ica' | 'pca',
  random: Random,
  warn: (warning: string) => void,
): Float64Array {
  const n = rows.length;
  const d = R.cols;
  const { centred } = centredRows(R, rows);
  if (reduction === 'ica') {
    const ica = fastIca(centred, n, d, k, random);
    if (!ica.converged) warn(`FastICA did not converge in ${ica.iterations} iterations`);
    return ica.sources;
  }
  const { vectors } = topEigenvectors(covarianceOf(centred, n, d), d, k, random, { maxIterations: 500, tolerance: 1e-6 });
  const reduced = new Float64Array(n * k);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < k; c++) {
      let p = 0;
      for (let j = 0; j < d; j++) p += centred[r * d + j] * vectors[c][j];
      reduced[r * k + c] = p;
    }
  return reduced;
}

/** 2-means of one label and the chosen analysis' verdict on its smaller cluster. */
interface ClusterVerdict {
  readonly assignment: Int32Array;
  readonly centroids: Float64Array;
  readonly sizes: ArrayLike<number>;
  readonly small: number;
  readonly relativeSize: number;
  readonly sil: number;
  readonly poisoned: boolean;
}

function analyseClusters(reduced: Float64Array, n: number, k: number, settings: ClusteringSettings, random: Random): ClusterVerdict {
  const { analysis, sizeThreshold, silhouetteThreshold } = settings;
  const { assignment, centroids, sizes } = kMeans(reduced, n, k, 2, random, settings.restarts);
  const small = sizes[0] <= sizes[1] ? 0 : 1;
  const relativeSize = sizes[small] / n;
  // The silhouette draws from `random`: only the analyses that read it may, or the others' draws would shift.
  const needsSilhouette = analysis === 'silhouette' || analysis === 'size-and-silhouette';
  const sil = needsSilhouette ? silhouette(reduced, n, k, assignment, 2, random, settings.silhouetteSample) : NaN;
  const smallEnough = relativeSize < sizeThreshold;
  const separated = sil > silhouetteThreshold;
  const poisoned =
    sizes[small] > 0 &&
    (analysis === 'smaller' ||
      (analysis === 'relative-size' ? smallEnough : analysis === 'silhouette' ? separated : smallEnough && separated));
  return { assignment, centroids, sizes, small, relativeSize, sil, poisoned };
}

/** Writes the label's stays' scores (see the module comment) and collects those in a flagged cluster. */
function scoreStays(
  reduced: Float64Array,
  rows: Int32Array,
  k: number,
  { assignment, centroids, small, poisoned }: ClusterVerdict,
  scores: Float64Array,
  flagged: number[],
): void {
  for (let r = 0; r < rows.length; r++) {
    const dSmall = Math.sqrt(squaredDistance(reduced, r * k, centroids, small * k, k));
    const dLarge = Math.sqrt(squaredDistance(reduced, r * k, centroids, (1 - small) * k, k));
    const closeness = dSmall + dLarge > 0 ? dLarge / (dSmall + dLarge) : 0.5;
    const inFlagged = poisoned && assignment[r] === small;
    scores[rows[r]] = (inFlagged ? 1 : 0) + closeness;
    if (inFlagged) flagged.push(rows[r]);
  }
}
