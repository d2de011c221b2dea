import { addr4, type AssembledFunction, F32, f32, forLoop, get, i32, I32, op, set, V, V128, whileLess } from './wasm-assembly.js';
import { COLS, nextRowPointers, pointer, rowArrayParams, ROWS } from './row-arrays.js';

/**
 * Row-wise float32 arithmetic over row-strided arrays, compiled to a WebAssembly SIMD function: for each
 * of `rows` rows, a sequence of row statements (scalars of the row) and column passes (the same
 * statements for every column, 4 columns at a time in f32x4 lanes and the last cols mod 4 one by one, as
 * elementwise-simd.ts compiles them). A column pass may add a value into a row scalar; it adds column
 * after column in ascending order (lanes 0 to 3 of each vector, then the tail), one rounded float32
 * addition each, which is the loop of the backend's Sum and Mean kernels when the scalar starts at +0.
 * Every add, sub, mul and div is one float32 operation, and neg flips the sign, as in the kernels.
 *
 * A function takes (rows, cols, then for each array its byte offset in the memory and its row stride in
 * elements). A stride of 0 reads and writes the same row for every row (a column accumulator); a
 * per-row array of one value a row has stride 1 and is read with `rowLoad`.
 */
export type RowExpr =
  | { readonly kind: 'load' | 'rowLoad'; readonly array: number }
  | { readonly kind: 'scalar' | 'local'; readonly index: number }
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'cols' }
  | { readonly kind: 'neg'; readonly a: RowExpr }
  | { readonly kind: 'add' | 'sub' | 'mul' | 'div'; readonly a: RowExpr; readonly b: RowExpr };

type ColumnStatement =
  | { readonly kind: 'let'; readonly index: number; readonly value: RowExpr }
  | { readonly kind: 'store'; readonly array: number; readonly value: RowExpr }
  | { readonly kind: 'accumulate'; readonly scalar: number; readonly value: RowExpr };

type RowStatement =
  | { readonly kind: 'set'; readonly scalar: number; readonly value: RowExpr }
  | { readonly kind: 'store'; readonly array: number; readonly value: RowExpr }
  | { readonly kind: 'columns'; readonly body: readonly ColumnStatement[] };

export interface RowwiseBuilder<Name extends string> {
  /** The current element of an array (in a column pass). */
  load(array: Name): RowExpr;
  /** The row's first element of an array: a per-row value. */
  rowLoad(array: Name): RowExpr;
  constant(value: number): RowExpr;
  /** The number of columns, as float32 (exact below 2²⁴). */
  cols(): RowExpr;
  add(a: RowExpr, b: RowExpr): RowExpr;
  sub(a: RowExpr, b: RowExpr): RowExpr;
  mul(a: RowExpr, b: RowExpr): RowExpr;
  div(a: RowExpr, b: RowExpr): RowExpr;
  neg(a: RowExpr): RowExpr;
  /** A new row scalar holding `value` (evaluated here, outside column passes). */
  scalar(value: RowExpr): RowExpr;
  /** Evaluates `value` once per element, here, for its later uses (in a column pass). */
  let(value: RowExpr): RowExpr;
  /** In a column pass, writes the current element; outside, the row's first element. */
  store(array: Name, value: RowExpr): void;
  /** scalar ← scalar + value, column by column in ascending order (in a column pass). */
  accumulate(scalar: RowExpr, value: RowExpr): void;
  /** A column pass: `body`'s statements for every column of the row. */
  columns(body: () => void): void;
}

/** The function `name` over `arrays`, its statements given by `define`. */
export function rowwiseFunction<Name extends string>(
  name: string,
  arrays: readonly Name[],
  define: (x: RowwiseBuilder<Name>) => void,
): AssembledFunction {
  const statements: RowStatement[] = [];
  let column: ColumnStatement[] | undefined;
  const counts = { scalars: 0, locals: 0 };
  const fail = (what: string) => {
    throw new Error(`rowwise ${name}: ${what}`);
  };
  const index = (array: Name) => (arrays.includes(array) ? arrays.indexOf(array) : fail(`no array ${array}`));
  const inColumns = (what: string) => column ?? fail(`${what} outside a column pass`);
  const binary = (kind: 'add' | 'sub' | 'mul' | 'div') => (a: RowExpr, b: RowExpr) => ({ kind, a, b });
  define({
    load: (array) => (inColumns('load'), { kind: 'load', array: index(array) }),
    rowLoad: (array) => ({ kind: 'rowLoad', array: index(array) }),
    constant: (value) => ({ kind: 'const', value }),
    cols: () => ({ kind: 'cols' }),
    add: binary('add'),
    sub: binary('sub'),
    mul: binary('mul'),
    div: binary('div'),
    neg: (a) => ({ kind: 'neg', a }),
    scalar: (value) => {
      if (column) fail('scalar inside a column pass');
      statements.push({ kind: 'set', scalar: counts.scalars, value });
      return { kind: 'scalar', index: counts.scalars++ };
    },
    let: (value) => {
      inColumns('let').push({ kind: 'let', index: counts.locals, value });
      return { kind: 'local', index: counts.locals++ };
    },
    store: (array, value) => void (column ?? statements).push({ kind: 'store', array: index(array), value }),
    accumulate: (scalar, value) => {
      if (scalar.kind !== 'scalar') return fail('accumulate into a non-scalar');
      inColumns('accumulate').push({ kind: 'accumulate', scalar: scalar.index, value });
    },
    columns: (body) => {
      if (column) fail('nested column passes');
      column = [];
      body();
      statements.push({ kind: 'columns', body: column });
      column = undefined;
    },
  });
  const layout = new Layout(arrays.length, counts.scalars, counts.locals);
  return { name, params: rowArrayParams(arrays.length), locals: layout.runs(), code: layout.code(statements) };
}

