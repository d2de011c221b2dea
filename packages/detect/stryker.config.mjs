// Mutation testing of @ehr-backdoor/detect: `nx run detect:mutate` (docs/development.md, "Mutation testing").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strykerConfig } from '../../tools/stryker/config.mjs';
import { detectorsEquivalents } from './stryker-equivalents/detectors.mjs';
import { numericsEquivalents } from './stryker-equivalents/numerics.mjs';
import { screeningEquivalents } from './stryker-equivalents/screening.mjs';

// The detector specs train models in `beforeAll`; without a cache every mutant they cover pays for the
// training again (src/lib/testing/spec-models.ts). One fresh cache per run: the test runners are forked
// from this process and inherit the variable.
if (!process.env.EHR_BACKDOOR_SPEC_MODEL_CACHE) {
  const cache = mkdtempSync(join(tmpdir(), 'detect-spec-models-'));
  process.env.EHR_BACKDOOR_SPEC_MODEL_CACHE = cache;
  process.on('exit', () => rmSync(cache, { recursive: true, force: true }));
}

export default strykerConfig('detect', {
  // Surviving mutants that no test can kill because they change nothing observable, one list per part
  // of the package (stryker-equivalents/). They stay in the report as "Survived" and count against the score.
  equivalent: [...numericsEquivalents, ...screeningEquivalents, ...detectorsEquivalents],
});
