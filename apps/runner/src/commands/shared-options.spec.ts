import { BACKEND_CHOICES } from '@ehr-backdoor/train';
import { BACKEND_NAMES } from './shared-options.js';

test("the CLI's backend names are train's", () => {
  expect([...BACKEND_NAMES]).toEqual([...BACKEND_CHOICES]);
});
