/** Safe reads from parsed JSON (`unknown`), for parsers of tool output whose shape varies by version. */

/** The value at `path` inside `root`, or undefined when any step is missing or not an object. */
export function at(root: unknown, ...path: (string | number)[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** A finite number at `path`, else null. */
export function numberAt(root: unknown, ...path: (string | number)[]): number | null {
  const value = at(root, ...path);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A non-empty string at `path`, else null. */
export function stringAt(root: unknown, ...path: (string | number)[]): string | null {
  const value = at(root, ...path);
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** A boolean at `path`, else null. */
export function booleanAt(root: unknown, ...path: (string | number)[]): boolean | null {
  const value = at(root, ...path);
  return typeof value === 'boolean' ? value : null;
}

/** An array at `path`, else an empty array. */
export function arrayAt(root: unknown, ...path: (string | number)[]): unknown[] {
  const value = at(root, ...path);
  return Array.isArray(value) ? (value as unknown[]) : [];
}
