/**
 * `Math`'s functions for hot loops. Under Jest (this package's tests and its mutation runs) a spec runs
 * in a vm context, where every lookup of a global such as `Math` goes through the context's interceptor
 * and costs about ten times the call; an imported binding does not. Outside Jest these are the same
 * builtins, so no result changes.
 */
export const { abs, max, min, sign, sqrt, tanh } = Math;
