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

  it('computes binary cross-entropy with clipping', () => {
    const bce = binaryCrossEntropy([0.9, 0.9, 0, 1], [1, 0, 1, 0]);
    expect(bce[0]).toBeCloseTo(-Math.log(0.9), 12);
    expect(bce[1]).toBeCloseTo(-Math.log(0.1), 12);
    expect(bce[2]).toBeCloseTo(-Math.log(1e-7), 9);
    expect(bce[3]).toBeCloseTo(-Math.log(1e-7), 6);
  });
});
