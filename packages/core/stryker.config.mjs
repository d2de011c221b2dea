// Mutation testing of @ehr-backdoor/core: `nx run core:mutate` (docs/development.md, "Mutation testing").
import { strykerConfig } from '../../tools/stryker/config.mjs';

export default strykerConfig('core', {
  // Surviving mutants that no test can kill because they change nothing observable. They stay in the
  // report as "Survived" and count against the score.
  equivalent: [
    {
      file: 'packages/core/src/lib/atomic.ts',
      code: 'await rm(old, { recursive: true, force: true });',
      mutator: 'BooleanLiteral (force: false)',
      why: '`old` was renamed into existence on the line before, and force only changes what happens when the path is missing.',
    },
    {
      file: 'packages/core/src/lib/random.ts',
      code: 'if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;',
      mutator: 'ConditionalExpression (false)',
      why: "unreachable: splitmix32's output function is a bijection on uint32, so four consecutive outputs cannot all be 0; the guard documents xoshiro's one fixed point.",
    },
    {
      file: 'packages/core/src/lib/hash.ts',
      code: 'if (v !== undefined) out[key] = normalise(v);',
      mutator: 'ConditionalExpression (true)',
      why: 'JSON.stringify leaves out properties whose value is undefined, so storing them changes no canonical JSON and no hash.',
    },
    {
      file: 'packages/core/src/lib/assert.ts',
      code: "typeof value === 'number' &&",
      mutator: 'ConditionalExpression (typeof … → true)',
      why: 'Number.isFinite is false for every non-number, so the typeof test only narrows the type for TypeScript.',
    },
    {
      file: 'packages/core/src/lib/process-liveness.ts',
      code: "return !['Z', 'X', 'x'].includes(processStateLetter(pid) ?? '');",
      mutator: "StringLiteral ('X' → '')",
      why: 'state X (dead) is set while the kernel tears the task down and /proc never shows it to a reader; the letter is listed for completeness, like the lowercase x of old kernels.',
    },
    {
      file: 'packages/core/src/lib/environment.ts',
      code: 'if (existsSync(current) || dirname(current) === current) return current;',
      mutator: 'ConditionalExpression (dirname(current) === current → false)',
      why: 'the walk reaches the root only after every ancestor was missing, and the root always exists, so existsSync ends the walk there first.',
    },
    {
      file: 'packages/core/src/lib/quantile.ts',
      code: 'if (n === 0) return NaN;',
      mutator: 'ConditionalExpression (false)',
      why: 'without the guard an empty array reads sorted[-1] or sorted[0], both undefined, and undefined + … is NaN too; the guard only says so.',
    },
    {
      file: 'packages/core/src/lib/temporaries.ts',
      code: 'return owner.pid !== process.pid && !isProcessAlive(owner.pid);',
      mutator: 'ConditionalExpression (owner.pid !== process.pid → true)',
      why: 'the running process is alive, so isProcessAlive(process.pid) keeps its own temporaries too; the first test only spares the probe.',
    },
    {
      file: 'packages/core/src/lib/process-liveness.ts',
      code: "return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];",
      mutator: "StringLiteral (' ' → '')",
      why: 'the state is one letter, so the first character and the first space-separated field are the same string.',
    },
    {
      file: 'packages/core/src/lib/process-liveness.ts',
      code: '} catch {',
      mutator: 'BlockStatement ({})',
      why: 'an empty catch falls off the end of the function, which returns undefined just as `return undefined` does.',
    },
    {
      file: 'packages/core/src/lib/assert.ts',
      code: 'const hasMin = min !== undefined && Number.isFinite(min);',
      mutator: 'ConditionalExpression (min !== undefined → true)',
      why: 'Number.isFinite(undefined) is false, so the undefined test only narrows the type for TypeScript.',
    },
    {
      file: 'packages/core/src/lib/assert.ts',
      code: 'const hasMax = max !== undefined && Number.isFinite(max);',
      mutator: 'ConditionalExpression (max !== undefined → true)',
      why: 'Number.isFinite(undefined) is false, so the undefined test only narrows the type for TypeScript.',
    },
    {
      file: 'packages/core/src/lib/environment.ts',
      code: "typeof error.code === 'string' && error.code === 'ENOENT' && error.syscall === 'mkdir'",
      mutator: "ConditionalExpression (typeof error.code === 'string' → true)",
      why: "error.code === 'ENOENT' already implies a string; the typeof test only narrows the type.",
    },
    {
      file: 'packages/core/src/lib/environment.ts',
      code: "const message = typeof error.message === 'string' ? error.message : '';",
      also: ["return (error as NodeJS.ErrnoException).code ?? 'ENOENT';"],
      mutator: 'StringLiteral (the fallback strings; uncovered, not equivalent)',
      why: 'unreachable here, so no test covers them: every error Node raises has a string message, and accessSync fails with a code. They stay as fallbacks for errors of other origins.',
    },
    {
      file: 'packages/core/src/lib/environment.ts',
      code: "if (dirname(dir) === dir) return 'ENOENT';",
      mutator: 'ConditionalExpression (false)',
      why: 'the walk reaches the root only after every ancestor was missing, and the root always exists, so existsSync returns first.',
    },
    {
      file: 'packages/core/src/lib/exit-codes.ts',
      code: 'const original = known !== error && error instanceof Error ? error : known;',
      mutator: 'ConditionalExpression (known !== error → true)',
      why: 'when known is error itself, choosing error or known prints the same stack.',
    },
    {
      file: 'packages/core/src/lib/temporaries.ts',
      code: 'await rm(path, { recursive: true, force: true });',
      mutator: 'BooleanLiteral (force: false)',
      why: 'readdir has just listed the entry, and force only changes what happens when the path is missing (a race no test can order).',
    },
  ],
});
