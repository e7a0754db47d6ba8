import type { SortKey } from '../api';
/**
 * A columnar table: numeric columns are typed arrays (NaN marks a missing number),
 * everything else a plain array. SQL results, datasets and model outputs all use it.
 */

export type ColumnType = 'int32' | 'float32' | 'float64' | 'bool' | 'string' | 'timestamp' | 'date' | 'json';

export type ColumnData =
  Int32Array | Float32Array | Float64Array | Uint8Array | (string | null)[] | unknown[];

export type CellValue = number | string | boolean | null | unknown;

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  readonly data: ColumnData;
}

const NUMERIC: ReadonlySet<ColumnType> = new Set(['int32', 'float32', 'float64', 'timestamp', 'date']);

/** Numbers, times and dates: what a table lines up on the right. */
export function isNumeric(type: ColumnType): boolean {
  return NUMERIC.has(type);
}

export class Table {
  readonly columns: readonly Column[];
  readonly numRows: number;
  private readonly byName = new Map<string, Column>();

  constructor(columns: readonly Column[]) {
    this.columns = columns;
    this.numRows = columns.length ? columns[0].data.length : 0;
    for (const c of columns) {
      if (c.data.length !== this.numRows) {
        throw new Error(
          `Column "${c.name}" has ${c.data.length} rows, but "${columns[0].name}" has ${this.numRows}.`,
        );
      }
      this.byName.set(c.name, c);
    }
  }

  /**
   * Builds a table from named arrays; the column type follows the array type, and a plain array of
   * numbers (nulls allowed) is a float64 column, as it would be from rows.
   */
  static fromColumns(columns: Record<string, ColumnData>): Table {
    return new Table(Object.entries(columns).map(([name, data]) => columnOf(name, data)));
  }

  /** Builds a table from row objects; the columns are the keys of the first row. */
  static fromRows(rows: readonly Record<string, unknown>[]): Table {
    const names = rows.length ? Object.keys(rows[0]) : [];
    return new Table(
      names.map((name) =>
        columnOf(
          name,
          rows.map((r) => r[name]),
        ),
      ),
    );
  }

  get columnNames(): string[] {
    return this.columns.map((c) => c.name);
  }

  column(name: string): ColumnData {
    return this.columnInfo(name).data;
  }

  columnInfo(name: string): Column {
    const c = this.byName.get(name);
    if (!c)
      throw new Error(
        `No column "${name}". The table has: ${this.columnNames.join(', ') || '(no columns)'}.`,
      );
    return c;
  }

  value(column: string, row: number): CellValue {
    return cellValue(this.columnInfo(column), row);
  }

  /** Rows as objects, from `start` (inclusive) to `end` (exclusive). */
  rows(start = 0, end = this.numRows): Record<string, CellValue>[] {
    const out: Record<string, CellValue>[] = [];
    for (let r = Math.max(0, start); r < Math.min(end, this.numRows); r++) {
      const row: Record<string, CellValue> = {};
      for (const c of this.columns) row[c.name] = cellValue(c, r);
      out.push(row);
    }
    return out;
  }

  /**
   * Row indices in sorted order, missing values last, equal values in row order. With
   * `limit`, only the first `limit` of them: a bounded heap, far cheaper than sorting a
   * million rows when a grid shows its first page.
   */
  sortIndex(key: SortKey, limit = this.numRows): Uint32Array {
    const compare = rowOrder(this.columnInfo(key.column), key.descending ? -1 : 1);
    const n = this.numRows;
    if (limit * 4 >= n) {
      const index = new Uint32Array(n);
      for (let i = 0; i < n; i++) index[i] = i;
      return index.sort(compare).subarray(0, Math.min(limit, n));
    }
    // A max-heap (by `compare`) of the best `limit` rows seen so far.
    const heap = new Uint32Array(limit);
    let size = 0;
    const down = (at: number) => {
      for (;;) {
        const l = 2 * at + 1;
        const r = l + 1;
        let top = at;
        if (l < size && compare(heap[l], heap[top]) > 0) top = l;
        if (r < size && compare(heap[r], heap[top]) > 0) top = r;
        if (top === at) return;
        [heap[at], heap[top]] = [heap[top], heap[at]];
        at = top;
      }
    };
    for (let row = 0; row < n; row++) {
      if (size < limit) {
        let at = size++;
        heap[at] = row;
        while (at > 0 && compare(heap[at], heap[(at - 1) >> 1]) > 0) {
          const parent = (at - 1) >> 1;
          [heap[at], heap[parent]] = [heap[parent], heap[at]];
          at = parent;
        }
      } else if (compare(row, heap[0]) < 0) {
        heap[0] = row;
        down(0);
      }
    }
    return heap.subarray(0, size).sort(compare);
  }
}

