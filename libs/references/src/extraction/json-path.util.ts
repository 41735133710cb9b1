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
 * Writes `value` at `path` in place (the containers along it exist: the path was found in the document).
 * At the empty path the document's own content is replaced, so that its holder sees the change.
 */
export function setAt(document: Record<string, any>, path: JsonPath, value: unknown): void {
  if (!path.length) {
    for (const key of Object.keys(document)) delete document[key];
    Object.assign(document, value);
    return;
  }
  const parent: any = getAt(document, path.slice(0, -1));
  parent[path[path.length - 1]] = value;
}

/**
 * A copy of `document` with each value replaced at its path; the containers along the paths are copied
 * (each once), everything else is shared with `document`, which is left as it is.
 */
export function withValuesAt<T extends Record<string, any>>(document: T, replacements: Iterable<[JsonPath, unknown]>): T {
  const root: any = { ...document };
  const copies = new Set<object>([root]);
  for (const [path, value] of replacements) {
    let node = root;
    for (const segment of path.slice(0, -1)) {
      let child = node[segment];
      if (!copies.has(child)) {
        child = Array.isArray(child) ? [...child] : { ...child };
        copies.add(child);
        node[segment] = child;
      }
      node = child;
    }
    node[path[path.length - 1]] = value;
  }
  return root;
}

/**
 * Removes the values at the given paths, at any depth: an array element is spliced out, a property is
 * unset. Every location is found before anything moves, and the elements of each array go highest index
 * first, so that removing `a[0]`, `a[2]` and `a[3].b` removes the right ones.
 */
export function removeAt(document: Record<string, any>, paths: JsonPath[]): void {
  const elements = new Map<unknown[], Set<number>>();
  const properties: Array<[Record<string, any>, string | number]> = [];
  for (const path of paths) {
    if (!path.length) continue; // a document is never removed from itself
    const parent: any = getAt(document, path.slice(0, -1));
    const last = path[path.length - 1];
    if (Array.isArray(parent) && typeof last === 'number') {
      (elements.get(parent) ?? elements.set(parent, new Set()).get(parent)!).add(last);
    } else if (parent && typeof parent === 'object') properties.push([parent, last]);
  }
  for (const [parent, key] of properties) delete parent[key];
  for (const [array, indices] of elements) {
    for (const index of [...indices].sort((a, b) => b - a)) array.splice(index, 1);
  }
}
