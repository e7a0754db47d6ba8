import type { SortKey } from '../api';
/**
 * A columnar table: numeric columns are typed arrays (NaN marks a missing number),
 * everything else a plain array. SQL results, datasets and model outputs all use it.
 */

export type ColumnType = 'int32' | 'float32' | 'float64' | 'bool' | 'string' | 'timestamp' | 'date' | 'json';

export type ColumnData = Int32Array | Float32Array | Float64Array | Uint8Array | (string | null)[] | unknown[];

export type CellValue = number | string | boolean | null | unknown;

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  readonly data: ColumnData;
}


const NUMERIC: ReadonlySet<ColumnType> = new Set(['int32', 'float32', 'float64', 'timestamp', 'date']);

export class Table {
  readonly columns: readonly Column[];
  readonly numRows: number;
  private readonly byName = new Map<string, Column>();

  constructor(columns: readonly Column[]) {
    this.columns = columns;
    this.numRows = columns.length ? columns[0].data.length : 0;
    for (const c of columns) {
      if (c.data.length !== this.numRows) {
        throw new Error(`Column "${c.name}" has ${c.data.length} rows, but "${columns[0].name}" has ${this.numRows}.`);
      }
      this.byName.set(c.name, c);
    }
  }

  /** Builds a table from named arrays; the column type follows the array type. */
  static fromColumns(columns: Record<string, ColumnData>): Table {
    return new Table(Object.entries(columns).map(([name, data]) => ({ name, type: inferType(data), data })));
  }

  /** Builds a table from row objects; the columns are the keys of the first row. */
  static fromRows(rows: readonly Record<string, unknown>[]): Table {
    const names = rows.length ? Object.keys(rows[0]) : [];
    return new Table(
      names.map((name) => {
        const values = rows.map((r) => r[name]);
        if (values.every((v) => typeof v === 'number' || v === null || v === undefined)) {
          return { name, type: 'float64' as const, data: Float64Array.from(values, (v) => (v == null ? NaN : (v as number))) };
        }
        if (values.every((v) => typeof v === 'string' || v == null)) {
          return { name, type: 'string' as const, data: values.map((v) => (v == null ? null : (v as string))) };
        }
        return { name, type: 'json' as const, data: values };
      }),
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
    if (!c) throw new Error(`No column "${name}". The table has: ${this.columnNames.join(', ') || '(no columns)'}.`);
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

  /** Row indices in sorted order; missing values last. */
  sortIndex(key: SortKey): Uint32Array {
    const column = this.columnInfo(key.column);
    const index = new Uint32Array(this.numRows);
    for (let i = 0; i < index.length; i++) index[i] = i;
    const dir = key.descending ? -1 : 1;
    const keys = sortKeys(column);
    index.sort((a, b) => {
      const x = keys[a];
      const y = keys[b];
      if (x === null || y === null) return x === y ? a - b : x === null ? 1 : -1;
      return x === y ? a - b : (x < y ? -1 : 1) * dir;
    });
    return index;
  }
}

/**
 * What a column sorts by, null for a missing value. Text that is all integers (64-bit ids
 * kept exact as text) sorts by value, not digit by digit.
 */
function sortKeys(column: Column): ArrayLike<number | bigint | string | null> {
  const data = column.data;
  if (column.type === 'bool') return Array.from(data as Uint8Array, (v) => (v === 2 ? null : v));
  if (NUMERIC.has(column.type)) return Array.from(data as Float64Array, (v) => (Number.isNaN(v) ? null : v));
  const text = (data as unknown[]).map((v) => (v == null ? null : typeof v === 'string' ? v : JSON.stringify(v)));
  const integers = text.every((v) => v === null || /^-?\d+$/.test(v));
  return integers ? text.map((v) => (v === null ? null : BigInt(v))) : text;
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

function inferType(data: ColumnData): ColumnType {
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Uint8Array) return 'bool';
  return data.every((v) => typeof v === 'string' || v == null) ? 'string' : 'json';
}
