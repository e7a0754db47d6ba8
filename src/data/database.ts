import {
  DuckDBInstance,
  DuckDBTypeId,
  version as duckdbVersion,
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBDateValue,
  type DuckDBDecimalType,
  type DuckDBDecimalValue,
  type DuckDBType,
  type DuckDBMaterializedResult,
  type DuckDBValue,
  type DuckDBVector,
} from '@duckdb/node-api';
import { MAX_DATE_MS, Table, formatTime, type Column, type ColumnData, type ColumnType } from './table';

export type SqlParams = DuckDBValue[] | Record<string, DuckDBValue>;

/** The DuckDB error classes ("Catalog Error", "Parser Error", …) with DuckDB's own message. */
export class SqlError extends Error {
  constructor(
    readonly kind: string,
    message: string,
    readonly sql: string,
  ) {
    super(message);
    this.name = kind;
  }

  /** The line of the statement DuckDB points at ("LINE 3: …"), 1-based. */
  get line(): number | undefined {
    const m = /^LINE (\d+):/m.exec(this.message);
    return m ? Number(m[1]) : undefined;
  }

  static from(e: unknown, sql: string): SqlError {
    const text = e instanceof Error ? e.message : String(e);
    const m = /^([A-Za-z ]+ Error): ?([\s\S]*)$/.exec(text);
    return m ? new SqlError(m[1], m[2], sql) : new SqlError('SQL Error', text, sql);
  }
}

