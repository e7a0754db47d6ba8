/**
 * What the chart builders draw from: a `Table`, or named plain or typed arrays. Reads one
 * column as numbers or as labels, and says clearly, naming the builder, what is wrong
 * with the input.
 */
import { formatCount } from '../api';
import { Table, cellValue, formatTime } from '../data';

/** One column's values: numbers (NaN for a missing one) or text. */
export type ChartValues = ArrayLike<number> | ArrayLike<string | null> | readonly (number | string | null)[];

/** A `Table`, or named columns of equal length: `{ rank: Int32Array, count: Float64Array }`. */
export type ChartData = Table | Readonly<Record<string, ChartValues>>;

export interface NumberColumn {
  readonly name: string;
  readonly kind: 'number' | 'time';
  /** NaN marks a missing value; times are milliseconds since 1970 UTC. */
  readonly values: ArrayLike<number>;
}

export interface LabelColumn {
  readonly name: string;
  readonly kind: 'category';
  readonly values: readonly (string | null)[];
}

export type ChartColumn = NumberColumn | LabelColumn;

export function isValues(data: unknown): data is ChartValues {
  return Array.isArray(data) || (ArrayBuffer.isView(data) && !(data instanceof DataView));
}

/** The columns of `data`, checked once: every builder's errors start with its own name. */
export class ChartInput {
  readonly names: readonly string[];
  readonly numRows: number;

  constructor(
    readonly builder: string,
    private readonly data: ChartData,
  ) {
    if (data === null || typeof data !== 'object' || isValues(data)) {
      throw new Error(
        `${builder}: the data must be a Table or named columns such as { x: [...], y: [...] }, ` +
          `got ${describeValue(data)}.`,
      );
    }
    this.names = data instanceof Table ? data.columnNames : Object.keys(data);
    if (this.names.length === 0) throw new Error(`${builder}: the data has no columns; nothing to draw.`);
    const lengths = this.names.map((n) =>
      data instanceof Table ? data.numRows : lengthOf(builder, n, (data as Record<string, ChartValues>)[n]),
    );
    if (lengths.some((l) => l !== lengths[0])) {
      throw new Error(
        `${builder}: the columns have different lengths ` +
          `(${this.names.map((n, i) => `${n}: ${lengths[i]}`).join(', ')}); give every column one value per row.`,
      );
    }
    this.numRows = lengths[0];
    if (this.numRows === 0) throw new Error(`${builder}: the data has no rows; nothing to draw.`);
  }

  column(name: string, option: string): ChartColumn {
    if (typeof name !== 'string')
      throw new Error(
        `${this.builder}: option ${option} must name a column (one of ${this.names.join(', ')}), ` +
          `got ${describeValue(name)}.`,
      );
    if (!this.names.includes(name))
      throw new Error(
        `${this.builder}: no column "${name}" (${option}); the columns are ${this.names.join(', ')}.`,
      );
    const data = this.data;
    if (data instanceof Table) return tableColumn(data, name);
    return arrayColumn(name, (data as Record<string, ChartValues>)[name]);
  }

  /** A column that must hold numbers or times. */
  numbers(name: string, option: string): NumberColumn {
    const c = this.column(name, option);
    if (c.kind === 'category')
      throw new Error(
        `${this.builder}: column "${name}" (${option}) holds text, not numbers; ` +
          'choose a numeric column or convert it first.',
      );
    return c;
  }

  /** The numeric columns `y` names: one, or several drawn side by side. */
  series(y: string | readonly string[], option = 'y'): NumberColumn[] {
    const names = typeof y === 'string' ? [y] : y;
    if (!Array.isArray(names) || names.length === 0)
      throw new Error(
        `${this.builder}: option ${option} must name a column or a list of columns ` +
          `(of ${this.names.join(', ')}), got ${describeValue(y)}.`,
      );
    return names.map((n) => this.numbers(n, option));
  }
}

/** Labels of a category axis: text as it is, numbers and times written out, a missing one said. */
export function labelsOf(c: ChartColumn): string[] {
  const out = new Array<string>(c.values.length);
  for (let i = 0; i < out.length; i++) {
    const v = c.values[i];
    out[i] =
      v === null || (typeof v === 'number' && Number.isNaN(v))
        ? '(missing)'
        : c.kind === 'time'
          ? timeLabel(v as number)
          : String(v);
  }
  return out;
}

function tableColumn(table: Table, name: string): ChartColumn {
  const c = table.columnInfo(name);
  switch (c.type) {
    case 'int32':
    case 'float32':
    case 'float64':
      return { name, kind: 'number', values: c.data as ArrayLike<number> };
    case 'timestamp':
    case 'date':
      return { name, kind: 'time', values: c.data as Float64Array };
    case 'string':
      return { name, kind: 'category', values: c.data as (string | null)[] };
    default: {
      const values: (string | null)[] = [];
      for (let r = 0; r < table.numRows; r++) {
        const v = cellValue(c, r);
        values.push(v == null ? null : typeof v === 'object' ? JSON.stringify(v) : String(v));
      }
      return { name, kind: 'category', values };
    }
  }
}

function arrayColumn(name: string, values: ChartValues): ChartColumn {
  if (ArrayBuffer.isView(values)) return { name, kind: 'number', values: values as ArrayLike<number> };
  const list = values as readonly unknown[];
  if (list.every((v) => typeof v === 'number' || v == null))
    return {
      name,
      kind: 'number',
      values: Float64Array.from(list, (v) => (v == null ? NaN : (v as number))),
    };
  return { name, kind: 'category', values: Array.from(list, (v) => (v == null ? null : String(v))) };
}

function lengthOf(builder: string, name: string, values: unknown): number {
  if (!isValues(values))
    throw new Error(
      `${builder}: column "${name}" must be an array or typed array, got ${describeValue(values)}.`,
    );
  return values.length;
}

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'object'}`;
  return typeof value === 'string' ? `"${value}"` : `${typeof value} ${String(value)}`;
}

/** A time as ISO text; a date alone at midnight UTC. */
function timeLabel(ms: number): string {
  return formatTime(ms, ms % 86_400_000 === 0 ? 'date' : 'timestamp') ?? '(missing)';
}

/** "1,234": counts in titles and messages. */

/** The subtitle's note on what a chart left out ("3 of 1,000 rows left out: missing or not finite"), or ''. */
export function leftOut(n: number, of: number, noun = 'rows'): string {
  return n > 0 ? `${formatCount(n)} of ${formatCount(of)} ${noun} left out: missing or not finite` : '';
}
