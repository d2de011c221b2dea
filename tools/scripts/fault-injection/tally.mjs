// What the suite counts and what failed: every scenario reports here, and the closing line reads it.
export function createTally(log = (line) => process.stdout.write(`${line}\n`)) {
  const counts = { faults: 0, kills: 0, killsMidWrite: 0, full: 0, readOnly: 0, shared: 0, outputs: 0, identical: 0, bytewise: 0 };
  const failures = [];
  function check(condition, what) {
    if (!condition) {
      failures.push(what);
      log(`  FAIL ${what}`);
    }
    return condition;
  }
  return { counts, failures, check, log };
}

/** A fault must end with the message the user should see: the exit code, the E_* code, no stack trace. */
export function cleanStderr({ check }, result, what, code, errorCode) {
  check(result.code === code, `${what}: exit ${result.code} (signal ${result.signal}), expected ${code}\n${result.stderr.slice(-1500)}`);
  if (errorCode) check(new RegExp(`error \\[${errorCode}\\]`).test(result.stderr), `${what}: stderr names ${errorCode}`);
  check(!/this is a bug/.test(result.stderr), `${what}: no "this is a bug"`);
  check(!/\n\s+at .+:\d+:\d+\)?\n/.test(result.stderr), `${what}: no stack trace without --verbose`);
}