/** One DuckDB database and connection; results come back as columnar {@link Table}s. */
export class Database {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly path: string,
  ) {}

  static async open(path = ':memory:'): Promise<Database> {
    const instance = await DuckDBInstance.create(path);
    return new Database(instance, await instance.connect(), path);
  }

  static get version(): string {
    return duckdbVersion();
  }

  async query(sql: string, params?: SqlParams): Promise<Table> {
    let result: DuckDBMaterializedResult;
    try {
      result = await this.connection.run(sql, params);
    } catch (e) {
      throw SqlError.from(e, sql);
    }
    return resultToTable(result);
  }

  /** Runs a statement for its effect. */
  async run(sql: string, params?: SqlParams): Promise<void> {
    try {
      await this.connection.run(sql, params);
    } catch (e) {
      throw SqlError.from(e, sql);
    }
  }

  /** Copies a table into DuckDB as `name` (replacing a table of that name), for SQL to use. */
  async register(name: string, table: Table): Promise<void> {
    const quoted = quoteIdentifier(name);
    const columns = table.columns.map((c) => `${quoteIdentifier(c.name)} ${SQL_TYPE[c.type]}`).join(', ');
    await this.run(`CREATE OR REPLACE TABLE ${quoted} (${columns})`);
    const appender = await this.connection.createAppender(name);
    try {
      const writers = table.columns.map((c) => columnWriter(appender, c));
      for (let r = 0; r < table.numRows; r++) {
        for (const write of writers) write(r);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /** Cancels the running query; it fails with an "INTERRUPT Error". */
  interrupt(): void {
    this.connection.interrupt();
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string as an SQL literal: single quotes, an inner quote doubled. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

const SQL_TYPE: Record<ColumnType, string> = {
  int32: 'INTEGER',
  float32: 'FLOAT',
  float64: 'DOUBLE',
  bool: 'BOOLEAN',
  string: 'VARCHAR',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
  json: 'JSON',
};

function columnWriter(appender: DuckDBAppender, column: Column): (row: number) => void {
  const data = column.data;
  const numeric = (append: (v: number) => void) => (r: number) => {
    const v = data[r] as number;
    if (Number.isNaN(v)) appender.appendNull();
    else append(v);
  };
  switch (column.type) {
    case 'int32':
      return numeric((v) => appender.appendInteger(v));
    case 'float32':
      return numeric((v) => appender.appendFloat(v));
    case 'float64':
      return numeric((v) => appender.appendDouble(v));
    case 'bool':
      return (r) => (data[r] === 2 ? appender.appendNull() : appender.appendBoolean(data[r] === 1));
    case 'timestamp':
    case 'date':
      // Appended as text, which DuckDB casts on insert.
      return (r) => {
        const text = formatTime(data[r] as number, column.type as 'timestamp' | 'date');
        if (text === null) appender.appendNull();
        else appender.appendVarchar(text);
      };
    case 'string':
      return (r) => (data[r] == null ? appender.appendNull() : appender.appendVarchar(data[r] as string));
    case 'json':
      return (r) =>
        data[r] == null ? appender.appendNull() : appender.appendVarchar(JSON.stringify(data[r]));
  }
}

interface ColumnBuilder {
  type: ColumnType;
  data: ColumnData;
  set(row: number, value: DuckDBValue): void;
  /** Reads a whole chunk's vector at once where that is faster; false leaves it to `set`. */
  copy?(vector: DuckDBVector, offset: number, n: number): boolean;
}

function builderFor(type: DuckDBType, rows: number): ColumnBuilder {
  const typed = <A extends Int32Array | Float32Array | Float64Array>(
    type: ColumnType,
    data: A,
    toNumber: (v: DuckDBValue) => number,
  ) => ({
    type,
    data,
    set: (r: number, v: DuckDBValue) => {
      data[r] = v === null ? NaN : toNumber(v);
    },
  });
  switch (type.typeId) {
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
      // Int32Array cannot hold NaN: a column with missing values is widened on the first one.
      return withBulkCopy(int32Builder(rows));
    case DuckDBTypeId.FLOAT:
      return withBulkCopy(typed('float32', new Float32Array(rows), Number));
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.DOUBLE:
      return withBulkCopy(typed('float64', new Float64Array(rows), Number));
    case DuckDBTypeId.DECIMAL:
      return decimalBuilder(rows, (type as DuckDBDecimalType).scale);
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return bigIntegerBuilder(rows);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return typed('timestamp', new Float64Array(rows), epochMillis);
    case DuckDBTypeId.DATE:
      return typed('date', new Float64Array(rows), (v) =>
        inDateRange((v as DuckDBDateValue).days * 86_400_000),
      );
    case DuckDBTypeId.BOOLEAN: {
      const data = new Uint8Array(rows);
      return { type: 'bool', data, set: (r, v) => void (data[r] = v === null ? 2 : v ? 1 : 0) };
    }
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
    case DuckDBTypeId.UUID: {
      // DuckDB's JSON type is text with an alias.
      if ((type as { alias?: string }).alias === 'JSON') {
        const data: unknown[] = new Array(rows);
        return {
          type: 'json',
          data,
          set: (r, v) => void (data[r] = v === null ? null : JSON.parse(String(v))),
        };
      }
      const data: (string | null)[] = new Array(rows);
      return { type: 'string', data, set: (r, v) => void (data[r] = v === null ? null : String(v)) };
    }
    default: {
      const data: unknown[] = new Array(rows);
      return { type: 'json', data, set: (r, v) => void (data[r] = toJs(v)) };
    }
  }
}

function int32Builder(rows: number): ColumnBuilder {
  const builder: ColumnBuilder = {
    type: 'int32',
    data: new Int32Array(rows),
    set(r, v) {
      if (v === null && builder.type === 'int32') {
        builder.type = 'float64';
        builder.data = Float64Array.from(builder.data as Int32Array);
      }
      (builder.data as Int32Array | Float64Array)[r] = v === null ? NaN : (v as number);
    },
  };
  return builder;
}

/**
 * Milliseconds since 1970 (UTC) of any of DuckDB's timestamp values. DuckDB's infinities,
 * and times beyond what a JS Date holds, become ±Infinity.
 */
function epochMillis(v: DuckDBValue): number {
  const t = v as { micros?: bigint; millis?: bigint; seconds?: bigint; nanos?: bigint };
  const ms =
    t.micros !== undefined
      ? Number(t.micros) / 1e3
      : t.millis !== undefined
        ? Number(t.millis)
        : t.seconds !== undefined
          ? Number(t.seconds) * 1e3
          : t.nanos !== undefined
            ? Number(t.nanos) / 1e6
            : NaN;
  return inDateRange(ms);
}

function inDateRange(ms: number): number {
  return Math.abs(ms) <= MAX_DATE_MS || Number.isNaN(ms) ? ms : Math.sign(ms) * Infinity;
}

/**
 * 64- and 128-bit integers become float64 while every value is exact there (|v| ≤ 2^53);
 * a column holding larger ones (hashes, snowflake ids) becomes exact decimal text instead.
 */
function bigIntegerBuilder(rows: number): ColumnBuilder {
  const builder: ColumnBuilder = {
    type: 'float64',
    data: new Float64Array(rows),
    set(r, v) {
      if (builder.type === 'float64') {
        const n = v === null ? NaN : Number(v);
        if (v === null || Number.isSafeInteger(n)) return void ((builder.data as Float64Array)[r] = n);
        const text: (string | null)[] = Array.from(builder.data as Float64Array, (x) =>
          Number.isNaN(x) ? null : String(x),
        );
        builder.type = 'string';
        builder.data = text;
      }
      (builder.data as (string | null)[])[r] = v === null ? null : String(v);
    },
    copy(vector, offset, n) {
      const items = plainItems(vector, n);
      if (builder.type !== 'float64' || !(items instanceof BigInt64Array || items instanceof BigUint64Array))
        return false;
      const data = builder.data as Float64Array;
      for (let r = 0; r < n; r++) {
        const x = Number(items[r]);
        // The value-by-value path widens the column to exact text.
        if (!Number.isSafeInteger(x)) return false;
        data[offset + r] = x;
      }
      return true;
    },
  };
  return builder;
}

/** A 64- or 128-bit integer as a number where that is exact (|v| ≤ 2^53), else as its decimal text. */
export function exactInteger(v: bigint): number | string {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v.toString();
}

/** Nested DuckDB values (lists, structs, maps) as plain JSON-friendly values. */
function toJs(v: DuckDBValue): unknown {
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return exactInteger(v);
  const anyValue = v as {
    items?: DuckDBValue[];
    entries?: Record<string, DuckDBValue> | { key: DuckDBValue; value: DuckDBValue }[];
  };
  if (Array.isArray(anyValue.items)) return anyValue.items.map(toJs);
  if (Array.isArray(anyValue.entries))
    return anyValue.entries.map((e) => ({ key: toJs(e.key), value: toJs(e.value) }));
  if (anyValue.entries && typeof anyValue.entries === 'object') {
    return Object.fromEntries(Object.entries(anyValue.entries).map(([k, e]) => [k, toJs(e)]));
  }
  return String(v);
}

/**
 * DuckDB's vectors of fixed-width numbers keep the chunk's values in a typed array; copying
 * it whole is an order of magnitude faster than reading value by value. A builder of a
 * numeric column takes that path where it can, the value-by-value one where not.
 */
function withBulkCopy(builder: ColumnBuilder): ColumnBuilder {
  builder.copy = (vector, offset, n) => {
    const items = plainItems(vector, n);
    if (
      !ArrayBuffer.isView(items) ||
      items instanceof DataView ||
      items instanceof BigInt64Array ||
      items instanceof BigUint64Array
    )
      return false;
    (builder.data as Int32Array | Float32Array | Float64Array).set(
      items as unknown as ArrayLike<number>,
      offset,
    );
    return true;
  };
  return builder;
}

/**
 * The vector's typed array of `n` values when no value is NULL. That array is not in the
 * package's typed API, so its shape is checked; a chunk with NULLs, or another layout in a
 * later DuckDB, gives undefined and is read value by value.
 */
export function plainItems(vector: DuckDBVector, n: number): unknown {
  const inside = vector as unknown as { items?: { length?: number }; validity?: { data?: unknown } };
  return inside.items?.length === n && inside.validity?.data === null ? inside.items : undefined;
}

/** DECIMAL as float64, from the stored integers (one value object per row costs 50× more). */
function decimalBuilder(rows: number, scale: number): ColumnBuilder {
  const data = new Float64Array(rows);
  const divisor = 10 ** scale;
  return {
    type: 'float64',
    data,
    set: (r, v) => void (data[r] = v === null ? NaN : (v as DuckDBDecimalValue).toDouble()),
    copy(vector, offset, n) {
      const scaled = vector as unknown as { getScaledValue?(i: number): number | bigint | null };
      if (typeof scaled.getScaledValue !== 'function') return false;
      for (let r = 0; r < n; r++) {
        const v = scaled.getScaledValue(r);
        data[offset + r] = v === null ? NaN : Number(v) / divisor;
      }
      return true;
    },
  };
}

function resultToTable(result: DuckDBMaterializedResult): Table {
  const rows = result.rowCount;
  const names = result.deduplicatedColumnNames();
  const builders = names.map((_, c) => builderFor(result.columnType(c), rows));
  let offset = 0;
  for (let k = 0; k < result.chunkCount; k++) {
    const chunk = result.getChunk(k);
    const n = chunk.rowCount;
    for (let c = 0; c < builders.length; c++) {
      const vector = chunk.getColumnVector(c);
      const b = builders[c];
      if (b.copy?.(vector, offset, n)) continue;
      for (let r = 0; r < n; r++) b.set(offset + r, vector.getItem(r));
    }
    offset += n;
  }
  return new Table(names.map((name, c) => ({ name, type: builders[c].type, data: builders[c].data })));
}
