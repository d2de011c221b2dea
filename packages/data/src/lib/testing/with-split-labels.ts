import { createDataset } from '../dataset/create-dataset.js';
import { SPLIT_CODE, type EhrDataset, type SplitName } from '../dataset/types.js';

/**
 * The same dataset with every stay of one split given `label`: a one-class training or validation split,
 * the degenerate case that checks of a poisoning plan or an operating threshold must refuse.
 */
export function withSplitLabels(dataset: EhrDataset, split: SplitName, label: 0 | 1): EhrDataset {
  const labels = Uint8Array.from(dataset.labels, (y, i) => (dataset.splits[i] === SPLIT_CODE[split] ? label : y));
  return createDataset({
    stayIds: dataset.stayIds,
    subjectIds: dataset.subjectIds,
    labels,
    splits: dataset.splits,
    tabular: { features: dataset.tabular.features, values: dataset.tabular.values },
    timeSeries: {
      channels: dataset.timeSeries.channels,
      hours: dataset.timeSeries.hours,
      values: dataset.timeSeries.values,
      mask: dataset.timeSeries.mask,
      fillValues: dataset.timeSeries.fillValues,
    },
  });
}
