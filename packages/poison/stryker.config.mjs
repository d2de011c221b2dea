// Mutation testing of @ehr-backdoor/poison: `nx run poison:mutate` (docs/development.md).
import { strykerConfig } from '../../tools/stryker/config.mjs';

export default strykerConfig('poison', {
  equivalent: [],
});