// Parameters: row-arrays.ts. Locals: r, j, cols4, the row scalars (f32), the
// column temporaries (f32, then v128) and one v128 for the lanes of an accumulation.

class Layout {
  private readonly r: number;
  constructor(
    private readonly arrays: number,
    private readonly scalars: number,
    private readonly temporaries: number,
  ) {
    this.r = 2 + 2 * arrays;
  }

  runs(): [number, number][] {
    const f32Count = this.scalars + this.temporaries;
    return [[3, I32], ...(f32Count > 0 ? [[f32Count, F32] as [number, number]] : []), [this.temporaries + 1, V128]];
  }

  code(statements: readonly RowStatement[]): number[] {
    const [r, j, cols4] = [this.r, this.r + 1, this.r + 2];
    const nextRow = nextRowPointers(this.arrays);
    const rowCode = statements.flatMap((s) => {
      if (s.kind === 'set') return [...this.expr(s.value, 'row', j), ...set(this.scalar(s.scalar))];
      if (s.kind === 'store') return [...get(pointer(s.array)), ...this.expr(s.value, 'row', j), op.f32Store, 2, 0];
      return [
        ...forLoop(j, i32(0), get(cols4), i32(4), this.columnCode(s.body, true, j)),
        ...whileLess(j, get(COLS), i32(1), this.columnCode(s.body, false, j)),
      ];
    });
    return [...get(COLS), ...i32(-4), op.i32And, ...set(cols4), ...forLoop(r, i32(0), get(ROWS), i32(1), [...rowCode, ...nextRow]), op.end];
  }

  private scalar(i: number): number {
    return this.r + 3 + i;
  }

  private local(i: number, vector: boolean): number {
    return this.r + 3 + this.scalars + (vector ? this.temporaries : 0) + i;
  }

  private get lanes(): number {
    return this.r + 3 + this.scalars + 2 * this.temporaries;
  }

  private columnCode(body: readonly ColumnStatement[], vector: boolean, j: number): number[] {
    const context = vector ? 'vector' : 'element';
    return body.flatMap((s) => {
      if (s.kind === 'let') return [...this.expr(s.value, context, j), ...set(this.local(s.index, vector))];
      if (s.kind === 'store')
        return [...addr4(get(pointer(s.array)), get(j)), ...this.expr(s.value, context, j), ...(vector ? V.store() : [op.f32Store, 2, 0])];
      const into = this.scalar(s.scalar);
      if (!vector) return [...get(into), ...this.expr(s.value, context, j), op.f32Add, ...set(into)];
      const lanes = [0, 1, 2, 3].flatMap((lane) => [...get(into), ...get(this.lanes), ...V.extractLane(lane), op.f32Add, ...set(into)]);
      return [...this.expr(s.value, context, j), ...set(this.lanes), ...lanes];
    });
  }

  private expr(e: RowExpr, context: 'row' | 'element' | 'vector', j: number): number[] {
    const vector = context === 'vector';
    const splat = (code: number[]) => (vector ? [...code, ...V.splat] : code);
    switch (e.kind) {
      case 'load':
        return [...addr4(get(pointer(e.array)), get(j)), ...(vector ? V.load() : [op.f32Load, 2, 0])];
      case 'rowLoad':
        return splat([...get(pointer(e.array)), op.f32Load, 2, 0]);
      case 'scalar':
        return splat(get(this.scalar(e.index)));
      case 'local':
        return get(this.local(e.index, vector));
      case 'const':
        return splat(f32(e.value));
      case 'cols':
        return splat([...get(COLS), op.f32ConvertI32S]);
      case 'neg':
        return [...this.expr(e.a, context, j), ...(vector ? V.neg : [op.f32Neg])];
      default: {
        const code = { add: [V.add, [op.f32Add]], sub: [V.sub, [op.f32Sub]], mul: [V.mul, [op.f32Mul]], div: [V.div, [op.f32Div]] }[e.kind];
        return [...this.expr(e.a, context, j), ...this.expr(e.b, context, j), ...code[vector ? 0 : 1]];
      }
    }
  }
}
