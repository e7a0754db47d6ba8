/**
 * Globals that the kernel and the libraries it runs (DuckDB, TensorFlow.js, Node itself)
 * look up at run time. Cells declare into the global scope, so a cell declaring one of these
 * would break the kernel for every later cell; such a declaration is refused instead.
 */

/** The name of the kernel-side helper object that transpiled cells call. */
export const RUNTIME = '__reclab';

const RESERVED = new Set([
  RUNTIME,
  'process',
  'globalThis',
  'global',
  'console',
  'require',
  'module',
  'exports',
  'Buffer',
  'Promise',
  'Object',
  'Array',
  'Function',
  'Symbol',
  'Error',
  'JSON',
  'Math',
  'Reflect',
  'performance',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'clearImmediate',
  'queueMicrotask',
  'structuredClone',
]);

/** Why `name` cannot be declared by a cell, or undefined when it can. */
export function reservedNameProblem(name: string): string | undefined {
  if (!RESERVED.has(name)) return undefined;
  return `"${name}" is a global the kernel itself needs, so a cell cannot declare it. Rename it (for example "my${name[0].toUpperCase()}${name.slice(1)}").`;
}
