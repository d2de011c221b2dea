import type { z } from 'zod';
import { didYouMean } from './did-you-mean.js';
import { studyJsonSchema } from './schema.js';
import { discriminatorValues, keysAt } from './schema-walk.js';
import type { Problem } from './study-error.js';

/** zod's issues as problems, with "did you mean" for unknown keys and names. */
export function schemaProblems(issues: readonly z.core.$ZodIssue[], value: unknown): Problem[] {
  const schema = studyJsonSchema();
  const out: Problem[] = [];
  const visit = (issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(schema, path, value);
      for (const key of issue.keys) {
        out.push({
          path: [...path, key],
          at: 'key',
          code: 'E_STUDY_KEY',
          message: `unknown key "${key}".${didYouMean(key, known)}${known.length ? ` Keys here: ${known.join(', ')}.` : ''}`,
        });
      }
    } else if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
      const parent = path.slice(0, -1);
      const options = discriminatorValues(schema, parent, String(issue.discriminator), value);
      const given = valueAt(value, path);
      const what =
        issue.discriminator === 'kind' && parent[0] === 'models'
          ? 'model kind'
          : issue.discriminator === 'trigger'
            ? 'trigger'
            : String(issue.discriminator);
      out.push({
        path,
        code: what === 'model kind' ? 'E_UNKNOWN_MODEL' : what === 'trigger' ? 'E_UNKNOWN_TRIGGER' : 'E_STUDY_VALUE',
        message:
          given === undefined
            ? `missing "${String(issue.discriminator)}": choose from ${options.join(', ')}.`
            : `unknown ${what} ${JSON.stringify(given)}.${typeof given === 'string' ? didYouMean(given, options) : ''} Choose from ${options.join(', ')}.`,
      });
    } else if (issue.code === 'invalid_union' && issue.errors.length) {
      // The branch that got furthest is the one the author meant (e.g. `detect: {…}` rather than `false`).
      const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
      for (const inner of best) visit(inner, path);
    } else if (issue.code === 'invalid_value' && issue.values.every((v) => typeof v === 'string')) {
      const given = valueAt(value, path);
      const options = issue.values as string[];
      out.push({
        path,
        code: path.includes('detectors') ? 'E_DETECT_UNKNOWN' : 'E_STUDY_VALUE',
        message: `${JSON.stringify(given)} is not one of ${options.join(', ')}.${typeof given === 'string' ? didYouMean(given, options) : ''}`,
      });
    } else {
      const empty = issue.code === 'too_small' && path.length === 1 && (path[0] === 'rates' || path[0] === 'seeds');
      out.push({ path, code: empty ? 'E_EMPTY_GRID' : 'E_STUDY_VALUE', message: issue.message.replace(/^Invalid input: /, '') });
    }
  };
  for (const issue of issues) visit(issue, []);
  return out;
}

function depth(issues: readonly z.core.$ZodIssue[]): number {
  return Math.max(...issues.map((i) => i.path.length + (i.code === 'invalid_value' && i.path.length === 0 ? -1 : 0)));
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}
