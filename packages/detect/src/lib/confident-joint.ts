/**
 * Confident learning's confident joint (Northcutt, Jiang & Chuang, JAIR 2021, eq. 1) for two classes:
 * C[i][j] counts the stays labelled i whose p̂(j | x) reaches class j's threshold t_j. A stay above both
 * thresholds (possible only when t_0 + t_1 ≤ 1, a model no better than chance) counts towards its larger
 * p̂, and towards class 0 on an exact tie; a stay above neither is not counted.
 */
export function confidentJoint(
  probability: (i: number, j: number) => number,
  thresholds: readonly number[],
  labels: ArrayLike<number>,
  n: number,
): number[][] {
  const joint = [
    [0, 0],
    [0, 0],
  ];
  for (let i = 0; i < n; i++) {
    const above = [0, 1].filter((j) => probability(i, j) >= thresholds[j]);
    if (above.length === 0) continue;
    const j = above.length === 1 ? above[0] : probability(i, 1) > probability(i, 0) ? 1 : 0;
    joint[labels[i]][j]++;
  }
  return joint;
}

/**
 * The label issues confident learning estimates per given label (prune by noise rate): each row of the
 * joint calibrated to that label's count (eq. 2–3), its off-diagonal share × the count, rounded. A label
 * none of whose stays is confidently of either class has no estimate to calibrate: 0.
 */
export function estimatedLabelIssues(joint: readonly (readonly number[])[], labelCounts: readonly number[]): number[] {
  return [0, 1].map((y) => {
    const row = joint[y][0] + joint[y][1];
    return row > 0 ? Math.round((joint[y][1 - y] / row) * labelCounts[y]) : 0;
  });
}
