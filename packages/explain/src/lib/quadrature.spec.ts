import { gaussLegendre, IG_METHODS, quadrature } from './quadrature.js';

describe('gaussLegendre', () => {
  it('matches the tabulated 3-point rule', () => {
    const { nodes, weights } = gaussLegendre(3);
    const r = Math.sqrt(3 / 5);
    expect(Array.from(nodes)).toEqual([expect.closeTo(-r, 14), expect.closeTo(0, 14), expect.closeTo(r, 14)]);
    expect(Array.from(weights)).toEqual([expect.closeTo(5 / 9, 14), expect.closeTo(8 / 9, 14), expect.closeTo(5 / 9, 14)]);
  });

  it('matches numpy.polynomial.legendre.leggauss(4)', () => {
    const { nodes, weights } = gaussLegendre(4);
    const expected = [-0.8611363115940526, -0.33998104358485626, 0.33998104358485626, 0.8611363115940526];
    const expectedW = [0.34785484513745385, 0.6521451548625462, 0.6521451548625462, 0.34785484513745385];
    nodes.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 14));
    weights.forEach((w, i) => expect(w).toBeCloseTo(expectedW[i], 14));
  });

  it('integrates polynomials of degree 2n − 1 exactly on [0, 1] after scaling', () => {
    for (const n of [1, 2, 5, 17, 50, 128]) {
      const { alphas, weights } = quadrature('gausslegendre', n);
      for (const degree of [0, 1, 2 * n - 1]) {
        let sum = 0;
        for (let k = 0; k < n; k++) sum += weights[k] * alphas[k] ** degree;
        expect(sum).toBeCloseTo(1 / (degree + 1), 12);
      }
      for (let k = 1; k < n; k++) expect(alphas[k]).toBeGreaterThan(alphas[k - 1]);
    }
  });
});

describe('quadrature', () => {
  it('gives Captum’s Riemann nodes', () => {
    expect(Array.from(quadrature('riemann_left', 4).alphas)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(Array.from(quadrature('riemann_right', 4).alphas)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(Array.from(quadrature('riemann_middle', 4).alphas)).toEqual([0.125, 0.375, 0.625, 0.875]);
    const trapezoid = quadrature('riemann_trapezoid', 5);
    expect(Array.from(trapezoid.alphas)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(Array.from(trapezoid.weights)).toEqual([0.125, 0.25, 0.25, 0.25, 0.125]);
  });

  it('has weights summing to one for every method', () => {
    for (const method of IG_METHODS) {
      const { weights } = quadrature(method, 7);
      expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
  });

  it('rejects bad steps and methods with stable codes', () => {
    expect(() => quadrature('riemann_left', 1)).toThrow(expect.objectContaining({ code: 'E_IG_STEPS' }));
    expect(() => quadrature('gausslegendre', 0)).toThrow(expect.objectContaining({ code: 'E_IG_STEPS' }));
    expect(() => quadrature('gausslegendre', 2.5)).toThrow(expect.objectContaining({ code: 'E_IG_STEPS' }));
    expect(() => quadrature('simpson' as never, 10)).toThrow(expect.objectContaining({ code: 'E_IG_METHOD' }));
  });
});
