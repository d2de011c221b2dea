// Commit messages: Conventional Commits as docs/development.md ("Commit messages") describes them, because
// `nx release` computes versions and the changelog from them. Checked by `npm test` (tools/scripts/check-commits.mjs)
// on every commit since enforcement began; older history predates the rule.
export default {
  extends: ['@commitlint/config-conventional'],
  rules: {
    'type-enum': [2, 'always', ['feat', 'fix', 'perf', 'refactor', 'docs', 'test', 'build', 'ci', 'chore', 'style', 'revert']],
    'header-max-length': [2, 'always', 72],
    // Bodies carry measured tables and command lines, which are wider than 100 columns.
    'body-max-line-length': [0],
    'footer-max-line-length': [0],
    // Subjects name code (`trainModel`, `ASR`), so their case is free.
    'subject-case': [0],
  },
};
