// Mutation testing of @ehr-backdoor/metrics: `nx run metrics:mutate` (docs/development.md).
import { strykerConfig } from '../../tools/stryker/config.mjs';

export default strykerConfig('metrics', {
  equivalent: [],
});
