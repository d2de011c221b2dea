import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  it('names the field that is wrong, the file and the fix, for every check of the JSON', async () => {
    const plan = planPoisoning({ dataset: ds, trigger: { name: 'rare_value' }, rate: 0.5, seed: 1 });
    const dir = join(root, 'fields');
    await writePlanManifest(dir, plan);
    const path = join(dir, PLAN_JSON);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    const fix = '. The file is not a poisoning plan written by writePlanManifest, or it was edited; plan again.';
    const refused = async (edit: Record<string, unknown>, what: string) => {
      writeFileSync(path, JSON.stringify({ ...json, ...edit }));
      await expect(readPlanManifest(dir)).rejects.toMatchObject({
        name: 'DataError',
        code: 'E_PLAN_INVALID',
        message: `${path}: ${what}${fix}`,
      });
    };
    await refused({ rateBasis: 'all' }, `'rateBasis' "all" is not 'eligible' or 'train'`);
    await refused({ trigger: 'rare_value' }, "'trigger' is not { name, params }");
    await refused({ trigger: { name: 7 } }, "'trigger' is not { name, params }");
    await refused({ trigger: null }, "'trigger' is not { name, params }");
    await refused({ views: 'tabular' }, "'views' is not a list of views");
    await refused({ views: ['tabular', 'image'] }, "'views' is not a list of views");
    await refused({ resolved: [] }, "'resolved' is not an object");
    await refused({ resolved: null }, "'resolved' is not an object");
    await refused({ resolved: 'x' }, "'resolved' is not an object");
    await refused({ mode: 'blended' }, `'mode' "blended" is not one of dirty-label, clean-label`);
    await refused({ rate: 1.5 }, "'rate' is not in [0, 1]");
    await refused({ targetLabel: 2 }, "'targetLabel' is not 0 or 1");
    for (const key of ['seed', 'trainSize', 'eligible', 'count']) await refused({ [key]: 1.5 }, `'${key}' is not an integer`);
    const lists = "'rowIndices' and 'stayIds' must be integer lists of length 'count'";
    await refused({ rowIndices: json.rowIndices.slice(1) }, lists);
    await refused({ stayIds: json.stayIds.slice(1) }, lists);
    await refused({ rowIndices: [...json.rowIndices.slice(1), 0.5] }, lists);
    await refused({ stayIds: 'all' }, lists);
    await refused({ datasetContentHash: 1 }, 'hashes are missing');
    await refused({ planHash: null }, 'hashes are missing');
    await refused({ perturbation: { method: 'pgd' } }, "'perturbation' is not a recorded clean-label perturbation");
    writeFileSync(path, '[1');
    await expect(readPlanManifest(dir)).rejects.toMatchObject({
      code: 'E_PLAN_INVALID',
      message: expect.stringMatching(new RegExp(`^${path.replace(/[.\\/]/g, '\\$&')} is not valid JSON \\(.+\\); plan again\\.$`)),
    });
    for (const text of ['null', '3']) {
      writeFileSync(path, text);
      await expect(readPlanManifest(dir)).rejects.toMatchObject({ code: 'E_PLAN_INVALID', message: `${path}: not a JSON object${fix}` });
    }
    writeFileSync(path, JSON.stringify({ ...json, formatVersion: '1' }));
    await expect(readPlanManifest(dir)).rejects.toMatchObject({
      name: 'CompatibilityError',
      message: `${path} has plan format "1"; this version reads format 1.`,
    });
    writeFileSync(path, JSON.stringify({ ...json, seed: 2 }));
    await expect(readPlanManifest(dir)).rejects.toMatchObject({
      name: 'DataError',
      code: 'E_PLAN_HASH_MISMATCH',
      message: `${path}: the plan's content does not match its planHash; it was edited after planning. Plan again.`,
    });
    // A plan written before 'rateBasis' existed reads as basis 'eligible'.
    const { rateBasis: _basis, ...older } = json;
    writeFileSync(path, JSON.stringify(older));
    expect(await readPlanManifest(dir)).toEqual(plan);
  });

  it('checks poison-indices.arrow: present, of the recorded hash, listing the same rows and stays', async () => {
    const plan = planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.5, seed: 3 });
    const dir = join(root, 'arrow');
    await writePlanManifest(dir, plan);
    const arrowPath = join(dir, PLAN_ARROW);
    const bytes = readFileSync(arrowPath);
    rmSync(arrowPath);
    await expect(readPlanManifest(dir)).rejects.toMatchObject({
      name: 'DataError',
      code: 'E_PLAN_INVALID',
      message: `${arrowPath} is missing next to ${PLAN_JSON}; write the plan again with writePlanManifest.`,
    });
    writeFileSync(arrowPath, bytes.subarray(1));
    await expect(readPlanManifest(dir)).rejects.toMatchObject({
      code: 'E_PLAN_HASH_MISMATCH',
      message: `${arrowPath} does not match the sha256 recorded in ${PLAN_JSON}; write the plan again.`,
    });
    // An Arrow file of the recorded hash but other rows: the JSON is re-hashed around a valid other plan's file.
    const other = planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.5, seed: 4 });
    const otherDir = join(root, 'arrow-other');
    await writePlanManifest(otherDir, other);
    const otherBytes = readFileSync(join(otherDir, PLAN_ARROW));
    writeFileSync(arrowPath, otherBytes);
    const json = JSON.parse(readFileSync(join(otherDir, PLAN_JSON), 'utf8'));
    writeFileSync(
      join(dir, PLAN_JSON),
      JSON.stringify({ ...JSON.parse(readFileSync(join(dir, PLAN_JSON), 'utf8')), indices: json.indices }),
    );
    await expect(readPlanManifest(dir)).rejects.toMatchObject({
      code: 'E_PLAN_INVALID',
      message: `${arrowPath}: the Arrow indices differ from the JSON plan. The file is not a poisoning plan written by writePlanManifest, or it was edited; plan again.`,
    });
    writeFileSync(join(dir, PLAN_JSON), JSON.stringify({ ...JSON.parse(readFileSync(join(dir, PLAN_JSON), 'utf8')), indices: null }));
    await expect(readPlanManifest(dir)).rejects.toMatchObject({ code: 'E_PLAN_HASH_MISMATCH' });
  });

  it('keeps the cause of a missing file; a plan without perturbation reads back without the key', async () => {
    const missing = await readPlanManifest(join(root, 'nowhere-2')).catch((error: unknown) => error);
    expect(missing).toMatchObject({
      name: 'InputError',
      code: 'E_PLAN_MISSING',
      message: `No poisoning plan at ${join(root, 'nowhere-2', PLAN_JSON)}: write one with writePlanManifest (or check the run folder).`,
      cause: expect.objectContaining({ code: 'ENOENT' }),
    });
    const plan = planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.5, seed: 5 });
    const dir = join(root, 'no-perturbation');
    const files = await writePlanManifest(dir, plan);
    expect(files).toEqual({ json: join(dir, PLAN_JSON), arrow: join(dir, PLAN_ARROW) });
    const read = await readPlanManifest(dir);
    expect(read).not.toHaveProperty('perturbation');
    expect(JSON.parse(readFileSync(files.json, 'utf8')).indices).toEqual({
      file: PLAN_ARROW,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      rows: plan.count,
    });
    rmSync(files.arrow);
    await expect(readPlanManifest(dir)).rejects.toMatchObject({ cause: expect.objectContaining({ code: 'ENOENT' }) });
  });

  it('a trigger whose parameters are not its complete resolved ones: which are missing, if any', async () => {
    const plan = planPoisoning({ dataset: ds, trigger: { name: 'rare_value' }, rate: 0.5, seed: 1 });
    const dir = join(root, 'incomplete');
    await writePlanManifest(dir, plan);
    const path = join(dir, PLAN_JSON);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    const fix = '. The file is not a poisoning plan written by writePlanManifest, or it was edited; plan again.';
    const refused = async (trigger: unknown, what: string) => {
      writeFileSync(path, JSON.stringify({ ...json, trigger }));
      await expect(readPlanManifest(dir)).rejects.toMatchObject({ code: 'E_PLAN_INVALID', message: `${path}: ${what}${fix}` });
    };
    await refused(
      { name: 'rare_value', params: null },
      "trigger 'rare_value' parameters are not complete resolved parameters; it lacks 'variable', 'value', 'hours', 'inRange', 'quantile', so it was made by an older version whose trigger differs — re-run the cell",
    );
    await refused({ name: 'none', params: null }, "trigger 'none' parameters are not complete resolved parameters");
  });

  it('round-trips target 0 and the train basis; other stays under the same rows are refused', async () => {
    const plan = planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.1, seed: 2, targetLabel: 0, rateBasis: 'train' });
    const dir = join(root, 'target-0');
    await writePlanManifest(dir, plan);
    expect(await readPlanManifest(dir)).toEqual(plan);
    // The same rows with other stay ids in the Arrow file (the JSON's sha256 updated to match).
    const other = { ...plan, stayIds: plan.stayIds.map((id) => id + 1) };
    const otherDir = join(root, 'target-0-other');
    await writePlanManifest(otherDir, other);
    const json = JSON.parse(readFileSync(join(dir, PLAN_JSON), 'utf8'));
    writeFileSync(join(dir, PLAN_ARROW), readFileSync(join(otherDir, PLAN_ARROW)));
    writeFileSync(
      join(dir, PLAN_JSON),
      JSON.stringify({ ...json, indices: JSON.parse(readFileSync(join(otherDir, PLAN_JSON), 'utf8')).indices }),
    );
    await expect(readPlanManifest(dir)).rejects.toMatchObject({
      code: 'E_PLAN_INVALID',
      message: expect.stringContaining('the Arrow indices differ from the JSON plan'),
    });
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

  it('refuses an Arrow file whose row indices alone were edited (the stay ids still match)', async () => {
    const plan = planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.2, seed: 6 });
    const dir = join(root, 'rows-edited');
    await writePlanManifest(dir, plan);
    const edited = { ...plan, rowIndices: plan.rowIndices.map((r) => r + 1) };
    const editedDir = join(root, 'rows-edited-other');
    await writePlanManifest(editedDir, edited);
    writeFileSync(join(dir, PLAN_ARROW), readFileSync(join(editedDir, PLAN_ARROW)));
    const json = JSON.parse(readFileSync(join(dir, PLAN_JSON), 'utf8'));
    writeFileSync(
      join(dir, PLAN_JSON),
      JSON.stringify({ ...json, indices: JSON.parse(readFileSync(join(editedDir, PLAN_JSON), 'utf8')).indices }),
    );
    await expect(readPlanManifest(dir)).rejects.toMatchObject({
      code: 'E_PLAN_INVALID',
      message: expect.stringContaining('the Arrow indices differ from the JSON plan'),
    });
  });
});
