import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';

/**
 * A study's text with the position of every key and value, so an error names file:line:column. JSON is
 * read by the same YAML parser (JSON is YAML 1.2), so both formats report positions the same way.
 */
export interface StudySource {
  /** The file, as the user named it (or a description such as `sweep --preset default`). */
  readonly name: string;
  readonly value: unknown;
  /** `file:line:column` of the key path's value (or of its key, `at: 'key'`); the nearest existing parent when absent. */
  locate(path: readonly PropertyKey[], at?: 'key' | 'value'): string;
}

export interface SyntaxProblem {
  readonly where: string;
  readonly message: string;
}

/** Parses YAML or JSON text; returns the syntax problems instead when there are any. */
export function parseStudyText(text: string, name: string): StudySource | { problems: SyntaxProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: false });
  if (doc.errors.length) {
    return {
      problems: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return {
          where: `${name}:${pos.line}:${pos.col}`,
          message: e.code === 'DUPLICATE_KEY' ? `duplicate key: ${firstLine(e.message)}` : firstLine(e.message),
        };
      }),
    };
  }
  return {
    name,
    value: doc.toJS({ maxAliasCount: 100 }),
    locate: (path, at = 'value') => {
      const offset = offsetOf(doc, path, at);
      if (offset === undefined) return name;
      const pos = lineCounter.linePos(offset);
      return `${name}:${pos.line}:${pos.col}`;
    },
  };
}

/** A source for a study built in memory (sweep's flags): no positions, only its name. */
export function memorySource(name: string, value: unknown): StudySource {
  return { name, value, locate: () => name };
}

function offsetOf(doc: Document, path: readonly PropertyKey[], at: 'key' | 'value'): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const parent = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth - 1).map(String), true);
    if (depth === 0) return (parent as { range?: [number] } | null)?.range?.[0];
    const key = path[depth - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      if (pair) {
        const node = at === 'key' && depth === path.length ? pair.key : (pair.value ?? pair.key);
        const range = (node as { range?: [number] } | null)?.range;
        if (range) return range[0];
      }
      continue;
    }
    const node = doc.getIn(
      path.slice(0, depth).map((k) => (typeof k === 'number' ? k : String(k))),
      true,
    ) as { range?: [number] } | undefined;
    if (node?.range) return node.range[0];
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}
