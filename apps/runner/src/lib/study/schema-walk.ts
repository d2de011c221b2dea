/**
 * Reads the JSON Schema of study files along a key path: which keys an object at that path may have,
 * and which values a discriminator takes. Error messages use it for "did you mean" and "choose from".
 */
type Node = Record<string, unknown>;

export function keysAt(schema: Node, path: readonly PropertyKey[], value: unknown): string[] {
  return [...new Set(nodesAt(schema, path, value).flatMap((n) => Object.keys((n.properties as Node | undefined) ?? {})))];
}

export function discriminatorValues(schema: Node, parentPath: readonly PropertyKey[], key: string, value: unknown): string[] {
  const out: string[] = [];
  for (const node of nodesAt(schema, parentPath, value)) {
    for (const branch of branches(schema, node)) {
      const property = ((branch.properties as Node | undefined) ?? {})[key] as Node | undefined;
      if (property && typeof property.const === 'string') out.push(property.const);
      else if (property && Array.isArray(property.enum)) out.push(...property.enum.map(String));
    }
  }
  return [...new Set(out)];
}

function nodesAt(root: Node, path: readonly PropertyKey[], value: unknown): Node[] {
  let nodes = branchesMatching(root, [root], value, []);
  let current: unknown = value;
  for (const key of path) {
    current = current !== null && typeof current === 'object' ? (current as Record<PropertyKey, unknown>)[key] : undefined;
    const next: Node[] = [];
    for (const node of nodes) {
      const properties = node.properties as Record<string, Node> | undefined;
      if (properties?.[String(key)]) next.push(properties[String(key)]);
      else if (typeof node.additionalProperties === 'object') next.push(node.additionalProperties as Node);
      else if (typeof node.items === 'object' && typeof key === 'number') next.push(node.items as Node);
    }
    nodes = branchesMatching(root, next, current, []);
  }
  return nodes;
}

/** The concrete object schemas of `nodes` (refs followed, unions opened), keeping the branch `value` selects. */
function branchesMatching(root: Node, nodes: Node[], value: unknown, seen: Node[]): Node[] {
  const out: Node[] = [];
  for (const node of nodes) {
    if (seen.includes(node)) continue;
    const all = branches(root, node);
    const selected = all.filter((b) => matches(b, value));
    out.push(...(selected.length ? selected : all));
  }
  return out;
}

function branches(root: Node, node: Node): Node[] {
  if (typeof node.$ref === 'string') {
    const name = node.$ref.replace(/^#\/\$defs\//, '');
    const target = (root.$defs as Record<string, Node> | undefined)?.[name];
    return target ? branches(root, target) : [];
  }
  const union = (node.oneOf ?? node.anyOf) as Node[] | undefined;
  if (union) return union.flatMap((b) => branches(root, b));
  return [node];
}

/** True when no `const` property of the branch contradicts the value (how a discriminated union picks). */
function matches(branch: Node, value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  for (const [key, property] of Object.entries((branch.properties as Record<string, Node> | undefined) ?? {})) {
    if ('const' in property && key in value && (value as Record<string, unknown>)[key] !== property.const) return false;
  }
  return true;
}
