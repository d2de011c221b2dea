import { fitLogistic, predictLogistic } from './logistic-regression.js';

// Reference coefficients from scikit-learn 1.x LogisticRegression(C = 1/λ, tol = 1e-12) on the same data,
// which agree with Newton's optimum to about 2e-6 (lbfgs stops short of it).
const X = [0.5, 1.0, 1.5, -0.5, -1.0, 0.3, 2.0, 1.2, -0.7, -1.1, 0.2, 0.8, -1.5, 0.4, 1.1, -0.2];
const y = [1, 1, 0, 1, 0, 0, 0, 1];

describe('fitLogistic', () => {
  it("matches scikit-learn's L2 logistic regression (λ = 1 / C, unpenalised intercept)", () => {
    const model = fitLogistic(X, 8, 2, y);
    expect(model.converged).toBe(true);
    expect(model.coefficients[0]).toBeCloseTo(1.29001828, 5);
    expect(model.coefficients[1]).toBeCloseTo(0.10819257, 5);
    expect(model.intercept).toBeCloseTo(-0.3805034, 5);
    expect(model.coefficients.length).toBe(2);
    const stronger = fitLogistic(X, 8, 2, y, { lambda: 2 });
    expect(stronger.coefficients[0]).toBeCloseTo(0.92180452, 5);
    expect(stronger.coefficients[1]).toBeCloseTo(0.09090919, 5);
    expect(stronger.intercept).toBeCloseTo(-0.26838214, 5);
  });

  it('weights each stay’s loss by its sample weight', () => {
    const weights = [1, 2, 1, 1, 0.5, 1, 3, 1];
    const model = fitLogistic(X, 8, 2, y, { weights });
    expect(model.coefficients[0]).toBeCloseTo(1.44889981, 5);
    expect(model.coefficients[1]).toBeCloseTo(-0.06633452, 5);
    expect(model.intercept).toBeCloseTo(-0.30861378, 5);
    const p = predictLogistic(model, X, 8, 2);
    const expected = [0.58649671, 0.86965402, 0.14462275, 0.924811, 0.22272166, 0.48203238, 0.07526463, 0.78557281];
    expected.forEach((q, i) => expect(p[i]).toBeCloseTo(q, 6));
  });

  it('counts its Newton steps and stops at the tolerance or the step limit', () => {
    const model = fitLogistic(X, 8, 2, y);
    // Newton's method converges quadratically: 5 steps reach a step below 1e-8 here (the last step
    // taken counts), 4 a step below 1e-2.
    expect(model.iterations).toBe(5);
    expect(fitLogistic(X, 8, 2, y, { weights: [1, 2, 1, 1, 0.5, 1, 3, 1] }).iterations).toBe(6);
    const loose = fitLogistic(X, 8, 2, y, { tolerance: 1e-2 });
    expect(loose.converged).toBe(true);
    expect(loose.iterations).toBe(4);
    const capped = fitLogistic(X, 8, 2, y, { maxIterations: 1 });
    expect(capped).toMatchObject({ converged: false, iterations: 1 });
    // One Newton step from β = 0 moves the coefficients but does not reach the optimum.
    expect(capped.coefficients[0]).toBeGreaterThan(0.5);
    expect(Math.abs(capped.coefficients[0] - model.coefficients[0])).toBeGreaterThan(1e-4);
    const none = fitLogistic(X, 8, 2, y, { maxIterations: 0 });
    expect(none).toMatchObject({ converged: false, iterations: 0, intercept: 0 }); // Tolerance 0 asks for an exact optimum: with a balanced target and no signal, β = 0 is one (the
    // gradient is exactly 0), so the first step is exactly 0 and the fit stops there (as scikit-learn's
    // newton-cg stops at max |gradient| ≤ tol).
    const exact = fitLogistic(new Float64Array(4), 4, 1, [1, 0, 0, 1], { tolerance: 0 });
    expect(exact).toMatchObject({ converged: true, iterations: 1, intercept: 0 });
    expect(Array.from(exact.coefficients)).toEqual([0]);
  });

  it('uses the intercept for a constant feature column of zeros and a constant target', () => {
    const zeros = new Float64Array(8);
    const model = fitLogistic(zeros, 8, 1, [1, 1, 1, 0, 0, 0, 0, 0]);
    expect(model.coefficients[0]).toBe(0);
    expect(model.intercept).toBeCloseTo(Math.log(3 / 5), 5);
    // A constant target has no finite optimum: the intercept grows by about one per step and never converges.
    const allOnes = fitLogistic(zeros, 8, 1, [1, 1, 1, 1, 1, 1, 1, 1], { maxIterations: 40 });
    expect(allOnes).toMatchObject({ converged: false, iterations: 40 });
    expect(allOnes.intercept).toBeGreaterThan(20);
    expect(predictLogistic(allOnes, [0], 1, 1)[0]).toBeGreaterThan(0.999);
  });
});

describe('predictLogistic', () => {
  it('is the sigmoid of the intercept plus the coefficients times each row', () => {
    const model = { coefficients: Float64Array.from([2, -1]), intercept: 0.5, iterations: 0, converged: true };
    const p = predictLogistic(model, [1, 1, 0, 2, -1, 0], 3, 2);
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(-1.5)), 12);
    expect(p[1]).toBeCloseTo(1 / (1 + Math.exp(1.5)), 12);
    expect(p[2]).toBeCloseTo(1 / (1 + Math.exp(1.5)), 12);
    expect(p.length).toBe(3);
  });
});
