// `@ehr-backdoor/data/testing`: fixtures for the tests of code built on the dataset contract (explain's and
// detect's specs use the same backdoored dataset). A separate entry point, so that the package's main entry
// never carries test helpers and production code cannot reach them by accident (lint bans this import
// outside specs and testing/ helpers).
export { backdoorFixture, TRIGGER_VALUE, type BackdoorFixture } from './lib/testing/backdoor-fixture.js';
export { withSplitLabels } from './lib/testing/with-split-labels.js';