/**
 * How two rows of a column compare: missing values last, equal values in row order.
 * Numbers compare in their typed array (NaN, or 2 in a bool column, is missing); text
 * that is all integers (64-bit ids kept exact as text) compares by value, not digit by digit.
 */
function rowOrder(column: Column, dir: number): (a: number, b: number) => number {
  const ordered = <T>(x: T, y: T, a: number, b: number) => (x === y ? a - b : (x < y ? -1 : 1) * dir);
  if (NUMERIC.has(column.type) || column.type === 'bool') {
    const data = column.data as Float64Array | Float32Array | Int32Array | Uint8Array;
    const missing = column.type === 'bool' ? (v: number) => v === 2 : (v: number) => v !== v;
    return (a, b) => {
      const x = data[a];
      const y = data[b];
      const mx = missing(x);
      const my = missing(y);
      if (mx || my) return mx && my ? a - b : mx ? 1 : -1;
      return ordered(x, y, a, b);
    };
  }
  const text = (column.data as unknown[]).map((v) =>
    v == null ? null : typeof v === 'string' ? v : JSON.stringify(v),
  );
  const integers = text.every((v) => v === null || /^-?\d+$/.test(v));
  const keys: (string | bigint | null)[] = integers ? text.map((v) => (v === null ? null : BigInt(v))) : text;
  return (a, b) => {
    const x = keys[a];
    const y = keys[b];
    if (x === null || y === null) return x === y ? a - b : x === null ? 1 : -1;
    return ordered(x, y, a, b);
  };
}

export function cellValue(column: Column, row: number): CellValue {
  const v = column.data[row];
  switch (column.type) {
    case 'bool':
      return v === 2 ? null : v === 1;
    case 'int32':
    case 'float32':
    case 'float64':
      return Number.isNaN(v) ? null : v;
    case 'timestamp':
    case 'date':
      return formatTime(v as number, column.type);
    default:
      return v ?? null;
  }
}

/** ISO text of a time in milliseconds since 1970; DuckDB's ±infinity (and what lies beyond a JS Date) as text. */
export function formatTime(ms: number, type: 'timestamp' | 'date'): string | null {
  if (Number.isNaN(ms)) return null;
  if (!(Math.abs(ms) <= MAX_DATE_MS)) return ms > 0 ? 'infinity' : '-infinity';
  return new Date(ms).toISOString().slice(0, type === 'date' ? 10 : 23);
}

/** The range of a JS Date: ±100,000,000 days around 1970. */
export const MAX_DATE_MS = 8.64e15;

function columnOf(name: string, data: ColumnData): Column {
  if (data instanceof Int32Array) return { name, type: 'int32', data };
  if (data instanceof Float32Array) return { name, type: 'float32', data };
  if (data instanceof Float64Array) return { name, type: 'float64', data };
  if (data instanceof Uint8Array) return { name, type: 'bool', data };
  const values = data as unknown[];
  if (values.some((v) => typeof v === 'number') && values.every((v) => typeof v === 'number' || v == null))
    return {
      name,
      type: 'float64',
      data: Float64Array.from(values, (v) => (v == null ? NaN : (v as number))),
    };
  if (values.every((v) => typeof v === 'string' || v == null))
    return { name, type: 'string', data: values.map((v) => (v == null ? null : (v as string))) };
  return { name, type: 'json', data: values };
}
