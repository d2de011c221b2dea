import * as math from './math.js';

describe('math', () => {
  it('hands out the very builtins of Math, so results cannot change', () => {
    for (const [name, alias] of Object.entries(math)) expect(alias).toBe(Math[name as keyof typeof math]);
    expect(Object.keys(math).sort()).toEqual(['abs', 'max', 'min', 'sign', 'sqrt', 'tanh']);
  });
});
