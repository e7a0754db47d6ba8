import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { Database, SqlError, Table } from '../src/data';
import { plainItems } from '../src/data/database';
import { TableRegistry } from '../src/kernel/tables';

describe('Table', () => {
  it('holds typed columns and gives rows, values and sort orders', () => {
    const t = Table.fromColumns({
      id: new Int32Array([3, 1, 2]),
      score: new Float64Array([0.5, NaN, 2]),
      name: ['c', 'a', null],
    });
    expect(t.numRows).toBe(3);
    expect(t.columns.map((c) => c.type)).toEqual(['int32', 'float64', 'string']);
    expect(t.rows(1)).toEqual([
      { id: 1, score: null, name: 'a' },
      { id: 2, score: 2, name: null },
    ]);
    expect(Array.from(t.sortIndex({ column: 'id' }))).toEqual([1, 2, 0]);
    expect(Array.from(t.sortIndex({ column: 'score', descending: true }))).toEqual([2, 0, 1]);
    expect(Array.from(t.sortIndex({ column: 'name' }))).toEqual([1, 0, 2]);
    expect(() => t.column('nope')).toThrow('No column "nope". The table has: id, score, name.');
    expect(() => Table.fromColumns({ a: new Int32Array(2), b: new Int32Array(3) })).toThrow(/has 3 rows/);
  });

  it('orders only the first rows when asked, exactly as the full sort begins', () => {
    // Many ties, missing values, both directions, numbers and text.
    const n = 5000;
    const score = Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? NaN : (i * 7919) % 13));
    const name = Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : `n${(i * 31) % 97}`));
    const t = Table.fromColumns({ score, name });
    for (const key of [
      { column: 'score' },
      { column: 'score', descending: true },
      { column: 'name' },
      { column: 'name', descending: true },
    ]) {
      const full = Array.from(t.sortIndex(key));
      expect(Array.from(t.sortIndex(key, 100)), JSON.stringify(key)).toEqual(full.slice(0, 100));
    }
  });

  it('builds from row objects', () => {
    const t = Table.fromRows([
      { a: 1, b: 'x', c: { z: 1 } },
      { a: null, b: 'y', c: [1] },
    ]);
    expect(t.columns.map((c) => c.type)).toEqual(['float64', 'string', 'json']);
    expect(t.value('a', 1)).toBeNull();
  });

  it('types plain arrays from columns as it does from rows: numbers are float64', () => {
    const t = Table.fromColumns({
      score: [0.5, null, 2],
      name: ['x', null, 'z'],
      mixed: [1, 'b', null],
      none: [null, null, null],
    });
    expect(t.columns.map((c) => c.type)).toEqual(['float64', 'string', 'json', 'string']);
    expect(t.column('score')).toEqual(Float64Array.from([0.5, NaN, 2]));
    expect(t.value('score', 1)).toBeNull();
  });
});

