// Mutation testing of @ehr-backdoor/detect: `nx run detect:mutate` (docs/development.md).
import { strykerConfig } from '../../tools/stryker/config.mjs';

export default strykerConfig('detect', {
  equivalent: [],
});
