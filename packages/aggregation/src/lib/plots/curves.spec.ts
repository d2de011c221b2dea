import { areaUnder, interpolatedPrecisionAt, prCurve, reliabilityOfTarget, rocAt, rocCurve, unitGrid } from './curves.js';

describe('rocCurve', () => {
  test('equals sklearn roc_curve(drop_intermediate=False) on a hand case', () => {
    // sklearn: fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1]; roc_auc_score 0.75
    const c = rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])!;
    expect(Array.from(c.x)).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(Array.from(c.y)).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(areaUnder(c)).toBeCloseTo(0.75, 12);
  });

  test('merges tied scores into one threshold (a diagonal step), as AUROC counts ties as half', () => {
    const c = rocCurve([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])!;
    expect(Array.from(c.x)).toEqual([0, 0, 0.5, 1]);
    expect(Array.from(c.y)).toEqual([0, 0.5, 1, 1]);
    expect(areaUnder(c)).toBeCloseTo(0.875, 12);
  });

  test('is undefined with one class', () => {
    expect(rocCurve([1, 1], [0.2, 0.3])).toBeUndefined();
  });

  test('rocAt interpolates linearly and takes the top of vertical steps', () => {
    const c = rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])!;
    expect(rocAt(c, [0, 0.25, 0.5, 0.75, 1])).toEqual([0.5, 0.5, 1, 1, 1]);
  });
});

describe('prCurve', () => {
  test('equals sklearn precision_recall_curve on a hand case, and interpolated precision is the running maximum', () => {
    // sklearn (thresholds 0.8, 0.4, 0.35, 0.1): precision [1, 0.5, 0.667, 0.5], recall [0.5, 0.5, 1, 1]
    const c = prCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])!;
    expect(Array.from(c.x)).toEqual([0.5, 0.5, 1, 1]);
    expect(Array.from(c.y)).toEqual([1, 0.5, 2 / 3, 0.5]);
    expect(interpolatedPrecisionAt(c, [0, 0.5, 0.75, 1])).toEqual([1, 1, 2 / 3, 2 / 3]);
  });
});

test('unitGrid spans [0, 1]', () => {
  expect(unitGrid(4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
});

test('reliabilityOfTarget pools runs, bins p(target) and leaves out empty bins', () => {
  const bins = reliabilityOfTarget(
    [
      { isTarget: [1, 0, 1], pTarget: [0.95, 0.05, 1] },
      { isTarget: [0], pTarget: [0.15] },
    ],
    10,
  );
  expect(bins).toEqual([
    { lower: 0, upper: 0.1, count: 1, predicted: 0.05, observed: 0 },
    { lower: 0.1, upper: 0.2, count: 1, predicted: 0.15, observed: 0 },
    { lower: 0.9, upper: 1, count: 2, predicted: 0.975, observed: 1 },
  ]);
});
