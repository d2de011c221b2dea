import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { rowwiseFunction } from './rowwise-simd.js';
import { assembleModule, instanceCache, wasmValidates } from './wasm-assembly.js';

/**
 * The arithmetic of a layer norm over the last axis (layer-norm.ts) in WebAssembly SIMD, written out as
 * the chain of float32 operations that the tensor-op layer norm of models/tabtransformer.ts and its
 * autodiff run on the WASM backend, kernel by kernel, in their order:
 *
 *   forward   mean = Σx / D (Mean: +0, then columns in ascending order, then one division)
 *             d = x − mean,  var = Σd·d / D,  ve = var + 1e-5     (Sub, Square, Mean, Add)
 *             r = rsqrt(ve)                                      (the backend's Rsqrt kernel, called by the op)
 *             y = d·r·γ + β                                      (Mul, Mul, Add)
 *   backward  dγ += dy·(d·r),  dβ += dy      (Sum over all rows: after the Transpose, rows ascending)
 *             dr = Σ (dy·γ)·d                (Mul, Mul, Sum over the last axis)
 *             s = −(dr / (ve^1.5 · 2)) / D   (Pow (the op calls the kernel), Mul, RealDiv, Neg; the
 *                                             Mean gradient's multiplication by ones is exact and left out)
 *             dd₂ = (dy·γ)·r,  dd₁ = s·(d·2)
 *             dx = ((g + dd₂) + dd₁) + (−Σdd₂ + −Σdd₁) / D
 *
 * g is the gradient that reached x from its later use (the residual add): the tape adds x's gradients
 * in reverse order of use, the residual first, then the second x − mean, then the first, then the
 * mean's, and the mean's gradient sums those of its two uses in the same order. Without `g` (a layer
 * norm whose input has no other use) dx starts from dd₂.
 *
 * All offsets are bytes; rows are the normalised vectors, columns their D features.
 */
export interface LayerNormSimd {
  /** d = x − mean of each row, and ve = var + 1e-5 per row. */
  statistics(rows: number, cols: number, x: number, d: number, ve: number): void;
  /** y = d·r·γ + β, with r per row. */
  normalise(rows: number, cols: number, d: number, r: number, gamma: number, beta: number, y: number): void;
  /**
   * dx, and dγ, dβ added into (zeroed by the caller); pw = ve^1.5 per row; g optional.
   */
  gradient(rows: number, cols: number, at: LayerNormGradientAt): void;
}

export interface LayerNormGradientAt {
  readonly dy: number;
  readonly g?: number;
  readonly d: number;
  readonly r: number;
  readonly pw: number;
  readonly gamma: number;
  readonly dgamma: number;
  readonly dbeta: number;
  readonly dx: number;
}

type Fn = (...args: number[]) => void;
type Exports = Record<'statistics' | 'normalise' | 'gradient' | 'gradientAlone', Fn>;
const kernelsFor = instanceCache(moduleBytes, (exports) => exports as Exports);

/** The kernels on `backend`'s memory; undefined where WebAssembly SIMD or the memory is not available. */
export function layerNormSimd(backend: BackendWasm): LayerNormSimd | undefined {
  const k = kernelsFor(backend);
  return k && bind(k);
}

/** Whether this runtime validates the module. */
export function layerNormSimdAvailable(): boolean {
  return wasmValidates(moduleBytes());
}

function bind(k: Exports): LayerNormSimd {
  return {
    statistics: (rows, cols, x, d, ve) => k.statistics(rows, cols, x, cols, d, cols, ve, 1),
    normalise: (rows, cols, d, r, gamma, beta, y) => k.normalise(rows, cols, d, cols, r, 1, gamma, 0, beta, 0, y, cols),
    gradient(rows, cols, at) {
      const common = [at.dy, cols, at.d, cols, at.r, 1, at.pw, 1, at.gamma, 0, at.dgamma, 0, at.dbeta, 0, at.dx, cols];
      if (at.g === undefined) k.gradientAlone(rows, cols, ...common);
      else k.gradient(rows, cols, ...common, at.g, cols);
    },
  };
}

const statistics = rowwiseFunction('statistics', ['x', 'd', 've'], (x) => {
  const sum = x.scalar(x.constant(0));
  x.columns(() => x.accumulate(sum, x.load('x')));
  const mean = x.scalar(x.div(sum, x.cols()));
  const squares = x.scalar(x.constant(0));
  x.columns(() => {
    const d = x.let(x.sub(x.load('x'), mean));
    x.store('d', d);
    x.accumulate(squares, x.mul(d, d));
  });
  x.store('ve', x.add(x.div(squares, x.cols()), x.constant(1e-5)));
});

const normalise = rowwiseFunction('normalise', ['d', 'r', 'gamma', 'beta', 'y'], (x) => {
  x.columns(() => x.store('y', x.add(x.mul(x.mul(x.load('d'), x.rowLoad('r')), x.load('gamma')), x.load('beta'))));
});

type GradientArray = 'dy' | 'd' | 'r' | 'pw' | 'gamma' | 'dgamma' | 'dbeta' | 'dx' | 'g';

function gradient(name: string, withG: boolean) {
  const arrays: GradientArray[] = ['dy', 'd', 'r', 'pw', 'gamma', 'dgamma', 'dbeta', 'dx', ...(withG ? (['g'] as const) : [])];
  return rowwiseFunction(name, arrays, (x) => {
    const dr = x.scalar(x.constant(0));
    x.columns(() => {
      const dy = x.let(x.load('dy'));
      x.accumulate(dr, x.mul(x.mul(dy, x.load('gamma')), x.load('d')));
      x.store('dgamma', x.add(x.load('dgamma'), x.mul(dy, x.mul(x.load('d'), x.rowLoad('r')))));
      x.store('dbeta', x.add(x.load('dbeta'), dy));
    });
    const s = x.scalar(x.div(x.neg(x.div(dr, x.mul(x.rowLoad('pw'), x.constant(2)))), x.cols()));
    const [viaOutput, viaVariance] = [x.scalar(x.constant(0)), x.scalar(x.constant(0))];
    x.columns(() => {
      const dd2 = x.let(x.mul(x.mul(x.load('dy'), x.load('gamma')), x.rowLoad('r')));
      const dd1 = x.let(x.mul(s, x.mul(x.load('d'), x.constant(2))));
      x.accumulate(viaOutput, dd2);
      x.accumulate(viaVariance, dd1);
      x.store('dx', x.add(withG ? x.add(x.load('g'), dd2) : dd2, dd1));
    });
    const viaMean = x.scalar(x.div(x.add(x.neg(viaOutput), x.neg(viaVariance)), x.cols()));
    x.columns(() => x.store('dx', x.add(x.load('dx'), viaMean)));
  });
}

let bytes: Uint8Array | undefined;
function moduleBytes(): Uint8Array {
  bytes ??= assembleModule([statistics, normalise, gradient('gradient', true), gradient('gradientAlone', false)]);
  return bytes;
}
