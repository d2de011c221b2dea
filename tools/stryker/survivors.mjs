// Which surviving mutants of a package no `equivalent` entry explains: the work list of "kill or explain
// every surviving mutant" (docs/development.md, "Mutation testing").
//
//   node tools/stryker/survivors.mjs <package> [report.json] [--strict]
//
// Reads Stryker's JSON report (default packages/<package>/reports/mutation/mutation.json; the incremental
// file has the same schema) and the package's stryker.config.mjs. A survivor (or uncovered mutant) is
// explained when its first line lies inside an occurrence of an entry's `code` (or `also`) in its file.
// Prints the score over covered mutants, the killed-only floor, and every unexplained mutant with its line,
// mutator and replacement. --strict exits 1 while any is left.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { declaredEquivalents } from './config.mjs';

const root = join(import.meta.dirname, '..', '..');
const [name, reportArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const strict = process.argv.includes('--strict');
if (!name) {
  console.error('usage: node tools/stryker/survivors.mjs <package> [report.json] [--strict]');
  process.exit(2);
}
const configFile = join(root, 'packages', name, 'stryker.config.mjs');
const reportFile = reportArg ?? join(root, 'packages', name, 'reports', 'mutation', 'mutation.json');
for (const file of [configFile, reportFile]) {
  if (!existsSync(file)) {
    console.error(`survivors: ${file} does not exist (run \`nx run ${name}:mutate\` first, or name a report).`);
    process.exit(2);
  }
}
await import(pathToFileURL(configFile).href);
const entries = declaredEquivalents.get(name) ?? [];
let report;
try {
  report = JSON.parse(readFileSync(reportFile, 'utf8'));
} catch (error) {
  console.error(`survivors: ${reportFile} is not a Stryker JSON report (${error.message}).`);
  process.exit(2);
}

/** [first, last] line of each occurrence of `code` in `source` (1-based). */
function occurrences(source, code) {
  const spans = [];
  for (let at = source.indexOf(code); at >= 0; at = source.indexOf(code, at + 1)) {
    const first = source.slice(0, at).split('\n').length;
    spans.push([first, first + code.split('\n').length - 1]);
  }
  return spans;
}

const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0 };
const unexplained = [];
let explained = 0;
for (const [file, { source, mutants }] of Object.entries(report.files)) {
  const relative = file.startsWith('/') ? file.slice(root.length + 1) : file;
  const spans = entries
    .filter((entry) => entry.file === relative)
    .flatMap((entry) => [entry.code, ...(entry.also ?? [])].flatMap((code) => occurrences(source, code)));
  for (const mutant of mutants) {
    if (mutant.status in counts) counts[mutant.status]++;
    if (mutant.status !== 'Survived' && mutant.status !== 'NoCoverage') continue;
    const line = mutant.location.start.line;
    if (spans.some(([first, last]) => line >= first && line <= last)) explained++;
    else unexplained.push({ file: relative, line, status: mutant.status, mutator: mutant.mutatorName, replacement: mutant.replacement });
  }
}
const covered = counts.Killed + counts.Timeout + counts.Survived;
const percent = (x) => ((100 * x) / covered).toFixed(2);
console.log(
  `${name}: score over covered ${percent(counts.Killed + counts.Timeout)} % (killed-only ${percent(counts.Killed)} %); ` +
    `${counts.Killed} killed, ${counts.Timeout} timed out, ${counts.Survived} survived, ${counts.NoCoverage} uncovered; ` +
    `${explained} of the survivors and uncovered explained (stryker.config.mjs → equivalent), ${unexplained.length} not.`,
);
unexplained.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
for (const m of unexplained) {
  const replacement = m.replacement === undefined ? '' : `  → ${JSON.stringify(m.replacement).slice(0, 80)}`;
  console.log(`  ${m.file}:${m.line}  ${m.status === 'NoCoverage' ? 'uncovered ' : ''}${m.mutator}${replacement}`);
}
process.exit(strict && unexplained.length > 0 ? 1 : 0);
