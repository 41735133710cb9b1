/** A location inside a JSON document: object keys and array indices. */
export type JsonPath = ReadonlyArray<string | number>;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['styles', 2, 'links']` → `styles[2].links`; a key that is not an identifier is written `["a key"]`. */
export function formatPath(path: JsonPath): string {
  return path
    .map((segment, i) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (IDENTIFIER.test(segment)) return i === 0 ? segment : `.${segment}`;
      return `[${JSON.stringify(segment)}]`;
    })
    .join('');
}

/** The inverse of `formatPath`. */
export function parsePath(text: string): JsonPath {
  const path: Array<string | number> = [];
  const token = /(?:^|\.)([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/gy;
  let match: RegExpExecArray | null;
  while (token.lastIndex < text.length && (match = token.exec(text))) {
    if (match[1] !== undefined) path.push(match[1]);
    else if (match[2] !== undefined) path.push(Number(match[2]));
    else path.push(JSON.parse(match[3]));
  }
  return path;
}

export function getAt(document: unknown, path: JsonPath): unknown {
  let node: any = document;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = node[segment];
  }
  return node;
}

/**
 * Removes the values at the given paths. Array elements are spliced out, highest index first,
 * so that removing several elements of one array removes the right ones.
 */
export function removeAt(document: Record<string, any>, paths: JsonPath[]): void {
  const sorted = [...paths].sort((a, b) => {
    const x = a[a.length - 1];
    const y = b[b.length - 1];
    return typeof x === 'number' && typeof y === 'number' ? y - x : 0;
  });
  for (const path of sorted) {
    const parent: any = getAt(document, path.slice(0, -1));
    const last = path[path.length - 1];
    if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
    else if (parent && typeof parent === 'object') delete parent[last];
  }
}
