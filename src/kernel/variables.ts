/**
 * What the variable inspector shows of each name the cells declared: its type, a one-line
 * summary (a table's rows and columns, a tensor's shape, a model's fitted state) and the
 * memory its data holds where that is known. Reading a value never runs the notebook's code
 * beyond a class's own `toString`, and a summary that throws says so instead.
 */
import * as tf from '@tensorflow/tfjs';
import type { VariableInfo } from '../api';
import { Table } from '../data';

const MAX_SUMMARY = 160;

export function describeVariable(name: string, value: unknown): VariableInfo {
  let summary: string;
  let bytes: number | undefined;
  try {
    ({ summary, bytes } = summarise(value));
  } catch (e) {
    summary = `(its summary failed: ${e instanceof Error ? e.message : String(e)})`;
  }
  const info: VariableInfo = { name, type: typeName(value), summary: clip(summary) };
  if (bytes !== undefined) info.bytes = bytes;
  return info;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function')
    return /^class[\s{]/.test(Function.prototype.toString.call(value)) ? 'class' : 'function';
  if (typeof value !== 'object') return typeof value;
  if (value instanceof tf.Tensor) return `Tensor ${value.dtype}`;
  return (value.constructor as { name?: string } | undefined)?.name || 'Object';
}

interface Fitted {
  isFitted: boolean;
  train?: { numUsers: number; numItems: number };
}

const isModel = (v: object): v is Fitted => typeof (v as Partial<Fitted>).isFitted === 'boolean';

function summarise(value: unknown): { summary: string; bytes?: number } {
  if (typeof value === 'string')
    return {
      summary:
        value.length > 60
          ? `${JSON.stringify(value.slice(0, 60))}… (${value.length} characters)`
          : JSON.stringify(value),
    };
  if (typeof value === 'function')
    return {
      summary: value.name ? `${value.name}(${value.length} arguments)` : `(${value.length} arguments)`,
    };
  if (typeof value !== 'object' || value === null) return { summary: String(value) };
  if (value instanceof Table) {
    const names = value.columns.map((c) => c.name);
    const shown = names.slice(0, 6).join(', ') + (names.length > 6 ? ', …' : '');
    return {
      summary: `${plural(value.numRows, 'row')} × ${plural(names.length, 'column')}: ${shown}`,
      bytes:
        value.columns.reduce((sum, c) => sum + (ArrayBuffer.isView(c.data) ? c.data.byteLength : 0), 0) ||
        undefined,
    };
  }
  if (value instanceof tf.Tensor)
    return {
      summary: value.isDisposed ? 'disposed' : `shape [${value.shape.join(', ')}]`,
      bytes: value.isDisposed ? undefined : value.size * (value.dtype === 'bool' ? 1 : 4),
    };
  if (ArrayBuffer.isView(value))
    return {
      summary: `${(value as unknown as ArrayLike<number>).length ?? value.byteLength} elements`,
      bytes: value.byteLength,
    };
  if (Array.isArray(value)) return { summary: `${value.length} elements` };
  if (value instanceof Map || value instanceof Set) return { summary: `${value.size} entries` };
  if (isModel(value))
    return {
      summary: value.isFitted
        ? `fitted${value.train ? ` on ${value.train.numUsers} users × ${value.train.numItems} items` : ''}`
        : 'not fitted yet',
    };
  if (hasOwnToString(value)) return { summary: String(value) };
  const keys = Object.keys(value);
  return { summary: `{${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''}}` };
}

/** A class that says what it is (a Dataset, a training history) better than its fields do. */
function hasOwnToString(value: object): boolean {
  for (
    let p = Object.getPrototypeOf(value) as object | null;
    p && p !== Object.prototype;
    p = Object.getPrototypeOf(p) as object | null
  )
    if (Object.hasOwn(p, 'toString')) return true;
  return false;
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_SUMMARY ? `${line.slice(0, MAX_SUMMARY - 1)}…` : line;
}
