/**
 * @ehr-backdoor/core — the few foundations every other package shares.
 *
 * Typed errors (with a stable `code`), entry-point checks with lazy messages, the project's seedable
 * PRNG with saveable state, atomic writes, and content hashing of configs and files.
 *
 * @packageDocumentation
 */
export {
  EhrBackdoorError,
  InputError,
  DataError,
  CompatibilityError,
  EnvironmentError,
  BugError,
  isEhrBackdoorError,
} from './lib/errors.js';
export { CORE_CODES } from './lib/error-codes.js';
export type { CoreCode } from './lib/error-codes.js';
export { environmentErrorFrom } from './lib/environment.js';
export type { EnvironmentCode } from './lib/error-codes.js';
export { assertInput, assertFiniteInRange, describeRange, isFiniteInRange } from './lib/assert.js';
export type { FiniteRange } from './lib/assert.js';
export { EXIT, exitCodeFor, handleErrors } from './lib/exit-codes.js';
export { quantileSorted } from './lib/quantile.js';
export { Random } from './lib/random.js';
export type { RandomState } from './lib/random.js';
export { canonicalJson, sha256, hashJson, sha256File } from './lib/hash.js';
export { writeFileAtomic, writeJsonAtomic, writeDirectoryAtomic } from './lib/atomic.js';
export type { AtomicDirectoryOptions } from './lib/atomic.js';
export { temporaryPath, temporaryOwner, isStaleTemporary, removeStaleTemporaries, removeStaleTemporariesOf } from './lib/temporaries.js';
export type { StaleTemporaryOptions } from './lib/temporaries.js';
export { isProcessAlive, processStateLetter, hostTag } from './lib/process-liveness.js';
