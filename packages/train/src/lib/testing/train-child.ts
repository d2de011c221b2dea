// Child process of the SIGKILL test: trains with checkpoints and reports every batch on stdout so the
// parent can kill it in the middle of an epoch.
import { trainModel } from '../train.js';
import { fixtureDataset } from './fixture.js';
import { RESUME_TEST_CONFIG } from './resume-config.js';

const [checkpointDir] = process.argv.slice(2);
await trainModel({
  ...RESUME_TEST_CONFIG,
  dataset: fixtureDataset(),
  checkpointDir,
  resume: true,
  onBatch: ({ epoch, batch }) => process.stdout.write(`batch ${epoch} ${batch}\n`),
});
process.stdout.write('done\n');
