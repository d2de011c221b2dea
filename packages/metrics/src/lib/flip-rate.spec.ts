import { flipRate } from './flip-rate.js';

describe('flipRate inputs and reasons', () => {
  const y = [0, 0, 1];
  const pTriggered = [0.9, 0.2, 0.8];
  const pClean = [0.1, 0.3, 0.6];

  it('names the array at fault', () => {
    expect(() => flipRate(y, [0.9, -0.2, 0.8], pClean)).toThrow(
      expect.objectContaining({ code: 'E_METRICS_INVALID_PROBABILITY', message: expect.stringMatching(/^pTriggered\[1\] is -0\.2;/) }),
    );
    expect(() => flipRate(y, pTriggered, [0.1, 0.3, 7])).toThrow(
      expect.objectContaining({ code: 'E_METRICS_INVALID_PROBABILITY', message: expect.stringMatching(/^pClean\[2\] is 7;/) }),
    );
    expect(() => flipRate(y, pTriggered, [0.1])).toThrow(
      expect.objectContaining({
        code: 'E_METRICS_LENGTH_MISMATCH',
        message: 'pTriggered has 3 entries but pClean has 1; they must describe the same stays in the same order.',
      }),
    );
  });

  it('says which target left no stay to flip', () => {
    // Target 0: the one eligible stay (y = 1) is predicted 1 (non-target) at clean p 0.6, and still at triggered p 0.8.
    expect(flipRate(y, pTriggered, pClean, { targetLabel: 0 })).toMatchObject({ value: 0, nBase: 1, nFlipped: 0 });
    expect(flipRate([1], [0.9], [0.2], { targetLabel: 0 }).reason).toBe(
      'flip rate is undefined: no test stay with a label other than the target 0 is predicted non-target without the trigger.',
    );
  });
});
