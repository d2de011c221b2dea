import fc from 'fast-check';
import { expectedCalibrationError, reliabilityDiagram } from './calibration.js';
import { WARNING } from './result.js';

describe('calibration', () => {
  // y = [1, 0, 1, 0], p = [0.9, 0.2, 0.4, 0.55]
  // predicted class (p > 0.5): [1, 0, 0, 1]; confidence max(p, 1 − p): [0.9, 0.8, 0.6, 0.55]; right: [1, 1, 0, 0].
  // Bins (b/15, (b+1)/15]: 0.9 → b = 13 (0.867, 0.933]; 0.8 = 12/15 is an edge → b = 11 (0.733, 0.8];
  // 0.6 = 9/15 is an edge → b = 8 (0.533, 0.6]; 0.55 → b = 8.
  // ECE = 2/4·|0 − 0.575| + 1/4·|1 − 0.8| + 1/4·|1 − 0.9| = 0.2875 + 0.05 + 0.025 = 0.3625.
  const y = [1, 0, 1, 0];
  const p = [0.9, 0.2, 0.4, 0.55];

  it('computes ECE over 15 equal-width bins of the predicted-class confidence', () => {
    expect(expectedCalibrationError(y, p).value).toBeCloseTo(0.3625, 15);
  });

  it('puts a confidence on a bin edge into the bin below it', () => {
    const bins = reliabilityDiagram(y, p);
    expect(bins).toHaveLength(15);
    expect(bins.map((b) => b.count)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 1, 0, 1, 0]);
    expect(bins[8]).toMatchObject({ count: 2, accuracy: 0 });
    expect(bins[8]!.confidence).toBeCloseTo(0.575, 15);
    expect(bins[11]).toMatchObject({ count: 1, accuracy: 1, confidence: 0.8 });
    expect(bins[0]!.confidence).toBeNaN();
    expect(bins[14]).toMatchObject({ upper: 1 });
  });

  it('is 0 for a calibrated coin and puts p = 0 and p = 1 into the top bin', () => {
    // p = 0.5 predicts 0 with confidence 0.5; one of the two is right → |0.5 − 0.5| = 0.
    expect(expectedCalibrationError([0, 1], [0.5, 0.5]).value).toBe(0);
    // Confidence 1 and right every time.
    expect(expectedCalibrationError([0, 1], [0, 1]).value).toBe(0);
    expect(reliabilityDiagram([0, 1], [0, 1])[14]!.count).toBe(2);
  });

  it('honours another bin count', () => {
    // 2 bins (0, 0.5], (0.5, 1]: all four confidences are > 0.5 → one bin, accuracy ½, mean confidence 0.7125.
    expect(expectedCalibrationError(y, p, 2).value).toBeCloseTo(0.2125, 15);
    expect(() => expectedCalibrationError(y, p, 0)).toThrow(expect.objectContaining({ code: 'E_METRICS_INVALID_OPTION' }));
  });

  it('is NaN with a reason on an empty set', () => {
    expect(expectedCalibrationError([], [])).toMatchObject({
      value: Number.NaN,
      code: WARNING.empty,
      reason: 'ECE is undefined on an empty set.',
    });
  });

  it('lies in [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 80 }),
        (rows) => {
          const ece = expectedCalibrationError(
            rows.map(([v]) => v),
            rows.map(([, v]) => v),
          ).value;
          expect(ece).toBeGreaterThanOrEqual(0);
          expect(ece).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});

describe('calibration bins', () => {
  it('accepts 1 to 10000 bins and names a bad count', () => {
    expect(reliabilityDiagram([1], [0.7], 10_000)).toHaveLength(10_000);
    // One bin (0, 1] holds every stay.
    expect(reliabilityDiagram([1, 0], [0.7, 0.9], 1)).toEqual([{ lower: 0, upper: 1, count: 2, confidence: 0.8, accuracy: 0.5 }]);
    for (const bins of [10_001, 2.5, -1]) {
      expect(() => reliabilityDiagram([1], [0.7], bins)).toThrow(
        expect.objectContaining({ code: 'E_METRICS_INVALID_OPTION', message: `bins must be an integer in [1, 10000], got ${bins}.` }),
      );
    }
  });

  it('describes every bin by its edges, with NaN confidence and accuracy when empty', () => {
    const bins = reliabilityDiagram([1, 0], [0.95, 0.3], 4);
    expect(bins.map((b) => [b.lower, b.upper, b.count])).toEqual([
      [0, 0.25, 0],
      [0.25, 0.5, 0],
      [0.5, 0.75, 1],
      [0.75, 1, 1],
    ]);
    expect(bins[0]!.accuracy).toBeNaN();
    expect(bins[2]).toMatchObject({ confidence: 0.7, accuracy: 1 });
    expect(bins[3]).toMatchObject({ confidence: 0.95, accuracy: 1 });
  });

  it('settles confidences whose product with the bin count rounds across an edge', () => {
    // 0.56 · 25 = 14.000000000000002 in doubles: ceil would give bin 14, but 0.56 ≤ 14/25 belongs to bin 13.
    expect(0.56 * 25).toBeGreaterThan(14);
    expect(reliabilityDiagram([1], [0.56], 25).findIndex((b) => b.count === 1)).toBe(13);
    // 0.6666666666666667 · 3 = 2 exactly: ceil would give bin 1, but it is above 2/3 = 0.6666666666666666 → bin 2.
    expect(0.6666666666666667 * 3).toBe(2);
    expect(reliabilityDiagram([1], [0.6666666666666667], 3).findIndex((b) => b.count === 1)).toBe(2);
  });
});
