import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadStudyFile } from './study/load.js';
import { studyCells } from './study/cells.js';
import { STUDIES_DIR, PRESET_NAMES, presetStudy, sweepStudyInput } from './sweep.js';
import { TRIGGER_NAMES } from '@ehr-backdoor/poison/names';

/** The study files shipped in studies/: each valid, and the presets `sweep --preset` reads are among them. */
describe('shipped studies', () => {
  const files = readdirSync(STUDIES_DIR).filter((f) => f.endsWith('.yaml'));

  it.each(files)('%s is valid', async (file) => {
    const study = await loadStudyFile(join(STUDIES_DIR, file));
    expect(studyCells(study).length).toBeGreaterThan(0);
  });

  it('holds every preset', () => {
    for (const preset of PRESET_NAMES) expect(files).toContain(`${preset}.yaml`);
  });

  it('the default study is the 132 cells of the default sweep', async () => {
    const cells = studyCells(await loadStudyFile(join(STUDIES_DIR, 'default.yaml')));
    expect(cells).toHaveLength(132);
    expect(cells.filter((c) => c.rate === 0)).toHaveLength(12);
    expect(new Set(cells.filter((c) => c.trigger === 'temporal_pattern').map((c) => c.model))).toEqual(new Set(['lstm', 'tcn']));
  });

  it('the example study uses variants, a target-0 attack and per-attack model lists', async () => {
    const study = await loadStudyFile(join(STUDIES_DIR, 'example.yaml'));
    expect(study.models.find((m) => m.name === 'lstm_small')?.training.epochs).toBe(8);
    expect(study.attacks.find((a) => a.name === 'hr220_survive')?.target).toBe(0);
    expect(study.attacks.find((a) => a.name === 'spo2_dip')?.models).toEqual(['lstm', 'lstm_small', 'tcn']);
    expect(study.attacks.find((a) => a.name === 'no_labs')?.models).toEqual(['lstm', 'lstm_small', 'tcn']);
  });

  it('the time-series detection table runs every trigger towards both labels on the TCN, with every defence', async () => {
    const study = await loadStudyFile(join(STUDIES_DIR, 'detection-timeseries.yaml'));
    for (const trigger of TRIGGER_NAMES.filter((t) => t !== 'none'))
      expect(new Set(study.attacks.filter((a) => a.trigger === trigger).map((a) => a.target))).toEqual(new Set([0, 1]));
    const cells = studyCells(study);
    expect(cells).toHaveLength(81);
    expect(new Set(cells.map((c) => c.model))).toEqual(new Set(['tcn']));
  });

  it('the catalogue runs every trigger towards both labels, three seeds', async () => {
    const study = await loadStudyFile(join(STUDIES_DIR, 'catalogue.yaml'));
    for (const trigger of TRIGGER_NAMES.filter((t) => t !== 'none')) {
      expect(new Set(study.attacks.filter((a) => a.trigger === trigger).map((a) => a.target))).toEqual(new Set([0, 1]));
    }
    expect(study.seeds).toHaveLength(3);
  });
});

describe('sweep presets', () => {
  const flags = {
    patience: 0,
    selection: 'last',
    rateBasis: 'eligible',
    backend: 'auto',
    mode: 'dirty-label',
    targetLabel: 1,
    explain: false,
    detect: false,
    retrain: false,
    executor: 'local',
    workers: 0,
  };

  it('sweep --triggers naming the default preset’s triggers runs its attacks, parameters included', async () => {
    const preset = await presetStudy('default');
    const named = await sweepStudyInput({ preset: 'default', triggers: Object.keys(preset.attacks ?? {}), ...flags });
    expect(named.attacks).toEqual(preset.attacks);
    // A trigger the preset does not name runs with its built-in parameters.
    const other = await sweepStudyInput({ preset: 'default', triggers: ['blended'], ...flags });
    expect(other.attacks).toEqual({ blended: { trigger: 'blended' } });
  });
});
