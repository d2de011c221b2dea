import { ablIsolation, binaryCrossEntropy } from './abl-isolation.js';
import { detectionAuroc, precisionAtFlagged, truthMask } from './detection-metrics.js';

describe('ABL isolation', () => {
  const n = 1000;
  const labels = Uint8Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 1 : 0));

  it('isolates the stays an early model already fits (the backdoor, learned fast)', () => {
    const poisoned = [3, 17, 222, 444, 501, 777, 808, 901, 950, 999];
    // Early model: clean stays half-learned (p of own label 0.55–0.85), poisoned ones fitted (0.99).
    const p = Float64Array.from({ length: n }, (_, i) => {
      const own = poisoned.includes(i) ? 0.99 : 0.55 + (0.3 * ((i * 7919) % 1000)) / 1000;
      return labels[i] === 1 ? own : 1 - own;
    });
    const result = ablIsolation({ losses: binaryCrossEntropy(p, labels), assumedContamination: 0.01, labels });
    const truth = truthMask(n, poisoned);
    expect(result.flagged.length).toBe(10);
    expect(precisionAtFlagged(result.flagged, truth).value).toBe(1);
    expect(detectionAuroc(result.scores, truth).value).toBe(1);
  });

  it("with tail 'high' isolates the stays fitted last (flipped labels not yet learned)", () => {
    const losses = Float64Array.from({ length: n }, (_, i) => (i < 10 ? 3 : 0.2 + ((i * 31) % 97) / 200));
    const result = ablIsolation({ losses, assumedContamination: 0.01, tail: 'high' });
    expect(Array.from(result.flagged)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(() => ablIsolation({ losses, assumedContamination: 0.01, tail: 'middle' as never })).toThrow(/tail must be low or high/);
  });

  it('isolates exactly its budget on a clean set', () => {
    const losses = Float64Array.from({ length: n }, (_, i) => 0.3 + ((i * 31) % 97) / 97);
    expect(ablIsolation({ losses, assumedContamination: 0.05 }).flagged.length).toBe(50);
  });

  it('rejects missing or invalid losses with the detector named', () => {
    expect(() => ablIsolation({ losses: [], assumedContamination: 0.01 })).toThrow(/abl_isolation needs the per-stay losses/);
    expect(() => ablIsolation({ losses: [0.1, NaN], assumedContamination: 0.01 })).toThrow(/loss of stay 1 is NaN/);
    expect(() => ablIsolation({ losses: [0.1], assumedContamination: 0.5 })).toThrow(/abl_isolation: the assumed contamination/);
  });

  it('summarises the loss per label, or the stay count without labels', () => {
    const losses = [0.1, 0.5, 0.2, 0.9, 0.05, 0.3, 0.4, 0.6, 0.7, 0.8];
    const labels = [0, 1, 0, 1, 0, 0, 0, 0, 0, 0];
    const result = ablIsolation({ losses, assumedContamination: 0.2, labels });
    expect(Array.from(result.flagged)).toEqual([0, 4]);
    expect(Array.from(result.scores)).toEqual(losses.map((l) => -l));
    expect(result.perLabel).toHaveLength(2);
    expect(result.perLabel[0]).toEqual({ label: 0, n: 8, meanLoss: expect.closeTo(3.15 / 8, 12), isolated: 2 });
    expect(result.perLabel[1]).toEqual({ label: 1, n: 2, meanLoss: expect.closeTo(0.7, 12), isolated: 0 });
    expect(result).toMatchObject({ detector: 'abl_isolation', warnings: [] });
    expect(ablIsolation({ losses, assumedContamination: 0.2 }).perLabel).toEqual([{ n: 10 }]);
    const oneLabel = ablIsolation({ losses, assumedContamination: 0.2, labels: new Array(10).fill(1) });
    expect(oneLabel.perLabel).toEqual([{ label: 1, n: 10, meanLoss: expect.closeTo(4.55 / 10, 12), isolated: 2 }]);
    expect(Array.from(ablIsolation({ losses, assumedContamination: 0.2, tail: 'low' }).flagged)).toEqual([0, 4]);
  });

  it('rejects labels of another length and negative losses, naming the counts', () => {
    expect(() => ablIsolation({ losses: [0.1, 0.2], assumedContamination: 0.01, labels: [0] })).toThrow(
      'abl_isolation: 1 labels for 2 losses.',
    );
    expect(() => ablIsolation({ losses: [0.1, -0.2], assumedContamination: 0.01 })).toThrow(
      'abl_isolation: loss of stay 1 is -0.2; losses must be finite and ≥ 0.',
    );
    expect(() => ablIsolation({ losses: [0.1, Infinity], assumedContamination: 0.01 })).toThrow(/loss of stay 1 is Infinity/);
    expect(ablIsolation({ losses: [0, 0.2], assumedContamination: 0.4 }).flagged.length).toBe(1);
    expect(() => ablIsolation({ losses: [], assumedContamination: 0.01 })).toThrow(
      expect.objectContaining({
        code: 'E_DETECT_INPUT',
        message: 'abl_isolation needs the per-stay losses of an early model; none given.',
      }),
    );
  });

  it('computes binary cross-entropy with clipping', () => {
    const bce = binaryCrossEntropy([0.9, 0.9, 0, 1], [1, 0, 1, 0]);
    expect(bce[0]).toBeCloseTo(-Math.log(0.9), 12);
    expect(bce[1]).toBeCloseTo(-Math.log(0.1), 12);
    expect(bce[2]).toBeCloseTo(-Math.log(1e-7), 9);
    expect(bce[3]).toBeCloseTo(-Math.log(1e-7), 6);
    // The clip is 1e-7 on both sides, not a wider one.
    expect(binaryCrossEntropy([1e-6, 1 - 1e-6], [1, 0])[0]).toBeCloseTo(-Math.log(1e-6), 9);
    expect(binaryCrossEntropy([1e-6, 1 - 1e-6], [1, 0])[1]).toBeCloseTo(-Math.log(1e-6), 6);
    expect(binaryCrossEntropy([0.3], [0])).toHaveLength(1);
  });
});