describe('Database', () => {
  let db: Database;
  beforeAll(async () => {
    db = await Database.open();
  });
  afterAll(() => db.close());

  it('maps DuckDB types to typed columns', async () => {
    const t = await db.query(
      `SELECT 1::INTEGER AS i, NULL::INTEGER AS n, 2.5::FLOAT AS f, 10::BIGINT AS big, 'x' AS s, true AS b,
              TIMESTAMP '2024-01-02 03:04:05' AS ts, DATE '2024-01-02' AS d, [1, 2] AS l, {'k': 1} AS st`,
    );
    expect(Object.fromEntries(t.columns.map((c) => [c.name, c.type]))).toEqual({
      i: 'int32',
      n: 'float64',
      f: 'float32',
      big: 'float64',
      s: 'string',
      b: 'bool',
      ts: 'timestamp',
      d: 'date',
      l: 'json',
      st: 'json',
    });
    expect(t.rows()[0]).toEqual({
      i: 1,
      n: null,
      f: 2.5,
      big: 10,
      s: 'x',
      b: true,
      ts: '2024-01-02T03:04:05.000',
      d: '2024-01-02',
      l: [1, 2],
      st: { k: 1 },
    });
  });

  it('keeps timestamps with time zones, exact 64-bit integers and decimals', async () => {
    const t = await db.query(
      `SELECT TIMESTAMPTZ '2024-01-02 03:04:05+00' AS tz, TIMESTAMP_MS '2024-01-02 03:04:05.250' AS ms,
              9007199254740993::BIGINT AS huge, 42::UBIGINT AS small, 12345.67::DECIMAL(9, 2) AS price,
              123456789012.345::DECIMAL(18, 3) AS wide`,
    );
    const types = Object.fromEntries(t.columns.map((c) => [c.name, c.type]));
    expect(types).toMatchObject({
      tz: 'timestamp',
      ms: 'timestamp',
      huge: 'string',
      small: 'float64',
      price: 'float64',
      wide: 'float64',
    });
    expect(t.column('tz')[0]).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(t.column('ms')[0]).toBe(Date.UTC(2024, 0, 2, 3, 4, 5, 250));
    expect(t.rows()[0]).toMatchObject({
      huge: '9007199254740993',
      small: 42,
      price: 12345.67,
      wide: 123456789012.345,
    });
  });

  it("still finds the value arrays of DuckDB's vectors that bulk reads depend on", async () => {
    // Not DuckDB's typed API: if an upgrade changes it, reads fall back to the slow path
    // without a word, and this says so.
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const result = await connection.run(
      'SELECT range::INTEGER AS i, range::DOUBLE AS d, range::BIGINT AS b, NULLIF(range, 1)::INTEGER AS n ' +
        'FROM range(10)',
    );
    const chunk = result.getChunk(0);
    expect(plainItems(chunk.getColumnVector(0), 10)).toBeInstanceOf(Int32Array);
    expect(plainItems(chunk.getColumnVector(1), 10)).toBeInstanceOf(Float64Array);
    expect(plainItems(chunk.getColumnVector(2), 10)).toBeInstanceOf(BigInt64Array);
    expect(plainItems(chunk.getColumnVector(3), 10)).toBeUndefined();
    connection.closeSync();
  });

  it('reads numeric columns in bulk, and chunks with NULLs value by value, to the same values', async () => {
    const t = await db.query(
      `SELECT range::INTEGER AS i, range * 0.25 AS d, (range / 4)::FLOAT AS f,
              CASE WHEN range % 3000 = 0 THEN NULL ELSE range END::INTEGER AS holes
       FROM range(10000)`,
    );
    expect(t.columns.map((c) => c.type)).toEqual(['int32', 'float64', 'float32', 'float64']);
    const i = t.column('i') as Int32Array;
    const d = t.column('d') as Float64Array;
    const holes = t.column('holes') as Float64Array;
    expect(Array.from(i.subarray(9995))).toEqual([9995, 9996, 9997, 9998, 9999]);
    expect(d[9999]).toBe(2499.75);
    expect(t.column('f')[10]).toBe(2.5);
    expect([holes[0], holes[1], holes[2999], holes[3000], holes[9999]]).toEqual([NaN, 1, 2999, NaN, 9999]);
  });

  it("shows DuckDB's infinite and far-off times as text instead of failing", async () => {
    const t = await db.query(
      `SELECT 'infinity'::TIMESTAMP AS ts, '-infinity'::DATE AS d,
              TIMESTAMP '294000-01-01' AS far, NULL::TIMESTAMP AS none`,
    );
    expect(t.rows()).toEqual([{ ts: 'infinity', d: '-infinity', far: 'infinity', none: null }]);
    await db.register('times', t);
    expect((await db.query('SELECT isinf(ts) AS a, isinf(d) AS b FROM times')).rows()).toEqual([
      { a: true, b: true },
    ]);
  });

  it('sorts exact 64-bit integers by value, and missing booleans last', async () => {
    const t = await db.query(
      `SELECT * FROM (VALUES (9007199254740993::UBIGINT, true), (1000, NULL), (20000, false), (3, true))
         AS v(id, flag)`,
    );
    expect(t.columnInfo('id').type).toBe('string');
    expect(Array.from(t.sortIndex({ column: 'id' }), (r) => t.value('id', r))).toEqual([
      '3',
      '1000',
      '20000',
      '9007199254740993',
    ]);
    expect(Array.from(t.sortIndex({ column: 'flag', descending: true }), (r) => t.value('flag', r))).toEqual([
      true,
      true,
      false,
      null,
    ]);
  });

  it('round-trips a table through register', async () => {
    const t = Table.fromColumns({
      id: new Int32Array([1, 2]),
      x: new Float32Array([0.5, 1.5]),
      ok: new Uint8Array([1, 2]),
      name: ['a', null],
    });
    await db.register('round trip', t);
    const back = await db.query('SELECT * FROM "round trip" ORDER BY id');
    expect(back.rows()).toEqual([
      { id: 1, x: 0.5, ok: true, name: 'a' },
      { id: 2, x: 1.5, ok: null, name: null },
    ]);
  });

  it('registers dates, timestamps and JSON values, and reads them back the same', async () => {
    const t = new Table([
      { name: 'day', type: 'date', data: new Float64Array([Date.UTC(2024, 1, 29), NaN]) },
      {
        name: 'at',
        type: 'timestamp',
        data: new Float64Array([Date.UTC(2024, 1, 29, 13, 14, 15, 500), NaN]),
      },
      { name: 'tags', type: 'json', data: [{ genres: ['a', 'b'] }, null] },
    ]);
    await db.register('dated', t);
    const back = await db.query('SELECT * FROM dated');
    expect(back.columns.map((c) => c.type)).toEqual(['date', 'timestamp', 'json']);
    expect(Array.from(back.column('day') as Float64Array)).toEqual([Date.UTC(2024, 1, 29), NaN]);
    expect(Array.from(back.column('at') as Float64Array)).toEqual([
      Date.UTC(2024, 1, 29, 13, 14, 15, 500),
      NaN,
    ]);
    expect(
      (await db.query(`SELECT tags->>'$.genres[1]' AS second FROM dated LIMIT 1`)).value('second', 0),
    ).toBe('b');
  });

  it('raises DuckDB errors with their kind, message and line', async () => {
    const error = await db.query('SELECT 1,\n  nope(2)').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqlError);
    expect((error as SqlError).name).toBe('Catalog Error');
    expect((error as SqlError).line).toBe(2);
  });
});

