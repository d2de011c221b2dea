import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readVariantLabels, variantLabels } from './study.js';
import { pointsOf } from '../plots/base.js';
import { parseSummary } from './summary.js';
import type { Aggregation } from '../aggregate/aggregate.js';

describe('variant labels', () => {
  it('say what a study variant is, and leave names that already say it', () => {
    const labels = variantLabels({
      models: [
        { name: 'lstm', config: { kind: 'lstm' } },
        { name: 'lstm_small', config: { kind: 'lstm' } },
      ],
      attacks: [
        { name: 'rare_value', trigger: 'rare_value', target: 1 },
        { name: 'hr220_survive', trigger: 'rare_value', target: 0 },
      ],
    });
    expect(labels.models).toEqual({ lstm: 'lstm', lstm_small: 'lstm_small (lstm)' });
    expect(labels.attacks).toEqual({ rare_value: 'rare_value', hr220_survive: 'hr220_survive (rare_value, target 0)' });
  });

  it('are read from study.resolved.json, and absent from run folders written before studies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labels-'));
    try {
      expect(await readVariantLabels(dir)).toBeUndefined();
      writeFileSync(join(dir, 'study.resolved.json'), JSON.stringify({ models: [{ name: 'tiny', config: { kind: 'mlp' } }], attacks: [] }));
      expect((await readVariantLabels(dir))?.models).toEqual({ tiny: 'tiny (mlp)' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('label the plot points, grouped by variant name', () => {
    const row = {
      dataset_hash: 'h',
      metric: 'asr',
      trigger: 'hr220_survive',
      model: 'lstm_small',
      mode: 'dirty-label',
      poison_rate: 0.1,
      detector: '',
      mean: 0.5,
      ci_low: 0.4,
      ci_high: 0.6,
      n: 3,
      clean_mean: 0.1,
    };
    const aggregation = { rows: [row], primaryDataset: 'h' } as unknown as Aggregation;
    const labels = variantLabels({
      models: [{ name: 'lstm_small', config: { kind: 'lstm' } }],
      attacks: [{ name: 'hr220_survive', trigger: 'rare_value', target: 0 }],
    });
    expect(pointsOf({ aggregation, labels }, 'asr')[0]).toMatchObject({
      model: 'lstm_small (lstm)',
      trigger: 'hr220_survive (rare_value, target 0)',
    });
    expect(pointsOf({ aggregation }, 'asr')[0]).toMatchObject({ model: 'lstm_small', trigger: 'hr220_survive' });
  });

  it("reads a study cell's summary, whose model_kind and trigger_name are names, not metrics", () => {
    const parsed = parseSummary(
      JSON.stringify({
        formatVersion: 1,
        model: 'lstm_small',
        trigger: 'hr',
        model_kind: 'lstm',
        trigger_name: 'rare_value',
        poison_rate: 0.1,
        seed: 0,
        asr: 0.5,
        reasons: {},
      }),
      'summary.json',
    );
    expect(parsed.ok && parsed.warnings).toEqual([]);
    expect(parsed.ok && parsed.summary.metrics).toEqual({ asr: 0.5 });
  });
});
