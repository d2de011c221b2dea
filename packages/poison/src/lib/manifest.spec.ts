import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { makeDataset, TRIGGER_VARIANTS } from './testing/fixtures.js';
import { readPlanManifest, writePlanManifest, PLAN_ARROW, PLAN_JSON } from './manifest.js';
import { planPoisoning } from './plan.js';

describe('plan manifest', () => {
  const ds = makeDataset({ n: 40 });
  const root = mkdtempSync(join(tmpdir(), 'poison-manifest-'));
  let runs = 0;

  it('every registry trigger round-trips through JSON and Arrow', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TRIGGER_VARIANTS),
        fc.oneof(fc.constant(0), fc.double({ min: 0.2, max: 1, noNaN: true })),
        fc.integer(),
        fc.constantFrom('dirty-label' as const, 'clean-label' as const),
        async (variant, rate, seed, mode) => {
          const plan = planPoisoning({ dataset: ds, trigger: variant, rate, seed, mode });
          const dir = join(root, String(runs++));
          await writePlanManifest(dir, plan);
          expect(await readPlanManifest(dir)).toEqual(plan);
          const table = tableFromIPC(readFileSync(join(dir, PLAN_ARROW)));
          expect(Array.from(table.getChild('stay_id')!.toArray() as Int32Array)).toEqual(plan.stayIds);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('detects edits, a missing plan and another format', async () => {
    const plan = planPoisoning({ dataset: ds, trigger: { name: 'pattern' }, rate: 0.5, seed: 1 });
    const dir = join(root, 'edited');
    await writePlanManifest(dir, plan);
    const json = JSON.parse(readFileSync(join(dir, PLAN_JSON), 'utf8'));
    writeFileSync(join(dir, PLAN_JSON), JSON.stringify({ ...json, rate: 0.4 }));
    await expect(readPlanManifest(dir)).rejects.toMatchObject({ code: 'E_PLAN_HASH_MISMATCH' });
    writeFileSync(
      join(dir, PLAN_JSON),
      JSON.stringify({ ...json, trigger: { name: 'pattern', params: { ...json.trigger.params, hours: 'x' } } }),
    );
    await expect(readPlanManifest(dir)).rejects.toMatchObject({ code: 'E_TRIGGER_PARAMS' });
    writeFileSync(join(dir, PLAN_JSON), JSON.stringify({ ...json, formatVersion: 2 }));
    await expect(readPlanManifest(dir)).rejects.toMatchObject({ code: 'E_PLAN_FORMAT' });
    writeFileSync(join(dir, PLAN_JSON), JSON.stringify(json));
    writeFileSync(join(dir, PLAN_ARROW), 'not arrow');
    await expect(readPlanManifest(dir)).rejects.toMatchObject({ code: 'E_PLAN_HASH_MISMATCH' });
    await expect(readPlanManifest(join(root, 'nowhere'))).rejects.toMatchObject({ code: 'E_PLAN_MISSING' });
  });

  it('refuses a temporal_pattern plan made before the units parameter existed, naming it', async () => {
    const plan = planPoisoning({ dataset: ds, trigger: { name: 'temporal_pattern' }, rate: 0.5, seed: 1 });
    const dir = join(root, 'legacy');
    await writePlanManifest(dir, plan);
    const json = JSON.parse(readFileSync(join(dir, PLAN_JSON), 'utf8'));
    const { units: _units, ...older } = json.trigger.params;
    writeFileSync(join(dir, PLAN_JSON), JSON.stringify({ ...json, trigger: { name: 'temporal_pattern', params: older } }));
    await expect(readPlanManifest(dir)).rejects.toMatchObject({
      code: 'E_PLAN_INVALID',
      message: expect.stringMatching(/lacks 'units'.*older version/),
    });
  });
});
