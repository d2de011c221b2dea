/**
 * Every `E_*` code that core's own errors carry, with its meaning: the one place to read them (as
 * vega-lite keeps its messages in `log/message.ts`). The messages stay at the throw sites; the code a
 * throw site may use is checked against {@link CoreCode}.
 */
export const CORE_CODES = {
  E_OUT_OF_RANGE: 'a number is not finite or lies outside its allowed interval',
  E_NO_SPACE: 'the disk (or the quota) is full',
  E_PERMISSION: 'a file or folder may not be written or read by this user',
  E_READ_ONLY: 'the output lies on a read-only file system',
  E_TOO_MANY_FILES: 'the process or the system ran out of open-file handles',
} as const satisfies Record<`E_${string}`, string>;

/** A code of {@link CORE_CODES}. */
export type CoreCode = keyof typeof CORE_CODES;

/** The codes of the machine's errors that `environmentErrorFrom` recognises (E_SLURM_MISSING is the runner's). */
export type EnvironmentCode = Extract<CoreCode, 'E_NO_SPACE' | 'E_PERMISSION' | 'E_READ_ONLY' | 'E_TOO_MANY_FILES'>;
