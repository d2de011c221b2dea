import { formatRate } from '../grid.js';
import type { Study } from './schema.js';
import type { Problem } from './study-error.js';

/** Two names that would share a folder: `none` (the clean cells' folder), names equal but for case, rates equal at 4 decimals. */
export function checkCollisions(study: Study, problems: Problem[]): void {
  if ('none' in study.attacks)
    problems.push({
      path: ['attacks', 'none'],
      at: 'key',
      code: 'E_STUDY_COLLISION',
      message: 'the attack variant name "none" is the folder of the clean (rate 0) cells; choose another name.',
    });
  for (const section of ['models', 'attacks'] as const) {
    const seen = new Map<string, string>();
    for (const name of Object.keys(study[section])) {
      const other = seen.get(name.toLowerCase());
      if (other !== undefined)
        problems.push({
          path: [section, name],
          at: 'key',
          code: 'E_STUDY_COLLISION',
          message: `the ${section === 'models' ? 'model' : 'attack'} variants "${other}" and "${name}" would share one folder on a case-insensitive file system; rename one.`,
        });
      else seen.set(name.toLowerCase(), name);
    }
  }
  const folders = new Map<string, number>();
  study.rates.forEach((rate, i) => {
    const folder = formatRate(rate);
    const first = folders.get(folder);
    if (first !== undefined && study.rates[first] !== rate)
      problems.push({
        path: ['rates', i],
        code: 'E_STUDY_COLLISION',
        message: `rates ${study.rates[first]} and ${rate} both write to the folder "${folder}" (rates are kept to 4 decimals); drop one.`,
      });
    else folders.set(folder, i);
  });
}
