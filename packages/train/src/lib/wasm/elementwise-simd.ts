import { addr4, type AssembledFunction, F32, f32, forLoop, get, i32, I32, op, set, V, V128, whileLess } from './wasm-assembly.js';
import { COLS, nextRowPointers, pointer, rowArrayParams, ROWS } from './row-arrays.js';

/**
 * Element-wise float32 arithmetic over row-strided arrays, compiled to a WebAssembly SIMD function: for
 * each of `rows` rows, the same statements for every column, 4 columns at a time in f32x4 lanes and the
 * last cols mod 4 one by one. Each add, sub and mul is one float32 operation rounded to float32, as a
 * JavaScript `Math.fround(a op b)` over two float32 values is (the double result of one such operation
 * rounds to the same float32), and a lane computes exactly what the scalar operation does (WebAssembly
 * has no fused multiply-add). So a host loop written as a chain of rounded single operations moves
 * here with the same bits, if the statements keep its operations and their order.
 *
 * A function takes (rows, cols, then for each array its byte offset in the memory and its row stride in
 * elements). A stride of 0 reads the same row for every row (a row of zeros for an absent operand).
 */
export type Expr =
  | { readonly kind: 'load'; readonly array: number }
  | { readonly kind: 'local'; readonly index: number }
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'add' | 'sub' | 'mul'; readonly a: Expr; readonly b: Expr };

type Statement =
  | { readonly kind: 'let'; readonly index: number; readonly value: Expr }
  | { readonly kind: 'store'; readonly array: number; readonly value: Expr };

export interface ElementwiseBuilder<Name extends string> {
  /** The current element of an array. */
  load(array: Name): Expr;
  constant(value: number): Expr;
  add(a: Expr, b: Expr): Expr;
  sub(a: Expr, b: Expr): Expr;
  mul(a: Expr, b: Expr): Expr;
  /** Evaluates `value` once, here, for its later uses. */
  let(value: Expr): Expr;
  /** Writes the current element of an array; statements run in the order they are defined. */
  store(array: Name, value: Expr): void;
}

/** The function `name` over `arrays`, its statements given by `define`. */
export function elementwiseFunction<Name extends string>(
  name: string,
  arrays: readonly Name[],
  define: (x: ElementwiseBuilder<Name>) => void,
): AssembledFunction {
  const statements: Statement[] = [];
  let locals = 0;
  const index = (array: Name) => {
    const at = arrays.indexOf(array);
    if (at < 0) throw new Error(`elementwise ${name}: no array ${array}`);
    return at;
  };
  define({
    load: (array) => ({ kind: 'load', array: index(array) }),
    constant: (value) => ({ kind: 'const', value }),
    add: (a, b) => ({ kind: 'add', a, b }),
    sub: (a, b) => ({ kind: 'sub', a, b }),
    mul: (a, b) => ({ kind: 'mul', a, b }),
    let: (value) => {
      statements.push({ kind: 'let', index: locals, value });
      return { kind: 'local', index: locals++ };
    },
    store: (array, value) => void statements.push({ kind: 'store', array: index(array), value }),
  });
  return { name, params: rowArrayParams(arrays.length), locals: localRuns(locals), code: functionCode(arrays.length, locals, statements) };
}

// Parameters: row-arrays.ts; locals: r, j, cols4, then the f32 and the v128 temporaries.

const localRuns = (temporaries: number): [number, number][] => [
  [3, I32],
  ...(temporaries > 0
    ? ([
        [temporaries, F32],
        [temporaries, V128],
      ] as [number, number][])
    : []),
];

function functionCode(arrays: number, temporaries: number, statements: readonly Statement[]): number[] {
  const r = 2 + 2 * arrays;
  const [j, cols4] = [r + 1, r + 2];
  const scalarLocal = (i: number) => r + 3 + i;
  const vectorLocal = (i: number) => r + 3 + temporaries + i;
  const nextRow = nextRowPointers(arrays);
  return [
    ...get(COLS),
    ...i32(-4),
    op.i32And,
    ...set(cols4),
    ...forLoop(r, i32(0), get(ROWS), i32(1), [
      ...forLoop(j, i32(0), get(cols4), i32(4), statementsCode(statements, true, j, vectorLocal)),
      ...whileLess(j, get(COLS), i32(1), statementsCode(statements, false, j, scalarLocal)),
      ...nextRow,
    ]),
    op.end,
  ];
}

function statementsCode(statements: readonly Statement[], vector: boolean, j: number, local: (i: number) => number): number[] {
  const at = (array: number) => addr4(get(pointer(array)), get(j));
  const expr = (e: Expr): number[] => {
    switch (e.kind) {
      case 'load':
        return [...at(e.array), ...(vector ? V.load() : [op.f32Load, 2, 0])];
      case 'local':
        return get(local(e.index));
      case 'const':
        return vector ? [...f32(e.value), ...V.splat] : f32(e.value);
      default: {
        const code = { add: [V.add, [op.f32Add]], sub: [V.sub, [op.f32Sub]], mul: [V.mul, [op.f32Mul]] }[e.kind][vector ? 0 : 1];
        return [...expr(e.a), ...expr(e.b), ...code];
      }
    }
  };
  return statements.flatMap((s) =>
    s.kind === 'let'
      ? [...expr(s.value), ...set(local(s.index))]
      : [...at(s.array), ...expr(s.value), ...(vector ? V.store() : [op.f32Store, 2, 0])],
  );
}
