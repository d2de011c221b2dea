import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { writeDetectScores } from './detect-scores-file.js';

test('one row per detector and training stay, with its score, whether it was flagged and whether it was poisoned', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'runner-scores-'));
  try {
    const path = join(tmp, 'detect-scores.arrow');
    await writeDetectScores(path, {
      trainRows: Int32Array.from([4, 7, 9]),
      stayIds: [0, 0, 0, 0, 104, 0, 0, 107, 0, 109],
      poisonedRows: [7],
      detectors: [
        { name: 'spectral', scores: Float64Array.from([0.1, 2.5, Number.NaN]), flaggedRows: [7] },
        { name: 'strip', scores: Float64Array.from([1, 0.5, 0.2]), flaggedRows: [4] },
      ],
    });
    const t = tableFromIPC(await readFile(path));
    expect(t.toArray().map((r) => r.toJSON())).toEqual([
      { detector: 'spectral', row_index: 4, stay_id: 104, score: 0.1, flagged: false, poisoned: false },
      { detector: 'spectral', row_index: 7, stay_id: 107, score: 2.5, flagged: true, poisoned: true },
      { detector: 'spectral', row_index: 9, stay_id: 109, score: Number.NaN, flagged: false, poisoned: false },
      { detector: 'strip', row_index: 4, stay_id: 104, score: 1, flagged: true, poisoned: false },
      { detector: 'strip', row_index: 7, stay_id: 107, score: 0.5, flagged: false, poisoned: true },
      { detector: 'strip', row_index: 9, stay_id: 109, score: 0.2, flagged: false, poisoned: false },
    ]);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
