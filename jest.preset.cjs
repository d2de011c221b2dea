// Shared Jest set-up: ESM TypeScript through SWC (no type-check here; `typecheck` does that),
// workspace packages resolved to their sources so tests never need a build first.
const path = require('node:path');

module.exports = function preset(projectDir) {
  return {
    rootDir: projectDir,
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    testMatch: ['<rootDir>/src/**/*.spec.ts'],
    moduleNameMapper: {
      '^@ehr-backdoor/([a-z-]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
      '^@ehr-backdoor/([a-z-]+)/(testing|names)$': path.join(__dirname, 'packages/$1/src/$2.ts'),
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
          module: { type: 'es6' },
          sourceMaps: 'inline',
        },
      ],
    },
    testTimeout: 120_000,
  };
};