describe('TableRegistry', () => {
  it('serves the first pages of a new sort from a partial sort, and deeper pages from the full one', () => {
    const n = 20_000;
    const tables = new TableRegistry();
    const t = Table.fromColumns({ v: Float64Array.from({ length: n }, (_, i) => (i * 7919) % 1009) });
    const id = tables.add(t);
    const full = Array.from(t.sortIndex({ column: 'v' }), (r) => t.value('v', r));
    const first = tables.page(id, 0, 200, { column: 'v' });
    expect(first.rows.map((r) => r[0])).toEqual(full.slice(0, 200));
    const deep = tables.page(id, 15_000, 200, { column: 'v' });
    expect(deep.rows.map((r) => r[0])).toEqual(full.slice(15_000, 15_200));
    expect(tables.page(id, 200, 200, { column: 'v' }).rows.map((r) => r[0])).toEqual(full.slice(200, 400));
  });

  it('keeps the most recently shown tables and says so for one it let go', () => {
    const tables = new TableRegistry(2);
    const t = Table.fromColumns({ a: new Int32Array([3, 1, 2]) });
    const first = tables.add(t);
    expect(tables.page(first, 0, 2, { column: 'a' }).rows).toEqual([[1], [2]]);
    const second = tables.add(t);
    const third = tables.add(t);
    expect(() => tables.page(first, 0, 1)).toThrow(
      /no longer in the kernel: it keeps the 2 most recently used tables/,
    );
    expect(tables.page(second, 1, 5)).toMatchObject({ offset: 1, numRows: 3, rows: [[1], [2]] });
    // Paging `second` made it the most recently used: the next table lets the third go.
    const fourth = tables.add(t);
    expect(tables.page(second, 0, 1).rows).toEqual([[3]]);
    expect(tables.page(fourth, 0, 1).rows).toEqual([[3]]);
    expect(() => tables.page(third, 0, 1)).toThrow(/no longer in the kernel/);
    expect(() => tables.page('t99', 0, 1)).toThrow(/t99 was made by an earlier kernel/);
    expect(() => tables.page(first.replace(/t\d+$/, 't99'), 0, 1)).toThrow(
      /There is no table .*t99 in this kernel/,
    );
  });
});
