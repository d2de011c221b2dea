import { cellDir, cellId, expandGrid, formatRate } from './grid.js';

describe('expandGrid', () => {
  it('runs the clean baseline once per model and seed, first', () => {
    const cells = expandGrid({ models: ['mlp', 'lstm'], triggers: ['rare_value', 'pattern'], rates: [0.01, 0], seeds: [0, 1] });
    expect(cells.slice(0, 4).every((c) => c.rate === 0 && c.trigger === 'none')).toBe(true);
    expect(cells).toHaveLength(4 + 2 * 2 * 2);
    expect(new Set(cells.map(cellId)).size).toBe(cells.length);
  });

  it('rejects empty grids and bad rates with codes', () => {
    expect(() => expandGrid({ models: [], triggers: ['x'], rates: [0], seeds: [0] })).toThrow(
      expect.objectContaining({ code: 'E_EMPTY_GRID' }),
    );
    expect(() => expandGrid({ models: ['mlp'], triggers: ['x'], rates: [1.5], seeds: [0] })).toThrow(
      expect.objectContaining({ code: 'E_POISON_RATE' }),
    );
    expect(() => expandGrid({ models: ['mlp'], triggers: ['x'], rates: [NaN], seeds: [0] })).toThrow(
      expect.objectContaining({ code: 'E_POISON_RATE' }),
    );
    expect(() => expandGrid({ models: ['mlp'], triggers: ['none'], rates: [0.1], seeds: [0] })).toThrow(
      expect.objectContaining({ code: 'E_EMPTY_GRID' }),
    );
  });

  it('names directories stably', () => {
    expect(formatRate(0.1)).toBe('0.1');
    expect(formatRate(0.005)).toBe('0.005');
    expect(formatRate(0)).toBe('0');
    expect(cellDir('/r', { model: 'mlp', trigger: 'rare_value', rate: 0.05, seed: 2 })).toBe('/r/mlp/rare_value/0.05/seed_2');
  });
});
