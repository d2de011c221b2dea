import { confidentJoint, estimatedLabelIssues } from './confident-joint.js';

/** p̂(class 1) per stay, in eighths so that every complement and comparison is exact. */
function byP1(p1: readonly number[]) {
  return (i: number, j: number) => (j === 1 ? p1[i] : 1 - p1[i]);
}

describe('confident joint', () => {
  it('counts each stay under its given label and the one class whose threshold it reaches (≥)', () => {
    const labels = [0, 0, 0, 1, 1, 1];
    const p1 = [0.125, 0.625, 0.375, 0.875, 0.25, 0.5];
    // t = (0.5, 0.625): stay 1's p̂₁ = 0.625 is exactly t₁ and stay 5's p̂₀ = 0.5 exactly t₀; both count.
    expect(confidentJoint(byP1(p1), [0.5, 0.625], labels, 6)).toEqual([
      [2, 1],
      [2, 1],
    ]);
  });

  it('counts a stay above both thresholds towards its larger p̂, towards class 0 on a tie', () => {
    const labels = [0, 0, 1, 1, 0];
    const p1 = [0.625, 0.375, 0.625, 0.375, 0.5];
    // t₀ + t₁ < 1 (a model worse than chance): every stay clears both.
    expect(confidentJoint(byP1(p1), [0.25, 0.25], labels, 5)).toEqual([
      [2, 1],
      [1, 1],
    ]);
  });

  it('counts a stay above one threshold towards that class even when the other p̂ is larger', () => {
    // t = (0.25, 0.875): p̂₁ = 0.75 misses t₁, so the stay is confidently class 0 despite p̂₀ = 0.25.
    expect(confidentJoint(byP1([0.75, 0.875]), [0.25, 0.875], [1, 1], 2)).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });

  it('leaves out a stay above neither threshold', () => {
    expect(confidentJoint(byP1([0.5, 0.75]), [0.625, 0.625], [0, 1], 2)).toEqual([
      [0, 0],
      [0, 1],
    ]);
  });
});

describe('estimated label issues', () => {
  it('calibrates each row of the joint to its label count and rounds', () => {
    // Label 0: 2 of 10 confident stays are class 1 → 0.2 × 12 = 2.4 → 2; label 1: 1 of 4 → 0.25 × 6 = 1.5 → 2.
    expect(
      estimatedLabelIssues(
        [
          [8, 2],
          [1, 3],
        ],
        [12, 6],
      ),
    ).toEqual([2, 2]);
  });

  it('estimates 0 for a label none of whose stays is confidently of either class', () => {
    expect(
      estimatedLabelIssues(
        [
          [0, 0],
          [1, 3],
        ],
        [12, 6],
      ),
    ).toEqual([0, 2]);
  });
});
