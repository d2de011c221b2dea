import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@ehr-backdoor/core';
import { loadStudyFile } from './load.js';
import { studyCells } from './cells.js';

/**
 * Every kind of bad study input is an InputError (exit 2) that names the file, line and column, the key
 * path, and what to do; each is raised before anything is written.
 */
const dir = mkdtempSync(join(tmpdir(), 'study-resolve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GOOD = `models:
  mlp: { kind: mlp }
  lstm_small: { kind: lstm, hidden: 16 }
attacks:
  hr220: { trigger: rare_value, params: { variable: heart_rate, value: 220 } }
rates: [0, 0.05]
seeds: [0]
`;

let n = 0;
async function load(text: string, ext = 'yaml') {
  const path = join(dir, `study-${n++}.${ext}`);
  writeFileSync(path, text);
  return { path, study: await loadStudyFile(path) };
}

async function problem(text: string, ext = 'yaml'): Promise<{ path: string; error: InputError }> {
  const path = join(dir, `study-${n++}.${ext}`);
  writeFileSync(path, text);
  try {
    await loadStudyFile(path);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return { path, error: error as InputError };
  }
  throw new Error('expected the study to be refused');
}

describe('a valid study', () => {
  it('resolves variants with every default filled in', async () => {
    const { study } = await load(GOOD);
    expect(study.models.map((m) => [m.name, m.config])).toEqual([
      ['mlp', { kind: 'mlp', hidden: [128, 64], dropout: 0.2 }],
      ['lstm_small', { kind: 'lstm', hidden: 16, dropout: 0.2 }],
    ]);
    expect(study.attacks[0]).toMatchObject({
      name: 'hr220',
      trigger: 'rare_value',
      target: 1,
      mode: 'dirty-label',
      models: ['mlp', 'lstm_small'],
    });
    expect(study.attacks[0].params).toMatchObject({ variable: 'heart_rate', value: 220, hours: 1 });
    expect(study.models[0].training.epochs).toBe(30);
  });

  it('reads JSON as well, with the same result', async () => {
    const yaml = (await load(GOOD)).study;
    const json = (
      await load(
        JSON.stringify({
          models: { mlp: { kind: 'mlp' }, lstm_small: { kind: 'lstm', hidden: 16 } },
          attacks: { hr220: { trigger: 'rare_value', params: { variable: 'heart_rate', value: 220 } } },
          rates: [0, 0.05],
          seeds: [0],
        }),
        'json',
      )
    ).study;
    expect(json.models).toEqual(yaml.models);
    expect(json.attacks).toEqual(yaml.attacks);
  });

  it('shares the clean cells between attacks and honours per-attack model lists and exclusions', async () => {
    const { study } = await load(`models:
  mlp: { kind: mlp }
  lstm: { kind: lstm }
  tcn: { kind: tcn }
attacks:
  a: { trigger: rare_value, models: [lstm] }
  b: { trigger: missingness, exclude: [tcn] }
  c: { trigger: temporal_pattern }
rates: [0, 0.1]
seeds: [0, 1]
`);
    const ids = studyCells(study).map((c) => `${c.model}/${c.trigger}/${c.rate}/${c.seed}`);
    expect(ids.filter((id) => id.includes('/none/'))).toEqual([
      'mlp/none/0/0',
      'mlp/none/0/1',
      'lstm/none/0/0',
      'lstm/none/0/1',
      'tcn/none/0/0',
      'tcn/none/0/1',
    ]);
    expect(ids.filter((id) => !id.includes('/none/')).map((id) => id.replace(/\/0\.1\/\d$/, ''))).toEqual([
      'mlp/b',
      'mlp/b',
      'lstm/a',
      'lstm/a',
      'lstm/b',
      'lstm/b',
      'lstm/c',
      'lstm/c',
      'tcn/c',
      'tcn/c',
    ]);
    // c has no tabular form: it leaves the MLP out, and says so.
    expect(study.attacks[2].leftOut).toEqual(['mlp × c (the trigger has no tabular form)']);
  });

  it('gives a cell a new identity when anything that changes its result changes, not when only a name does', async () => {
    const hashes = async (text: string) => studyCells((await load(text)).study).map((c) => c.hash);
    const base = await hashes(GOOD);
    expect(await hashes(GOOD.replace('lstm_small', 'lstm_tiny').replace('hr220', 'hr'))).toEqual(base);
    expect((await hashes(GOOD.replace('value: 220', 'value: 200'))).filter((h, i) => h !== base[i]).length).toBe(2);
    expect((await hashes(GOOD.replace('hidden: 16', 'hidden: 8'))).filter((h, i) => h !== base[i]).length).toBe(2);
    expect((await hashes(`${GOOD}training: { epochs: 3 }\n`)).every((h, i) => h !== base[i])).toBe(true);
  });

  it('carries the measurement and defender keys into every cell, and leaves their defaults out of its identity', async () => {
    const cellsOf = async (text: string) => studyCells((await load(text)).study);
    const base = await cellsOf(GOOD);
    // The documented defaults, written out, are the same cells as leaving them out.
    const explicit = `${GOOD}evaluation: { threshold: { fpr: 0.05 } }\npoisoning: { rateBasis: eligible }\nanalyses: { detect: { assumedContamination: 0.01 } }\n`;
    expect((await cellsOf(explicit)).map((c) => c.config?.thresholdRule ?? null)).toEqual(base.map(() => null));
    expect((await cellsOf(explicit)).map((c) => c.config?.detect && c.config.detect.assumedContamination)).toEqual(
      base.map(() => undefined),
    );
    const measured = await cellsOf(`${GOOD}evaluation: { threshold: { fixed: 0.5 } }\npoisoning: { rateBasis: train }\n`);
    for (const cell of measured)
      expect(cell.config).toMatchObject({ thresholdRule: { kind: 'fixed', threshold: 0.5 }, rateBasis: 'train' });
    expect(measured.every((c, i) => c.hash !== base[i].hash)).toBe(true);
    const defended = await cellsOf(
      `${GOOD}analyses: { detect: { detectors: [input_screening], assumedContamination: 0.05, stripBlends: 20 }, explain: { saveAttributions: true } }\n`,
    );
    for (const cell of defended) {
      expect(cell.config?.detect).toMatchObject({ detectors: ['input_screening'], assumedContamination: 0.05, stripBlends: 20 });
      expect(cell.config?.explain).toMatchObject({ saveAttributions: true });
    }
    const synth = (await load(`${GOOD}data: { synth: { stays: 50 }, prepare: { label: icu_mortality } }\n`)).study.data;
    expect(synth).toMatchObject({ kind: 'synth', label: 'icu_mortality' });
  });

  it('refuses a threshold rule or an assumed contamination out of range, naming the key', async () => {
    const fpr = await problem(`${GOOD}evaluation: { threshold: { fpr: 1.5 } }\n`);
    expect(fpr.error.message).toMatch(/evaluation\.threshold/);
    const eps = await problem(`${GOOD}analyses: { detect: { assumedContamination: 0.6 } }\n`);
    expect(eps.error.message).toMatch(/analyses\.detect\.assumedContamination/);
    const label = await problem(`${GOOD}data: { synth: { stays: 50 }, prepare: { label: icu_death } }\n`);
    expect(label.error.message).toMatch(/data\.prepare\.label/);
  });
});

describe('bad input: each names file:line:column and the key path, exit code 2', () => {
  it('a YAML syntax error', async () => {
    const { path, error } = await problem('models:\n  mlp: { kind: mlp\nattacks: {}\n');
    expect(error.code).toBe('E_STUDY_SYNTAX');
    expect(error.message).toMatch(new RegExp(`${path}:\\d+:\\d+`));
  });

  it('a JSON syntax error', async () => {
    const { path, error } = await problem('{"models": {"mlp": {"kind": "mlp"}},,}', 'json');
    expect(error.code).toBe('E_STUDY_SYNTAX');
    expect(error.message).toContain(`${path}:1:`);
  });

  it('an unknown key, with a "did you mean"', async () => {
    const { path, error } = await problem(GOOD.replace('seeds:', 'seed:'));
    expect(error.code).toBe('E_STUDY_KEY');
    expect(error.message).toContain(`${path}:7:1: seed: unknown key "seed". Did you mean "seeds"?`);
  });

  it('an unknown model hyper-parameter, with a "did you mean"', async () => {
    const { path, error } = await problem(GOOD.replace('hidden: 16', 'hiden: 16'));
    expect(error.message).toContain(`${path}:3:29: models.lstm_small.hiden: unknown key "hiden". Did you mean "hidden"?`);
  });

  it('a wrong type', async () => {
    const { path, error } = await problem(GOOD.replace('seeds: [0]', 'seeds: [zero]'));
    expect(error.code).toBe('E_STUDY_VALUE');
    expect(error.message).toContain(`${path}:7:9: seeds.0: expected number, received string`);
  });

  it('an unknown trigger', async () => {
    const { path, error } = await problem(GOOD.replace('trigger: rare_value', 'trigger: rare_valu'));
    expect(error.code).toBe('E_UNKNOWN_TRIGGER');
    expect(error.message).toContain(`${path}:5:21: attacks.hr220.trigger: unknown trigger "rare_valu". Did you mean "rare_value"?`);
  });

  it('an unknown model kind', async () => {
    const { path, error } = await problem(GOOD.replace('kind: lstm', 'kind: lstn'));
    expect(error.code).toBe('E_UNKNOWN_MODEL');
    expect(error.message).toContain(`${path}:3:23: models.lstm_small.kind: unknown model kind "lstn". Did you mean "lstm"?`);
  });

  it('an unknown variable', async () => {
    const { path, error } = await problem(GOOD.replace('variable: heart_rate', 'variable: heart_rat'));
    expect(error.code).toBe('E_UNKNOWN_VARIABLE');
    expect(error.message).toContain(`${path}:5:53: attacks.hr220.params.variable:`);
    expect(error.message).toContain('heart_rat');
  });

  it('an unknown detector', async () => {
    const { path, error } = await problem(`${GOOD}analyses:\n  detect: { detectors: [spectrl] }\n`);
    expect(error.code).toBe('E_DETECT_UNKNOWN');
    expect(error.message).toContain(`${path}:9:25: analyses.detect.detectors.0: "spectrl" is not one of`);
    expect(error.message).toContain('Did you mean "spectral"?');
  });

  it('a trigger parameter out of range', async () => {
    const { path, error } = await problem(GOOD.replace('value: 220 }', 'value: 220, hours: -1 }'));
    expect(error.code).toBe('E_TRIGGER_PARAMS');
    expect(error.message).toContain(`${path}:5:84: attacks.hr220.params.hours: Trigger 'rare_value':`);
  });

  it('a model hyper-parameter out of range', async () => {
    const { path, error } = await problem(GOOD.replace('hidden: 16', 'hidden: 0'));
    expect(error.code).toBe('E_MODEL_CONFIG');
    expect(error.message).toContain(`${path}:3:37: models.lstm_small.hidden:`);
  });

  it('duplicate variant names', async () => {
    const { path, error } = await problem(GOOD.replace('  lstm_small:', '  mlp: { kind: lstm }\n  lstm_small:'));
    expect(error.code).toBe('E_STUDY_SYNTAX');
    expect(error.message).toContain(`${path}:3:3: duplicate key`);
  });

  it('an empty grid', async () => {
    const { error } = await problem(GOOD.replace('rates: [0, 0.05]', 'rates: []'));
    expect(error.code).toBe('E_EMPTY_GRID');
    const noModel = await problem(
      GOOD.replace(
        'attacks:\n  hr220: { trigger: rare_value, params: { variable: heart_rate, value: 220 } }',
        'attacks:\n  hr220: { trigger: temporal_pattern, models: [] }',
      ),
    );
    expect(noModel.error.message).toContain('attacks.hr220.models: Too small');
    const tabularOnly = await problem('models: { mlp: { kind: mlp } }\nattacks: { t: { trigger: temporal_pattern } }\n');
    expect(tabularOnly.error.code).toBe('E_EMPTY_GRID');
  });

  it('a data path that does not exist', async () => {
    const { path, error } = await problem(`data: { dataset: no/such/dir }\n${GOOD}`);
    expect(error.code).toBe('E_DATASET_MISSING');
    expect(error.message).toContain(`${path}:1:18: data.dataset: the dataset directory ${join(dir, 'no/such/dir')} does not exist`);
  });

  it('cells that would collide in one folder', async () => {
    const rates = await problem(GOOD.replace('rates: [0, 0.05]', 'rates: [0, 0.05, 0.05001]'));
    expect(rates.error.code).toBe('E_STUDY_COLLISION');
    expect(rates.error.message).toContain(`${rates.path}:6:18: rates.2: rates 0.05 and 0.05001 both write to the folder "0.05"`);
    const none = await problem(`${GOOD}`.replace('hr220:', 'none:'));
    expect(none.error.message).toContain(`${none.path}:5:3: attacks.none: the attack variant name "none" is the folder of the clean`);
    const cased = await problem(GOOD.replace('lstm_small:', 'MLP:'));
    expect(cased.error.message).toContain('models.MLP: the model variants "mlp" and "MLP" would share one folder');
  });

  it('an attack naming a model variant that does not exist', async () => {
    const { path, error } = await problem(GOOD.replace('value: 220 } }', 'value: 220 }, models: [lstm_smal] }'));
    expect(error.message).toContain(
      `${path}:5:88: attacks.hr220.models.0: no model variant is named "lstm_smal". Did you mean "lstm_small"?`,
    );
  });

  it('reports every problem at once', async () => {
    const { error } = await problem(GOOD.replace('seeds:', 'seed:').replace('kind: lstm', 'kind: lstn'));
    expect(error.code).toBe('E_STUDY');
    expect(error.message).toMatch(/2 problems/);
  });
});
