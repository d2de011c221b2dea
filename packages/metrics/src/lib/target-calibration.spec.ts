import { WARNING } from './result.js';
import { targetCalibrationError, targetReliabilityDiagram } from './target-calibration.js';

describe('targetReliabilityDiagram and targetCalibrationError', () => {
  // p(label 1) = [0.1, 0.3, 0.8, 1], y = [1, 0, 1, 0], 4 bins (0, ¼], (¼, ½], (½, ¾], (¾, 1].
  const y = [1, 0, 1, 0];
  const p = [0.1, 0.3, 0.8, 1];

  it('bins p(target) for target 1 by its edges and keeps the empty bins (hand-computed)', () => {
    const diagram = targetReliabilityDiagram(y, p, { targetLabel: 1, bins: 4 });
    expect(diagram.map((b) => [b.lower, b.upper, b.count])).toEqual([
      [0, 0.25, 1],
      [0.25, 0.5, 1],
      [0.5, 0.75, 0],
      [0.75, 1, 2],
    ]);
    expect(diagram[0]).toMatchObject({ meanPredicted: 0.1, observedFrequency: 1 });
    expect(diagram[1]).toMatchObject({ meanPredicted: 0.3, observedFrequency: 0 });
    expect(diagram[2]!.meanPredicted).toBeNaN();
    expect(diagram[2]!.observedFrequency).toBeNaN();
    expect(diagram[3]).toMatchObject({ meanPredicted: 0.9, observedFrequency: 0.5 });
    // ECE = ¼·|1 − 0.1| + ¼·|0 − 0.3| + ½·|0.5 − 0.9| = 0.225 + 0.075 + 0.2.
    expect(targetCalibrationError(y, p, { targetLabel: 1, bins: 4 }).value).toBeCloseTo(0.5, 15);
  });

  it('reads p(target) = 1 − p for target 0, p(target) = 0 going to the first bin', () => {
    // p(0) = [0.9, 0.7, 0.2, 0]; the target (y = 0) occurs at stays 1 and 3.
    const diagram = targetReliabilityDiagram(y, p, { targetLabel: 0, bins: 4 });
    expect(diagram.map((b) => b.count)).toEqual([2, 0, 1, 1]);
    expect(diagram[0]!.meanPredicted).toBeCloseTo(0.1, 15);
    expect(diagram[0]!.observedFrequency).toBe(0.5);
    expect(diagram[2]).toMatchObject({ observedFrequency: 1 });
    expect(diagram[3]).toMatchObject({ observedFrequency: 0 });
    // ECE = ½·|0.5 − 0.1| + ¼·|1 − 0.7| + ¼·|0 − 0.9| = 0.2 + 0.075 + 0.225.
    expect(targetCalibrationError(y, p, { targetLabel: 0, bins: 4 }).value).toBeCloseTo(0.5, 15);
  });

  it('settles probabilities whose product with the bin count rounds across an edge', () => {
    // 0.56 · 25 = 14.000000000000002: ceil gives bin 14, but 0.56 ≤ 14/25 belongs to bin 13.
    expect(targetReliabilityDiagram([1], [0.56], { targetLabel: 1, bins: 25 }).findIndex((b) => b.count === 1)).toBe(13);
    // 0.6666666666666667 · 3 = 2: ceil gives bin 1, but it is above 2/3 = 0.6666666666666666 → bin 2.
    expect(targetReliabilityDiagram([1], [0.6666666666666667], { targetLabel: 1, bins: 3 }).findIndex((b) => b.count === 1)).toBe(2);
  });

  it('accepts 1 to 10000 bins and names a bad count', () => {
    // One bin (0, 1] holds every stay.
    const [only, ...rest] = targetReliabilityDiagram([1, 0], [0.7, 0.2], { targetLabel: 1, bins: 1 });
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ lower: 0, upper: 1, count: 2, observedFrequency: 0.5 });
    expect(only!.meanPredicted).toBeCloseTo(0.45, 15);
    expect(targetReliabilityDiagram([1], [0.7], { targetLabel: 1, bins: 10_000 })).toHaveLength(10_000);
    for (const bins of [0, 2.5, 10_001]) {
      expect(() => targetReliabilityDiagram([1], [0.7], { targetLabel: 1, bins })).toThrow(
        expect.objectContaining({ code: 'E_METRICS_INVALID_OPTION', message: `bins must be an integer in [1, 10000], got ${bins}.` }),
      );
    }
  });

  it('uses 15 bins when none are given, and rejects a target label other than 0 or 1', () => {
    const diagram = targetReliabilityDiagram(y, p, { targetLabel: 1 });
    expect(diagram).toHaveLength(15);
    expect(diagram[14]).toMatchObject({ lower: 14 / 15, upper: 1, count: 1, observedFrequency: 0 });
    expect(targetCalibrationError(y, p, { targetLabel: 1 }).value).toBeCloseTo(
      targetCalibrationError(y, p, { targetLabel: 1, bins: 15 }).value,
      15,
    );
    expect(() => targetReliabilityDiagram(y, p, { targetLabel: 2 })).toThrow('targetLabel must be 0 or 1, got 2.');
  });

  it('is NaN with a reason on an empty set', () => {
    expect(targetCalibrationError([], [], { targetLabel: 1 })).toEqual({
      value: Number.NaN,
      code: WARNING.empty,
      reason: 'class-wise ECE is undefined on an empty set.',
    });
  });
});
