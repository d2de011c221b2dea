import {
  defenceEffectivenessRating,
  detectionAuroc,
  precisionAtFlagged,
  recallAtFlagged,
  tprAtFpr,
  truthMask,
} from './detection-metrics.js';

describe('detection metrics', () => {
  it('computes AUROC as sklearn, ties counting one half', () => {
    expect(detectionAuroc([0.1, 0.4, 0.35, 0.8], Uint8Array.from([0, 0, 1, 1])).value).toBeCloseTo(0.75, 12);
    expect(detectionAuroc([1, 1, 0], Uint8Array.from([1, 0, 0])).value).toBeCloseTo(0.75, 12);
    expect(detectionAuroc([NaN, 2, 1], Uint8Array.from([0, 1, 0])).value).toBe(1);
  });

  it('finds the best TPR under the FPR limit without splitting ties', () => {
    const truth = Uint8Array.from([1, 0, 1, 0, 0]);
    expect(tprAtFpr([5, 4, 3, 2, 1], truth, 0.4).value).toBe(1);
    expect(tprAtFpr([5, 4, 3, 2, 1], truth, 0.3).value).toBe(0.5);
    expect(tprAtFpr([5, 5, 5, 2, 1], truth, 0.3).value).toBe(0);
    // A tie below the top enters whole, once: the clean stay tied with a poisoned one costs FPR 1/3.
    const tiedBelow = Uint8Array.from([1, 1, 0, 0, 0]);
    expect(tprAtFpr([5, 3, 3, 1, 0], tiedBelow, 0.4).value).toBe(1);
    expect(tprAtFpr([5, 3, 3, 1, 0], tiedBelow, 0.3).value).toBe(0.5);
  });

  it('scores the flagged set', () => {
    const truth = truthMask(6, [1, 4]);
    expect(Array.from(truth)).toEqual([0, 1, 0, 0, 1, 0]);
    expect(precisionAtFlagged([1, 2, 4, 5], truth).value).toBe(0.5);
    expect(recallAtFlagged([1, 2], truth).value).toBe(0.5);
  });

  it('returns NaN with a reason for degenerate input', () => {
    const clean = new Uint8Array(3);
    for (const scored of [
      detectionAuroc([1, 2, 3], clean),
      tprAtFpr([1, 2, 3], clean),
      precisionAtFlagged([], clean),
      recallAtFlagged([0], clean),
    ]) {
      expect(scored.value).toBeNaN();
      expect(scored.reason).toEqual(expect.any(String));
    }
  });

  it('computes BackdoorBench’s DER', () => {
    expect(defenceEffectivenessRating({ asr: 0.9, clean: 0.8 }, { asr: 0.1, clean: 0.75 }).value).toBeCloseTo(0.875, 12);
    // A defence that makes things worse on both counts: ASR up, clean up — neither term rewards it.
    expect(defenceEffectivenessRating({ asr: 0.2, clean: 0.7 }, { asr: 0.5, clean: 0.8 }).value).toBeCloseTo(0.5, 12);
    expect(defenceEffectivenessRating({ asr: 0.9, clean: 0.9 }, { asr: 0.9, clean: 0.5 }).value).toBeCloseTo(0.3, 12);
    expect(defenceEffectivenessRating({ asr: NaN, clean: 0.9 }, { asr: 0.1, clean: 0.8 }).value).toBeNaN();
  });
});

describe('detectionAuroc (property)', () => {
  it('equals the share of (poisoned, clean) pairs ranked correctly, ties counting one half', async () => {
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.boolean()), { minLength: 2, maxLength: 40 }), (rows) => {
        const scores = rows.map(([s]) => s);
        const truth = Uint8Array.from(rows, ([, t]) => (t ? 1 : 0));
        let wins = 0;
        let pairs = 0;
        rows.forEach(([sp, tp]) =>
          rows.forEach(([sn, tn]) => {
            if (tp && !tn) {
              pairs++;
              wins += sp > sn ? 1 : sp === sn ? 0.5 : 0;
            }
          }),
        );
        const value = detectionAuroc(scores, truth).value;
        return pairs === 0 ? Number.isNaN(value) : Math.abs(value - wins / pairs) < 1e-12;
      }),
    );
  });
});

describe('detection metrics: limits and reasons', () => {
  it('tprAtFpr allows an FPR of exactly the limit (default 5 %) and ranks NaN scores last', () => {
    // 20 clean stays: one false positive is an FPR of exactly 0.05.
    const truth = Uint8Array.from([1, 0, 1, ...new Array(18).fill(0), 0]);
    const scores = [10, 9, 8, ...Array.from({ length: 19 }, (_, k) => 7 - k / 10)];
    expect(tprAtFpr(scores, truth).value).toBe(1);
    expect(tprAtFpr(scores, truth, 0.04).value).toBe(0.5);
    expect(tprAtFpr([NaN, 5, 1], Uint8Array.from([1, 1, 0]), 0).value).toBe(0.5);
    expect(detectionAuroc([NaN, 5, 1], Uint8Array.from([1, 0, 0])).value).toBe(0);
  });

  it('says why a metric is undefined', () => {
    const none = new Uint8Array(3);
    const all = Uint8Array.from([1, 1]);
    expect(detectionAuroc([1, 2, 3], none).reason).toBe('no poisoned training stay (poison rate 0): detection AUROC is undefined');
    expect(detectionAuroc([1, 2], all).reason).toBe('every training stay is poisoned: detection AUROC is undefined');
    expect(tprAtFpr([1, 2, 3], none).reason).toBe('no poisoned training stay: TPR is undefined');
    expect(tprAtFpr([1, 2], all).reason).toBe('no clean training stay: FPR is undefined');
    expect(precisionAtFlagged([], all).reason).toBe('the detector flagged no stay');
    expect(recallAtFlagged([0], none).reason).toBe('no poisoned training stay: recall is undefined');
    expect(defenceEffectivenessRating({ asr: 0.5, clean: Infinity }, { asr: 0.1, clean: 0.8 })).toEqual({
      value: NaN,
      reason: 'ASR or clean metric before or after the defence is undefined',
    });
    expect(recallAtFlagged([], all).value).toBe(0);
  });
});
