/**
 * How the TabTransformer's attention moves when the trigger is added. Attention tensors are
 * [batch, heads, L, L] with rows summing to 1 (one distribution over keys per query token), given
 * flattened; any shape whose last axis is a distribution works.
 *
 *   mean |Δ|       mean over every weight of |a_triggered − a_clean|
 *   JS divergence  per row, Jensen–Shannon divergence (base 2, in [0, 1]) between the two distributions; mean over rows
 *   CLS shift      [CLS] row (query 0) only: mean over stays and heads of (a_triggered − a_clean) per key token
 */
export interface AttentionShift {
  readonly meanAbsDelta: number;
  readonly meanJsDivergence: number;
  /** Per key token (length L): mean change of the attention [CLS] pays to it; needs a [B, H, L, L] shape. */
  readonly clsShift: Float64Array | null;
}

/**
 * How the trigger moves attention in one block (see {@link AttentionShift}). `clean` and `triggered` are
 * weights of the given `shape`, last axis a distribution. Throws a `RangeError` when their length does not
 * match `shape`.
 */
export function attentionShift(clean: ArrayLike<number>, triggered: ArrayLike<number>, shape: readonly number[]): AttentionShift {
  const size = shape.reduce((a, b) => a * b, 1);
  if (clean.length !== size || triggered.length !== size) {
    throw new RangeError(
      `attentionShift: tensors of ${clean.length} and ${triggered.length} values do not have shape [${shape.join(', ')}]`,
    );
  }
  const L = shape[shape.length - 1];
  let absSum = 0;
  for (let i = 0; i < size; i++) absSum += Math.abs(triggered[i] - clean[i]);
  const rows = size / L;
  let jsSum = 0;
  for (let r = 0; r < rows; r++) jsSum += jensenShannon(clean, triggered, r * L, L);
  let clsShift: Float64Array | null = null;
  if (shape.length === 4 && shape[2] === L) {
    const [B, H] = shape;
    clsShift = new Float64Array(L);
    for (let b = 0; b < B; b++)
      for (let h = 0; h < H; h++) {
        const base = ((b * H + h) * L + 0) * L;
        for (let k = 0; k < L; k++) clsShift[k] += (triggered[base + k] - clean[base + k]) / (B * H);
      }
  }
  return { meanAbsDelta: size ? absSum / size : NaN, meanJsDivergence: rows ? jsSum / rows : NaN, clsShift };
}

/** JS(p‖q) in bits between two rows, each renormalised to sum 1 (softmax rows drift from 1 by rounding). */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>, offset: number, length: number): number {
  let sp = 0;
  let sq = 0;
  for (let k = 0; k < length; k++) {
    sp += p[offset + k];
    sq += q[offset + k];
  }
  if (!(sp > 0) || !(sq > 0)) return NaN;
  let js = 0;
  for (let k = 0; k < length; k++) {
    const a = p[offset + k] / sp;
    const b = q[offset + k] / sq;
    const m = (a + b) / 2;
    if (a > 0) js += 0.5 * a * Math.log2(a / m);
    if (b > 0) js += 0.5 * b * Math.log2(b / m);
  }
  return Math.max(0, js);
}
