import type { ValueTreeNode } from '../api';

/** How deep the tree goes: past it an object shows its summary only. */
const MAX_DEPTH = 8;
/** Entries of one object or array the tree keeps; the rest are counted. */
const MAX_ENTRIES = 100;
/** Nodes of one tree: a value shown must stay a small part of the notebook file. */
const MAX_NODES = 5000;
/** Entries a one-line summary names before `…`. */
const PREVIEW_ENTRIES = 5;
const PREVIEW_CHARS = 100;
const MAX_STRING = 1000;

type Entry = [string, unknown];

/**
 * A value as a tree to unfold, as Chrome's console shows it: each object reads as a one-line
 * summary (`{a: 1, b: Array(3), …}`) and opens to its entries. Built ahead, within limits of
 * depth and size, so a saved notebook unfolds it without the kernel.
 */
export function valueTree(value: unknown): ValueTreeNode {
  let budget = MAX_NODES;
  const ancestors = new Set<object>();
  const build = (v: unknown, depth: number): ValueTreeNode => {
    budget--;
    if (!isObject(v)) return leaf(v, MAX_STRING);
    if (ancestors.has(v)) return { summary: '[Circular]', kind: 'other' };
    const entries = entriesOf(v);
    if (!entries) return leaf(v, MAX_STRING);
    const node: ValueTreeNode = { summary: summary(v, entries), kind: 'object' };
    if (depth >= MAX_DEPTH || budget <= 0) return node;
    ancestors.add(v);
    const kept = entries.slice(0, Math.min(MAX_ENTRIES, Math.max(0, budget)));
    node.entries = kept.map(([key, child]) => ({ key, value: build(child, depth + 1) }));
    ancestors.delete(v);
    const total = length(v) ?? entries.length;
    if (total > kept.length) node.more = total - kept.length;
    return node;
  };
  return build(value, 0);
}

const isObject = (v: unknown): v is object =>
  (typeof v === 'object' && v !== null) || typeof v === 'function';

/** The entries an object unfolds to; undefined for objects that read best as one value (dates, errors, functions). */
function entriesOf(v: object): Entry[] | undefined {
  if (typeof v === 'function' || v instanceof Date || v instanceof RegExp || v instanceof Error)
    return undefined;
  if (v instanceof Map) return [...v].map(([k, x]) => [preview(k), x]);
  if (v instanceof Set) return [...v].map((x, i) => [String(i), x]);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const array = v as unknown as ArrayLike<unknown>;
    return Array.from({ length: Math.min(array.length, MAX_ENTRIES + 1) }, (_, i) => [String(i), array[i]]);
  }
  return Object.keys(v).map((key) => [key, read(v, key)]);
}

/** A property's value; a getter that throws shows what it threw. */
function read(v: object, key: string): unknown {
  try {
    return (v as Record<string, unknown>)[key];
  } catch (e) {
    return new Error(e instanceof Error ? e.message : String(e));
  }
}

function length(v: object): number | undefined {
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map || v instanceof Set) return v.size;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return (v as unknown as ArrayLike<unknown>).length;
  return undefined;
}

function className(v: object): string {
  const proto = Object.getPrototypeOf(v) as { constructor?: { name?: unknown } } | null;
  const name = proto?.constructor?.name;
  return typeof name === 'string' && name ? name : 'Object';
}

/** An object collapsed: `(3) [1, 2, 3]`, `Map(2) {'a' => 1, …}`, `Dataset {name: 'ml', …}`. */
function summary(v: object, entries: Entry[]): string {
  const n = length(v);
  const listed = n !== undefined && !(v instanceof Map || v instanceof Set);
  // Objects and maps name their keys; arrays and sets list their values.
  const keyed = n === undefined || v instanceof Map;
  const parts: string[] = [];
  let chars = 0;
  for (const [key, x] of entries.slice(0, PREVIEW_ENTRIES)) {
    const part = keyed ? `${key}${v instanceof Map ? ' =>' : ':'} ${preview(x)}` : preview(x);
    if (parts.length && chars + part.length > PREVIEW_CHARS) break;
    parts.push(part);
    chars += part.length + 2;
  }
  const body = parts.join(', ') + (parts.length < (n ?? entries.length) ? (parts.length ? ', …' : '…') : '');
  const brackets = listed ? `[${body}]` : `{${body}}`;
  if (Array.isArray(v)) return `(${n}) ${brackets}`;
  const name = className(v);
  if (n !== undefined) return `${name}(${n}) ${brackets}`;
  return name === 'Object' ? brackets : `${name} ${brackets}`;
}

/** A value inside a summary: primitives as they read, objects by kind only (`{…}`, `Array(3)`). */
function preview(v: unknown): string {
  if (!isObject(v)) return leaf(v, 30).summary;
  if (typeof v === 'function' || v instanceof Date || v instanceof RegExp || v instanceof Error)
    return leaf(v, 30).summary;
  const n = length(v);
  const name = Array.isArray(v) ? 'Array' : className(v);
  if (n !== undefined) return `${name}(${n})`;
  return name === 'Object' ? '{…}' : name;
}

function leaf(v: unknown, maxString: number): ValueTreeNode {
  switch (typeof v) {
    case 'string':
      return { summary: `'${v.length > maxString ? `${v.slice(0, maxString)}…` : v}'`, kind: 'string' };
    case 'number':
      return { summary: String(v), kind: 'number' };
    case 'bigint':
      return { summary: `${v}n`, kind: 'number' };
    case 'boolean':
      return { summary: String(v), kind: 'boolean' };
    case 'undefined':
      return { summary: 'undefined', kind: 'undefined' };
    case 'function':
      return { summary: `ƒ ${v.name || 'anonymous'}()`, kind: 'other' };
    case 'symbol':
      return { summary: v.toString(), kind: 'other' };
  }
  if (v === null) return { summary: 'null', kind: 'null' };
  if (v instanceof Date)
    return { summary: Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString(), kind: 'other' };
  if (v instanceof Error) return { summary: `${v.name}: ${v.message}`, kind: 'other' };
  return { summary: String(v), kind: 'other' };
}
