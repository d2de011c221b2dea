import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradients for the kernels our networks use. tfjs-core ships its gradient table only as unbundled
 * ESM (`dist/register_all_gradients.js`, extensionless imports) that Node cannot load from the
 * CommonJS build we run on; `@tensorflow/tfjs` registers them by bundling its own partial copy of
 * tfjs-core. Rather than pull in that package (and layers, converter, data), the few gradients needed
 * are written here with public ops, following tfjs-core's own definitions. A kernel that already has a
 * gradient (e.g. when tfjs-node brings @tensorflow/tfjs) keeps it.
 *
 * _FusedMatMul needs no entry: tf.fused.matMul defines its gradient with customGrad.
 */
const { assertAndGetBroadcastShape, getReductionAxes } = tf.broadcast_util;

type Saved = tf.Tensor[];
type Attrs = tf.NamedAttrMap;

/**
 * `x` as float32. The gradients below follow tfjs-core's in casting their saved inputs, but a Cast to
 * the same dtype still copies the whole tensor on WASM; skipping it leaves every value as it was.
 */
function asFloat(x: tf.Tensor): tf.Tensor {
  return x.dtype === 'float32' ? x : tf.cast(x, 'float32');
}

/**
 * Ones of `shape`, which the Sum and Mean gradients multiply by. tf.ones fills a JavaScript array and
 * copies it into the backend; the Fill kernel writes the ones where the tensor lives (on WASM its heap),
 * ≈ 0.1 ms instead of ≈ 0.3–0.5 ms for a [128, 39, 32] layer-norm input. The same ones, the same products.
 */
function onesOf(shape: number[]): tf.Tensor {
  return tf.fill(shape, 1, 'float32');
}

/** Sums `dy` over the axes `shape` was broadcast along, back to `shape`. */
function unbroadcast(dy: tf.Tensor, shape: number[], outShape: number[]): tf.Tensor {
  const axes = getReductionAxes(shape, outShape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape);
}

/**
 * Gradients of a kernel whose inputs are a list (Concat, Pack): the engine looks each input's gradient
 * up by the input's key, which for a list is its position.
 */
function byPosition(parts: readonly tf.Tensor[]): ReturnType<tf.GradConfig['gradFunc']> {
  return Object.fromEntries(parts.map((t, i) => [i, () => t]));
}

