import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { studyJsonSchema } from './schema.js';

/** docs/study.schema.json is what editors read through `$schema`: it must be what the schema generates. */
test('the committed JSON Schema equals the generated one (regenerate: ehr-backdoor study schema > docs/study.schema.json)', () => {
  const committed = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../../docs/study.schema.json', import.meta.url)), 'utf8'));
  expect(committed).toEqual(studyJsonSchema());
});

test("the schema lists the packages' own names", () => {
  const text = JSON.stringify(studyJsonSchema());
  for (const name of ['tabtransformer', 'temporal_pattern', 'activation_clustering', 'clean-label', 'wasm'])
    expect(text).toContain(`"${name}"`);
});
