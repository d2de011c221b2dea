// Jest setup file used only under Stryker (tools/stryker/config.mjs → jest.config.setupFiles).
//
// When a mutant makes a fast-check property fail, fast-check shrinks the counterexample: it re-runs the
// property on smaller inputs until none fails, often hundreds of runs of code that Stryker's
// instrumentation already slows. Stryker only needs to know that the property failed, not the smallest
// input, so a failing property ends at its first counterexample. A passing property runs exactly as in
// `npm test` (same seed, same number of runs), so no verdict changes.
import fc from 'fast-check';

fc.configureGlobal({ ...fc.readConfigureGlobal(), endOnFailure: true });
