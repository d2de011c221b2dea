import { parseThresholdRule } from './plan.js';

describe('parseThresholdRule (--threshold-rule)', () => {
  it('reads a false-positive rate or a fixed threshold', () => {
    expect(parseThresholdRule('fpr=0.05')).toEqual({ kind: 'fpr', fpr: 0.05 });
    expect(parseThresholdRule(' fixed=0.5 ')).toEqual({ kind: 'fixed', threshold: 0.5 });
    expect(parseThresholdRule('fixed=0')).toEqual({ kind: 'fixed', threshold: 0 });
  });

  it.each(['fpr=0', 'fpr=1', 'fpr=-0.1', 'fpr=abc', 'fixed=1.5', 'youden', '0.05', ''])(
    'rejects %j as an input error (exit 2) that says what is valid',
    (text) => {
      expect(() => parseThresholdRule(text)).toThrow(
        expect.objectContaining({
          name: 'InputError',
          code: 'E_THRESHOLD_RULE',
          message: expect.stringContaining('fpr=X with a false-positive rate X in (0, 1)'),
        }),
      );
    },
  );
});
