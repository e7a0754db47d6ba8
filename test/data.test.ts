import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, SqlError } from '../src/data/database';
import { Table } from '../src/data/table';

describe('Table', () => {
  it('holds typed columns and gives rows, values and sort orders', () => {
    const t = Table.fromColumns({ id: new Int32Array([3, 1, 2]), score: new Float64Array([0.5, NaN, 2]), name: ['c', 'a', null] });
    expect(t.numRows).toBe(3);
    expect(t.columns.map((c) => c.type)).toEqual(['int32', 'float64', 'string']);
    expect(t.rows(1)).toEqual([{ id: 1, score: null, name: 'a' }, { id: 2, score: 2, name: null }]);
    expect(Array.from(t.sortIndex({ column: 'id' }))).toEqual([1, 2, 0]);
    expect(Array.from(t.sortIndex({ column: 'score', descending: true }))).toEqual([2, 0, 1]);
    expect(Array.from(t.sortIndex({ column: 'name' }))).toEqual([1, 0, 2]);
    expect(() => t.column('nope')).toThrow('No column "nope". The table has: id, score, name.');
    expect(() => Table.fromColumns({ a: new Int32Array(2), b: new Int32Array(3) })).toThrow(/has 3 rows/);
  });

  it('builds from row objects', () => {
    const t = Table.fromRows([{ a: 1, b: 'x', c: { z: 1 } }, { a: null, b: 'y', c: [1] }]);
    expect(t.columns.map((c) => c.type)).toEqual(['float64', 'string', 'json']);
    expect(t.value('a', 1)).toBeNull();
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
      i: 'int32', n: 'float64', f: 'float32', big: 'float64', s: 'string', b: 'bool', ts: 'timestamp', d: 'date', l: 'json', st: 'json',
    });
    expect(t.rows()[0]).toEqual({ i: 1, n: null, f: 2.5, big: 10, s: 'x', b: true, ts: '2024-01-02T03:04:05.000', d: '2024-01-02', l: [1, 2], st: { k: 1 } });
  });

  it('round-trips a table through register', async () => {
    const t = Table.fromColumns({ id: new Int32Array([1, 2]), x: new Float32Array([0.5, 1.5]), ok: new Uint8Array([1, 2]), name: ['a', null] });
    await db.register('round trip', t);
    const back = await db.query('SELECT * FROM "round trip" ORDER BY id');
    expect(back.rows()).toEqual([{ id: 1, x: 0.5, ok: true, name: 'a' }, { id: 2, x: 1.5, ok: null, name: null }]);
  });

  it('raises DuckDB errors with their kind, message and line', async () => {
    const error = await db.query('SELECT 1,\n  nope(2)').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqlError);
    expect((error as SqlError).name).toBe('Catalog Error');
    expect((error as SqlError).line).toBe(2);
  });
});
