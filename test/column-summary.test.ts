import { describe, expect, it } from 'vitest';
import type { CategorySummary, NumericSummary } from '../src/api';
import { Table, type Column } from '../src/data';
import { DISTINCT_CAP, summarizeColumn } from '../src/kernel/column-summary';
import { TableRegistry } from '../src/kernel/tables';

const numeric = (column: Column, bins?: number) => summarizeColumn(column, bins) as NumericSummary;
const category = (column: Column, bins?: number) => summarizeColumn(column, bins) as CategorySummary;

describe('column summaries of numbers', () => {
  it('bins values between min and max in equal widths, the maximum in the last bin', () => {
    const t = Table.fromColumns({ x: Float64Array.from([0, 0.5, 1, 2.5, 7.5, 9.99, 10]) });
    const s = numeric(t.columnInfo('x'), 4);
    expect(s).toMatchObject({
      kind: 'numeric',
      type: 'float64',
      rows: 7,
      nulls: 0,
      infinite: 0,
      min: 0,
      max: 10,
    });
    expect(s.histogram).toEqual({ start: 0, width: 2.5, counts: [3, 1, 0, 3], discrete: false });
  });

  it('counts NULLs and infinities apart, leaving them out of min, max and the bins', () => {
    const t = Table.fromColumns({ x: Float64Array.from([NaN, 1, -Infinity, 3, NaN, Infinity, 2.5]) });
    const s = numeric(t.columnInfo('x'), 2);
    expect(s).toMatchObject({ rows: 7, nulls: 2, infinite: 2, min: 1, max: 3 });
    expect(s.histogram.counts).toEqual([1, 2]);
  });

  it('gives one bin per value to whole numbers over a short span, and equal-width bins past it', () => {
    const ratings = Table.fromColumns({ r: Int32Array.from([5, 3, 3, 1, 5, 5]) }).columnInfo('r');
    expect(numeric(ratings).histogram).toEqual({
      start: 1,
      width: 1,
      counts: [1, 0, 2, 0, 3],
      discrete: true,
    });
    // BIGINT results arrive as float64: what counts is that every value is whole.
    const codes = Table.fromColumns({ k: Float64Array.from({ length: 70 }, (_, i) => i % 7) }).columnInfo(
      'k',
    );
    expect(numeric(codes).histogram).toEqual({
      start: 0,
      width: 1,
      counts: [10, 10, 10, 10, 10, 10, 10],
      discrete: true,
    });
    expect(numeric(codes, 6).histogram).toMatchObject({
      discrete: false,
      width: 1,
      counts: [10, 10, 10, 10, 10, 20],
    });
  });

  it('gives half-star ratings one bin per half step, with no empty bins between them', () => {
    // MovieLens: 0.5 to 5 stars; 16 equal bins would leave every other one empty.
    const stars = Table.fromColumns({
      rating: Float64Array.from({ length: 100 }, (_, i) => 0.5 + (i % 10) / 2),
    }).columnInfo('rating');
    expect(numeric(stars).histogram).toEqual({
      start: 0.5,
      width: 0.5,
      counts: Array(10).fill(10),
      discrete: true,
    });
    // Past the bins asked for, bins hold whole half steps.
    expect(numeric(stars, 4).histogram).toEqual({
      start: 0,
      width: 2,
      counts: [30, 40, 30],
      discrete: false,
    });
  });

  it('bins as the histogram does: a value on an edge in the bin it starts, whole numbers in whole widths', () => {
    const hundredths = Table.fromColumns({
      x: Float64Array.from({ length: 100 }, (_, i) => i / 100),
    }).columnInfo('x');
    expect(numeric(hundredths, 20).histogram.counts).toEqual(Array(20).fill(5));
    const ages = Table.fromColumns({
      age: Int32Array.from({ length: 6700 }, (_, i) => 7 + (i % 67)),
    }).columnInfo('age');
    expect(numeric(ages, 30).histogram).toEqual({
      start: 5,
      width: 5,
      counts: [300, ...Array(12).fill(500), 400],
      discrete: false,
    });
  });

  it('puts a column of one repeated value in one bin, and an all-NULL column in none', () => {
    expect(
      numeric(Table.fromColumns({ x: Float64Array.from([0.25, 0.25]) }).columnInfo('x')).histogram,
    ).toEqual({ start: 0.25, width: 1, counts: [2], discrete: true });
    const empty = numeric(Table.fromColumns({ x: Float64Array.from([NaN, NaN]) }).columnInfo('x'));
    expect(empty).toMatchObject({ nulls: 2, min: null, max: null, histogram: { counts: [] } });
  });

  it('summarises times in ms since 1970, as their columns hold them', () => {
    const day = 86_400_000;
    const dates = new Table([
      { name: 'd', type: 'date', data: Float64Array.from([0, day, 40 * day, NaN]) },
    ]).columnInfo('d');
    const s = numeric(dates, 4);
    expect(s).toMatchObject({ type: 'date', min: 0, max: 40 * day, nulls: 1 });
    expect(s.histogram.counts).toEqual([2, 0, 0, 1]);
  });

  it('refuses bins that are not a whole number from 1 to 1000', () => {
    const x = Table.fromColumns({ x: Float64Array.from([1, 2]) }).columnInfo('x');
    expect(() => summarizeColumn(x, 0)).toThrow(/bins must be a whole number from 1 to 1000, got 0/);
    expect(() => summarizeColumn(x, 2.5)).toThrow(/got 2.5/);
  });
});

