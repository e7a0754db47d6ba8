/**
 * Globals that the kernel and the libraries it runs (DuckDB, TensorFlow.js, Node itself)
 * look up at run time. Cells declare into the global scope, so a cell declaring one of these
 * would break the kernel for every later cell; such a declaration is refused instead.
 * The kernel's own globals for cells (`tf`, `db`, `display`, …) come later and may be
 * redeclared: only the cells use them.
 */

/** The name of the kernel-side helper object that transpiled cells call. */
export const RUNTIME = '__reclab';

/**
 * Every global there is when the kernel starts (Node's, the language's: `process`, `Map`,
 * `Date`, …), taken before any cell runs, so what cells declare is never in it.
 */
const RESERVED = new Set([RUNTIME, ...Object.getOwnPropertyNames(globalThis)]);

/** Why `name` cannot be declared by a cell, or undefined when it can. */
export function reservedNameProblem(name: string): string | undefined {
  if (!RESERVED.has(name)) return undefined;
  return (
    `"${name}" is a global the kernel itself needs, so a cell cannot declare it. ` +
    `Rename it (for example "my${name[0].toUpperCase()}${name.slice(1)}").`
  );
}

/** Whether `name` was a global before any cell ran. */
export function isReserved(name: string): boolean {
  return RESERVED.has(name);
}