const GRADIENTS: tf.GradConfig[] = [
  {
    kernelName: tf.Add,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]: Saved) => {
      const out = assertAndGetBroadcastShape(a.shape, b.shape);
      return { a: () => unbroadcast(dy as tf.Tensor, a.shape, out), b: () => unbroadcast(dy as tf.Tensor, b.shape, out) };
    },
  },
  {
    kernelName: tf.Sub,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]: Saved) => {
      const out = assertAndGetBroadcastShape(a.shape, b.shape);
      return { a: () => unbroadcast(dy as tf.Tensor, a.shape, out), b: () => tf.neg(unbroadcast(dy as tf.Tensor, b.shape, out)) };
    },
  },
  {
    kernelName: tf.Multiply,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]: Saved) => {
      const out = assertAndGetBroadcastShape(a.shape, b.shape);
      return {
        a: () => unbroadcast(tf.mul(dy as tf.Tensor, asFloat(b)), a.shape, out),
        b: () => unbroadcast(tf.mul(dy as tf.Tensor, asFloat(a)), b.shape, out),
      };
    },
  },
  {
    kernelName: tf.RealDiv,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]: Saved) => {
      const out = assertAndGetBroadcastShape(a.shape, b.shape);
      return {
        a: () => unbroadcast(tf.div(dy as tf.Tensor, asFloat(b)), a.shape, out),
        b: () => unbroadcast(tf.neg(tf.div(tf.mul(dy as tf.Tensor, asFloat(a)), tf.square(asFloat(b)))), b.shape, out),
      };
    },
  },
  {
    kernelName: tf.SquaredDifference,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]: Saved) => {
      const two = tf.scalar(2);
      return { a: () => tf.mul(dy as tf.Tensor, tf.mul(two, tf.sub(a, b))), b: () => tf.mul(dy as tf.Tensor, tf.mul(two, tf.sub(b, a))) };
    },
  },
  { kernelName: tf.Neg, gradFunc: (dy) => ({ x: () => tf.neg(dy as tf.Tensor) }) },
  {
    kernelName: tf.Abs,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]: Saved) => ({ x: () => tf.mul(dy as tf.Tensor, tf.step(asFloat(x), -1)) }),
  },
  { kernelName: tf.Exp, outputsToSave: [true], gradFunc: (dy, [y]: Saved) => ({ x: () => tf.mul(dy as tf.Tensor, y) }) },
  { kernelName: tf.Log1p, inputsToSave: ['x'], gradFunc: (dy, [x]: Saved) => ({ x: () => tf.div(dy as tf.Tensor, tf.add(x, 1)) }) },
  { kernelName: tf.Relu, inputsToSave: ['x'], gradFunc: (dy, [x]: Saved) => ({ x: () => tf.mul(dy as tf.Tensor, asFloat(tf.step(x))) }) },
  {
    kernelName: tf.Sigmoid,
    outputsToSave: [true],
    gradFunc: (dy, [y]: Saved) => ({ x: () => tf.mul(dy as tf.Tensor, tf.mul(y, tf.sub(tf.scalar(1), y))) }),
  },
  {
    kernelName: tf.Tanh,
    outputsToSave: [true],
    gradFunc: (dy, [y]: Saved) => ({ x: () => tf.mul(tf.sub(tf.scalar(1), tf.square(y)), dy as tf.Tensor) }),
  },
  {
    kernelName: tf.Rsqrt,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]: Saved) => ({ x: () => tf.neg(tf.div(dy as tf.Tensor, tf.mul(tf.pow(x, 1.5), 2))) }),
  },
  {
    kernelName: tf.Square,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]: Saved) => ({ x: () => tf.mul(dy as tf.Tensor, tf.mul(asFloat(x), 2)) }),
  },
  {
    kernelName: tf.Sqrt,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]: Saved) => ({ x: () => tf.div(dy as tf.Tensor, tf.mul(tf.sqrt(asFloat(x)), 2)) }),
  },
  { kernelName: tf.Cast, gradFunc: (dy) => ({ x: () => (dy as tf.Tensor).clone() }) },
  { kernelName: tf.Identity, gradFunc: (dy) => ({ x: () => (dy as tf.Tensor).clone() }) },
  { kernelName: tf.Reshape, inputsToSave: ['x'], gradFunc: (dy, [x]: Saved) => ({ x: () => tf.reshape(dy as tf.Tensor, x.shape) }) },
  {
    kernelName: tf.Sum,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]: Saved, attrs: Attrs) => {
      const expanded = x.shape.slice();
      for (const axis of tf.util.parseAxisParam(attrs.axis as number | number[], x.shape)) expanded[axis] = 1;
      return { x: () => tf.mul(tf.reshape(dy as tf.Tensor, expanded), onesOf(x.shape)) };
    },
  },
  {
    kernelName: tf.Mean,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]: Saved, attrs: Attrs) => {
      const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
      const expanded = x.shape.slice();
      let reduceSize = 1;
      for (const axis of axes) {
        reduceSize *= x.shape[axis];
        expanded[axis] = 1;
      }
      return { x: () => tf.div(tf.mul(tf.reshape(dy as tf.Tensor, expanded), onesOf(x.shape)), reduceSize) };
    },
  },
  {
    kernelName: tf.Slice,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]: Saved, attrs: Attrs) => {
      const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin as number[], attrs.size as number[]);
      const paddings = x.shape.map((dim, i) => [begin[i], dim - begin[i] - size[i]] as [number, number]);
      return { x: () => tf.pad(dy as tf.Tensor, paddings) };
    },
  },
  {
    kernelName: tf.PadV2,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]: Saved, attrs: Attrs) => {
      const begin = (attrs.paddings as [number, number][]).map((p) => p[0]);
      return { x: () => tf.slice(dy as tf.Tensor, begin, x.shape) };
    },
  },
  {
    kernelName: tf.Concat,
    saveAllInputs: true,
    gradFunc: (dy, saved: Saved, attrs: Attrs) => {
      const axis = tf.util.parseAxisParam(attrs.axis as number, saved[0].shape)[0];
      const parts = tf.split(
        dy as tf.Tensor,
        saved.map((t) => t.shape[axis]),
        axis,
      );
      return byPosition(parts);
    },
  },
  { kernelName: tf.SplitV, gradFunc: (dy, _saved, attrs: Attrs) => ({ x: () => tf.concat(dy as tf.Tensor[], attrs.axis as number) }) },
  {
    kernelName: tf.Pack,
    saveAllInputs: true,
    gradFunc: (dy, _saved, attrs: Attrs) => byPosition(tf.unstack(dy as tf.Tensor, attrs.axis as number)),
  },
  {
    // The engine hands a kernel with one output its gradient alone, not in a list (unstacking one hour).
    kernelName: tf.Unpack,
    gradFunc: (dy, _saved, attrs: Attrs) => ({ value: () => tf.stack(Array.isArray(dy) ? dy : [dy], attrs.axis as number) }),
  },
  {
    kernelName: tf.Transpose,
    gradFunc: (dy, _saved, attrs: Attrs) => {
      const perm = attrs.perm as number[];
      const undo = perm.map((_, i) => perm.indexOf(i));
      return { x: () => tf.transpose(dy as tf.Tensor, undo) };
    },
  },
  {
    // Tiling repeats the whole tensor: view dy as [r0, s0, r1, s1, …] and sum over the repeat axes.
    kernelName: tf.Tile,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]: Saved, attrs: Attrs) => {
      const reps = attrs.reps as number[];
      const split = x.shape.flatMap((s, i) => [reps[i], s]);
      const repAxes = x.shape.map((_, i) => 2 * i);
      return { x: () => tf.reshape(tf.sum(tf.reshape(dy as tf.Tensor, split), repAxes), x.shape) };
    },
  },
  {
    kernelName: tf.Softmax,
    outputsToSave: [true],
    gradFunc: (dy, [y]: Saved, attrs: Attrs) => {
      const dyTimesY = tf.mul(dy as tf.Tensor, y);
      return { logits: () => tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [attrs.dim as number], true), y)) };
    },
  },
  {
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]: Saved, attrs: Attrs) => {
      const d = dy as tf.Tensor;
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return { a: () => tf.matMul(d, b, false, true), b: () => tf.matMul(a, d, true, false) };
      if (!transposeA && transposeB) return { a: () => tf.matMul(d, b, false, false), b: () => tf.matMul(d, a, true, false) };
      if (transposeA && !transposeB) return { a: () => tf.matMul(b, d, false, true), b: () => tf.matMul(a, d, false, false) };
      return { a: () => tf.matMul(b, d, true, true), b: () => tf.matMul(d, a, true, true) };
    },
  },
];

let registered = false;

export function registerGradients(): void {
  if (registered) return;
  registered = true;
  for (const config of GRADIENTS) if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
}