describe('column summaries of text, booleans and nested values', () => {
  it('counts distinct values, NULLs and the most frequent values, ties in a fixed order', () => {
    const t = Table.fromColumns({
      g: ['drama', 'comedy', null, 'drama', 'horror', 'comedy', 'drama', null, 'noir'],
    });
    const s = category(t.columnInfo('g'), 3);
    expect(s).toEqual({
      kind: 'category',
      column: 'g',
      type: 'string',
      rows: 9,
      nulls: 2,
      distinct: 4,
      distinctCapped: false,
      top: [
        { value: 'drama', count: 3 },
        { value: 'comedy', count: 2 },
        { value: 'horror', count: 1 },
      ],
    });
    expect(category(t.columnInfo('g')).top).toHaveLength(4);
  });

  it('stops counting distinct values at the cap, and still finds the frequent ones with exact counts', () => {
    const n = 5 * DISTINCT_CAP;
    // Every fourth row is one of three frequent values; the rest are all different.
    const data = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? `often-${(i / 4) % 3}` : `once-${i}`));
    const s = category(Table.fromColumns({ v: data }).columnInfo('v'));
    expect(s.distinct).toBe(DISTINCT_CAP);
    expect(s.distinctCapped).toBe(true);
    const each = n / 4 / 3;
    expect(
      s.top
        .slice(0, 3)
        .map((t) => t.value)
        .sort(),
    ).toEqual(['often-0', 'often-1', 'often-2']);
    expect(s.top.slice(0, 3).map((t) => t.count)).toEqual(
      [Math.ceil(each), Math.round(each), Math.floor(each)].sort((a, b) => b - a),
    );
    expect(s.top.slice(3).every((t) => t.count === 1)).toBe(true);
  });

  it('counts exactly up to the cap', () => {
    const data = Array.from({ length: 2 * DISTINCT_CAP }, (_, i) => `v${i % DISTINCT_CAP}`);
    const s = category(Table.fromColumns({ v: data }).columnInfo('v'));
    expect(s).toMatchObject({ distinct: DISTINCT_CAP, distinctCapped: false });
    expect(s.top[0]).toEqual({ value: 'v0', count: 2 });
  });

  it('summarises booleans with NULLs apart, and nested values by their JSON', () => {
    const flags = Table.fromColumns({ b: Uint8Array.from([1, 0, 1, 2, 1]) }).columnInfo('b');
    expect(category(flags)).toMatchObject({
      type: 'bool',
      nulls: 1,
      distinct: 2,
      top: [
        { value: 'true', count: 3 },
        { value: 'false', count: 1 },
      ],
    });
    const lists = Table.fromColumns({ l: [[1, 2], null, [1, 2], { a: 1 }, '1', 1] }).columnInfo('l');
    expect(category(lists)).toMatchObject({
      type: 'json',
      nulls: 1,
      distinct: 4,
      top: [
        { value: '[1,2]', count: 2 },
        { value: '{"a":1}', count: 1 },
        { value: '"1"', count: 1 },
        { value: '1', count: 1 },
      ],
    });
  });
});

describe('column summaries kept with their table', () => {
  it('summarises one column or all, keeps them, and forgets them with the table', () => {
    const registry = new TableRegistry(1);
    const table = Table.fromColumns({ n: Int32Array.from([1, 2, 2]), s: ['a', 'b', 'b'] });
    const id = registry.add(table);
    const all = registry.columnSummary(id);
    expect(all.map((s) => [s.column, s.kind])).toEqual([
      ['n', 'numeric'],
      ['s', 'category'],
    ]);
    expect(registry.columnSummary(id, 's')[0]).toBe(all[1]);
    expect(registry.columnSummary(id, 'n', 40)[0]).not.toBe(all[0]);
    expect(() => registry.columnSummary(id, 'missing')).toThrow(/No column "missing". The table has: n, s/);
    registry.add(Table.fromColumns({ x: Int32Array.from([1]) }));
    expect(() => registry.columnSummary(id)).toThrow(/no longer in the kernel/);
  });
});
