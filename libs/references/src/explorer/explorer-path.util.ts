/** A mount path as the pages link to it: `/explorer/` → `/explorer`, `explorer` → `/explorer`, `/` → ``. */
export function normalisePath(path: string): string {
  return `/${path.replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, '');
}
