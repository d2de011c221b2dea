import { nullReasons, WARNING } from './result.js';

describe('nullReasons', () => {
  it('gives every NaN column its warning, or a generic sentence when it has none', () => {
    const row = { a: 1, b: Number.NaN, c: Number.NaN };
    expect(nullReasons(row, [{ metric: 'b', code: WARNING.empty, message: 'b is empty.' }])).toEqual({
      b: 'b is empty.',
      c: 'c is undefined for this input.',
    });
  });
});
