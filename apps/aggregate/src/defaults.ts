/**
 * Where `ehr-backdoor-aggregate` reads and writes with no flags: the default sweep's output and its report,
 * relative to the working directory. Apart from `main.ts` so that `run.ts`, which main imports lazily, can
 * name the default without importing main back.
 */
export const DEFAULT_RUNS = 'runs/default';
export const DEFAULT_OUT = 'runs/default-report';
