// Mutation testing of @ehr-backdoor/detect: `nx run detect:mutate` (docs/development.md, "Mutation testing").
import { strykerConfig } from '../../tools/stryker/config.mjs';
import { detectorsEquivalents } from './stryker-equivalents/detectors.mjs';
import { numericsEquivalents } from './stryker-equivalents/numerics.mjs';
import { screeningEquivalents } from './stryker-equivalents/screening.mjs';

export default strykerConfig('detect', {
  // Surviving mutants that no test can kill because they change nothing observable, one list per part
  // of the package (stryker-equivalents/). They stay in the report as "Survived" and count against the score.
  equivalent: [...numericsEquivalents, ...screeningEquivalents, ...detectorsEquivalents],
});
