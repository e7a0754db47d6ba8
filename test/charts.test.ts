import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BarSeriesOption, EChartsOption, LineSeriesOption, ScatterSeriesOption } from 'echarts';
import {
  Chart,
  bar,
  charts,
  heatmap,
  histogram,
  line,
  renderSvg,
  scatter,
  setChartDatabase,
} from '../src/charts';
import { Database, Table } from '../src/data';
import type { KernelClient } from '../src/kernel-client';
import { library } from '../src/kernel/library';
import { MIME } from '../src/notebook';
import { run, suiteKernel } from './helpers/kernel';

/** The parts of an option the tests read. */
function parts(c: Chart) {
  const o = c.option as EChartsOption & Record<string, unknown>;
  const one = <T>(v: T | T[] | undefined) => (Array.isArray(v) ? v[0] : v) as T;
  return {
    title: one(o.title) as { text: string; subtext: string },
    x: one(o.xAxis) as {
      type: string;
      data?: string[];
      name?: string;
      inverse?: boolean;
      axisLabel?: object;
    },
    y: one(o.yAxis) as { type: string; data?: string[]; name?: string; inverse?: boolean },
    series: (Array.isArray(o.series) ? o.series : [o.series]) as (BarSeriesOption &
      LineSeriesOption &
      ScatterSeriesOption)[],
    visualMap: o.visualMap as { dimension: number; min: number; max: number } | undefined,
  };
}
const counts = (c: Chart) => parts(c).series[0].data as number[];
const labels = (c: Chart) => parts(c).x.data as string[];

describe('histogram', () => {
  it('gives ratings one bar per value, empty values included, and says how many missing values it left out', () => {
    const c = histogram(Table.fromColumns({ rating: Float64Array.of(1, 2, 2, 5, 5, 5, NaN, Infinity) }), {
      column: 'rating',
    });
    expect(labels(c)).toEqual(['1', '2', '3', '4', '5']);
    expect(counts(c)).toEqual([1, 2, 0, 0, 3]);
    expect(parts(c).title.text).toBe('Distribution of rating');
    expect(parts(c).title.subtext).toBe('6 values · 2 of 8 values left out: missing or not finite');
    expect(parts(c).x.name).toBe('rating');
  });

  it('gives half-star ratings one bar per half step', () => {
    const c = histogram([0.5, 1, 1, 4.5, 5]);
    expect(labels(c)).toEqual(['0.5', '1', '1.5', '2', '2.5', '3', '3.5', '4', '4.5', '5']);
    expect(counts(c)).toEqual([1, 2, 0, 0, 0, 0, 0, 0, 1, 1]);
  });

  it('counts other numbers in equal-width bins on round edges, the maximum in the last', () => {
    const values = Float64Array.from({ length: 101 }, (_, i) => i / 100);
    const c = histogram({ score: values }, { bins: 10, xName: 'score (0–1)', title: 'Scores' });
    expect(labels(c)).toHaveLength(10);
    expect(labels(c)[0]).toBe('0.0 to 0.1');
    expect(labels(c)[9]).toBe('0.9 to 1.0');
    expect(counts(c)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 11]);
    expect(parts(c).x.name).toBe('score (0–1)');
    expect(parts(c).title.text).toBe('Scores');
    // Asked for bins, whole numbers get them too.
    expect(
      labels(
        histogram(
          Int32Array.from({ length: 50 }, (_, i) => i),
          { bins: 5 },
        ),
      ),
    ).toEqual(['0 to 10', '10 to 20', '20 to 30', '30 to 40', '40 to 50']);
  });

  it('puts a value on an edge in the bin the labels start with it, though the division falls short', () => {
    // (0.15 - 0) / 0.05 is 2.9999999999999996.
    const c = histogram(
      Float64Array.from({ length: 100 }, (_, i) => i / 100),
      { bins: 20 },
    );
    expect(labels(c)[3]).toBe('0.15 to 0.20');
    expect(counts(c)).toEqual(Array(20).fill(5));
    // 0.29 × 100 is 28.999999999999996.
    expect(
      counts(
        histogram(
          Float64Array.from({ length: 101 }, (_, i) => i / 100),
          { bins: 100 },
        ),
      ),
    ).toEqual([...Array(99).fill(1), 2]);
    const d = histogram([0.3, 0.7, 0.9, 1.3], { bins: 10 });
    expect(labels(d)).toEqual([
      '0.3 to 0.4',
      '0.4 to 0.5',
      '0.5 to 0.6',
      '0.6 to 0.7',
      '0.7 to 0.8',
      '0.8 to 0.9',
      '0.9 to 1.0',
      '1.0 to 1.1',
      '1.1 to 1.2',
      '1.2 to 1.3',
    ]);
    expect(counts(d)).toEqual([1, 0, 0, 0, 1, 0, 1, 0, 0, 1]);
    // The first bin starts at the minimum (0.29 × 100 falls short of 29), the last ends at the maximum
    // (0.55 × 100 passes 55).
    const e = histogram([0.29, 0.39], { bins: 10 });
    expect([labels(e)[0], labels(e)[9], counts(e).length]).toEqual(['0.29 to 0.30', '0.38 to 0.39', 10]);
    expect(counts(histogram([0, 0.55], { bins: 11 }))).toEqual([1, ...Array(9).fill(0), 1]);
  });

  it('gives whole numbers whole widths and half steps widths of whole half steps, so flat data draws flat', () => {
    // 67 ages, 100 people each: bins 2.5 wide would hold two ages and three in turn.
    const ages = Int32Array.from({ length: 6700 }, (_, i) => 7 + (i % 67));
    const c = histogram(ages);
    expect(labels(c)[0]).toBe('5 to 10');
    expect(counts(c)).toEqual([300, ...Array(12).fill(500), 400]);
    // Bins 0.2 wide would hold one half step or none.
    const halves = Float64Array.from({ length: 11 }, (_, i) => i / 2);
    const h = histogram(halves, { bins: 25 });
    expect(labels(h)[0]).toBe('0.0 to 0.5');
    expect(counts(h)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
  });

  it('refuses dates and times rather than label bins in milliseconds', () => {
    const t = new Table([
      { name: 'at', type: 'timestamp', data: Float64Array.of(1_704_000_000_000, 1_704_500_000_000) },
    ]);
    expect(() => histogram(t)).toThrow(
      'histogram: column "at" holds dates or times, which it does not bin; ' +
        'count a number made from them instead (such as the year, or epoch() in SQL).',
    );
  });

  it('uses a one-column table’s column without being told', () => {
    expect(counts(histogram(Table.fromColumns({ n: Int32Array.of(3, 3, 4) })))).toEqual([2, 1]);
  });

  it('says what is wrong with bad input', () => {
    const t = Table.fromColumns({ a: Float64Array.of(1), b: Float64Array.of(2), title: ['x'] });
    expect(() => histogram(t, { column: 'x' })).toThrow(
      'histogram: no column "x" (column); the columns are a, b, title.',
    );
    expect(() => histogram(t)).toThrow(
      'histogram: say which column to count with { column }; the columns are a, b, title.',
    );
    expect(() => histogram(t, { column: 'title' })).toThrow(
      'histogram: column "title" (column) holds text, not numbers',
    );
    expect(() => histogram(Table.fromColumns({ a: new Float64Array(0) }))).toThrow(
      'histogram: the data has no rows; nothing to draw.',
    );
    expect(() => histogram([NaN, NaN])).toThrow(
      'histogram: column "value" has no finite values (all 2 are missing, NaN or infinite); nothing to count.',
    );
    expect(() => histogram([1, 2], { bins: 0 })).toThrow(
      'histogram: bins must be a whole number from 1 to 1000, got number 0.',
    );
    expect(() => histogram([1, 2], { column: 'a' })).toThrow('leave column out');
  });
});

describe('histogram computed by DuckDB', () => {
  let db: Database;
  beforeAll(async () => {
    db = await Database.open();
    await db.run(`CREATE TABLE r AS SELECT 1 + (hash(range) % 5)::INTEGER AS rating,
                    CASE WHEN range % 97 = 0 THEN NULL WHEN range % 89 = 0 THEN 'NaN'::DOUBLE
                      ELSE random() * 7 - 2 END AS score,
                    'u' || range AS name
                  FROM range(20000)`);
  });
  afterAll(() => {
    setChartDatabase(null);
    db.close();
  });

  it('draws the very chart the same data draws in memory', async () => {
    const rows = await db.query('SELECT * FROM r');
    for (const options of [
      { column: 'rating' },
      { column: 'score' },
      { column: 'score', bins: 7 },
      { column: 'rating', bins: 3, title: 'r' },
    ]) {
      const inDuckDB = await histogram('r', { ...options, db });
      expect(inDuckDB.option).toEqual(histogram(rows, options).option);
    }
    expect(parts(await histogram('r', { column: 'score', db })).title.subtext).toMatch(
      /of 20,000 values left out: missing or not finite$/,
    );
  });

  it('reads a query, with the installed database when none is given', async () => {
    setChartDatabase(db);
    const c = await histogram('SELECT rating * 2 AS doubled FROM r WHERE rating > 3;');
    const inMemory = histogram(await db.query('SELECT rating * 2 AS doubled FROM r WHERE rating > 3'));
    expect(c.option).toEqual(inMemory.option);
    expect(labels(c)).toEqual(['8', '9', '10']);
  });

  it('bins on the same edges as in memory, and refuses times with the same message', async () => {
    const c = await histogram('SELECT range / 100 AS x FROM range(100)', { db, bins: 20 });
    expect(counts(c)).toEqual(Array(20).fill(5));
    expect(counts(await histogram('SELECT range / 100 AS x FROM range(101)', { db, bins: 100 }))).toEqual([
      ...Array(99).fill(1),
      2,
    ]);
    expect(
      counts(await histogram('SELECT * FROM (VALUES (0.3), (0.7), (0.9), (1.3)) AS t(x)', { db, bins: 10 })),
    ).toEqual([1, 0, 0, 0, 1, 0, 1, 0, 0, 1]);
    expect(counts(await histogram('SELECT 7 + range % 67 AS age FROM range(6700)', { db }))).toEqual([
      300,
      ...Array(12).fill(500),
      400,
    ]);
    await expect(histogram("SELECT TIMESTAMP '2024-01-01' AS at", { db })).rejects.toThrow(
      'histogram: column "at" holds dates or times, which it does not bin;',
    );
  });

  it('takes names that start with a keyword for tables, and reads a query that ends in a comment', async () => {
    for (const name of ['selected_items', 'withdrawals', 'table_2', 'from_web', 'Values']) {
      await db.run(`CREATE TABLE "${name}" AS SELECT range AS n FROM range(4)`);
      expect(counts(await histogram(name, { db }))).toEqual([1, 1, 1, 1]);
    }
    expect(counts(await histogram('SELECT range AS n FROM range(3) -- the first three', { db }))).toEqual([
      1, 1, 1,
    ]);
  });

  it('runs the source once: a sample’s bars add up to its count, and no table is left behind', async () => {
    const c = await histogram('SELECT score FROM r USING SAMPLE 50% (bernoulli)', { db });
    const shown = Number(/^([\d,]+) values/.exec(parts(c).title.subtext)?.[1].replaceAll(',', ''));
    expect(counts(c).reduce((a, b) => a + b)).toBe(shown);
    // Failing while filling the table, and after it.
    await expect(
      histogram("SELECT CASE WHEN range = 3 THEN error('boom') ELSE range END AS v FROM range(5)", { db }),
    ).rejects.toThrow('boom');
    await expect(histogram('SELECT NULL::DOUBLE AS v', { db })).rejects.toThrow('no finite values');
    expect(
      (
        await db.query(
          "SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name LIKE 'rl_histogram_%'",
        )
      ).rows(),
    ).toEqual([{ n: 0 }]);
  });

  it('quotes the table and column names it is given', async () => {
    await db.run('CREATE TABLE "odd ""name""" AS SELECT range AS "a b" FROM range(10)');
    expect(counts(await histogram('odd "name"', { db }))).toEqual(Array(10).fill(1));
  });

  it('says what is wrong with a bad table, column or database', async () => {
    await expect(histogram('nope', { db })).rejects.toThrow(
      /^histogram: DuckDB could not read table "nope": Table with name nope does not exist/,
    );
    await expect(histogram('r', { db })).rejects.toThrow(
      'histogram: say which column to count with { column }; the columns are rating, score, name.',
    );
    await expect(histogram('r', { db, column: 'x' })).rejects.toThrow(
      'histogram: no column "x" in table "r"; the columns are rating, score, name.',
    );
    await expect(histogram('r', { db, column: 'name' })).rejects.toThrow(
      'histogram: column "name" of table "r" is VARCHAR, not a number',
    );
    await expect(histogram('SELECT 1 AS v WHERE false', { db })).rejects.toThrow(
      'histogram: column "v" has no values; nothing to count.',
    );
    await expect(histogram('SELECT NULL::DOUBLE AS v', { db })).rejects.toThrow(
      'histogram: column "v" has no finite values (all 1 are missing, NaN or infinite)',
    );
    setChartDatabase(null);
    await expect(histogram('r')).rejects.toThrow(
      'histogram: a table name or query needs a DuckDB database; pass { db }',
    );
    await expect(histogram('r', { db, bins: 1.5 })).rejects.toThrow('histogram: bins must be a whole number');
  });
});

describe('bar', () => {
  it('draws one bar per row, named by the x column', () => {
    const c = bar({ user: ['a', 'b', 'c'], n: Int32Array.of(5, 3, 1) }, { x: 'user', y: 'n' });
    expect(labels(c)).toEqual(['a', 'b', 'c']);
    expect(parts(c).series).toHaveLength(1);
    expect(parts(c).series[0]).toMatchObject({ type: 'bar', name: 'n', data: [5, 3, 1] });
    expect(parts(c).series[0].large).toBeUndefined();
    expect(parts(c).title.text).toBe('n by user');
  });

  it('groups bars for several y columns (metric comparison)', () => {
    const c = bar(
      Table.fromColumns({
        model: ['Pop', 'ItemCF'],
        recall: Float64Array.of(0.1, 0.2),
        ndcg: Float64Array.of(0.05, 0.15),
      }),
      { x: 'model', y: ['recall', 'ndcg'] },
    );
    expect(parts(c).series.map((s) => [s.name, s.data])).toEqual([
      ['recall', [0.1, 0.2]],
      ['ndcg', [0.05, 0.15]],
    ]);
    expect(c.option.legend).toBeDefined();
  });

  it('draws a long tail of many bars in large mode, keeping the tallest of each pixel column', () => {
    const n = 20000;
    const c = bar(
      {
        rank: Int32Array.from({ length: n }, (_, i) => i + 1),
        count: Float64Array.from({ length: n }, (_, i) => Math.floor(5000 / (i + 1))),
      },
      { x: 'rank', y: 'count', logY: true },
    );
    expect(parts(c).series[0]).toMatchObject({ large: true, sampling: 'max' });
    expect(parts(c).series[0].data).toHaveLength(n);
    expect(labels(c)[0]).toBe('1');
    expect(parts(c).y.type).toBe('log');
    // floor(5000 / rank) is 0 from rank 5001: a log axis cannot show those.
    expect(parts(c).title.subtext).toBe('15,000 values ≤ 0 left out of the log axis');
    expect((parts(c).series[0].data as (number | null)[])[5000]).toBeNull();
  });

  it('lays bars on their side, the first row on top', () => {
    const c = bar({ user: ['a', 'b'], n: [2, 1] }, { x: 'user', y: 'n', horizontal: true });
    expect(parts(c).y).toMatchObject({ type: 'category', data: ['a', 'b'], inverse: true });
    expect(parts(c).x.type).toBe('value');
  });

  it('leaves out missing heights and says so, and says what is wrong with bad input', () => {
    expect(parts(bar({ x: ['a', 'b'], y: [1, null] }, { x: 'x', y: 'y' })).title.subtext).toBe(
      '1 of 2 values left out: missing or not finite',
    );
    expect(() => bar({ x: ['a', 'b'], y: [NaN, NaN] }, { x: 'x', y: 'y' })).toThrow(
      'bar: nothing to draw: "y" has no finite values.',
    );
    expect(() => bar({ x: ['a', 'b'], y: [1] }, { x: 'x', y: 'y' })).toThrow(
      'bar: the columns have different lengths (x: 2, y: 1); give every column one value per row.',
    );
    expect(() => bar({ x: ['a'], y: [1] }, { x: 'x', y: ['y', 'z'] })).toThrow(
      'bar: no column "z" (y); the columns are x, y.',
    );
    expect(() => bar({ x: ['a'], y: ['b'] }, { x: 'x', y: 'y' })).toThrow(
      'bar: column "y" (y) holds text, not numbers',
    );
    expect(() => bar([1, 2] as never, { x: 'x', y: 'y' })).toThrow(
      'bar: the data must be a Table or named columns such as { x: [...], y: [...] }, got an array of 2.',
    );
    expect(() => bar({ x: ['a'], y: [1] }, { y: 'y' } as never)).toThrow(
      'bar: option x must name a column (one of x, y), got undefined.',
    );
    expect(() => bar({}, { x: 'x', y: 'y' })).toThrow('bar: the data has no columns; nothing to draw.');
    expect(() => bar({ x: [], y: [] }, { x: 'x', y: 'y' })).toThrow(
      'bar: the data has no rows; nothing to draw.',
    );
  });
});

describe('line', () => {
  it('draws numeric x as points, one line per y column, leaving out missing ones and saying so', () => {
    const c = line(
      {
        epoch: Int32Array.of(1, 2, 3),
        loss: Float64Array.of(2, 1, 0.5),
        recall: Float64Array.of(NaN, 0.1, 0.2),
      },
      { x: 'epoch', y: ['loss', 'recall'] },
    );
    // Whole epochs only: a tick at epoch 2.5 would mean nothing.
    expect(parts(c).x).toMatchObject({ type: 'value', name: 'epoch', minInterval: 1 });
    expect(parts(line({ t: [0.5, 1.5], v: [1, 2] }, { x: 't', y: 'v' })).x).not.toHaveProperty('minInterval');
    expect(parts(c).series.map((s) => [s.name, s.data])).toEqual([
      [
        'loss',
        [
          [1, 2],
          [2, 1],
          [3, 0.5],
        ],
      ],
      [
        'recall',
        [
          [2, 0.1],
          [3, 0.2],
        ],
      ],
    ]);
    expect(parts(c).title.subtext).toBe('1 of 6 points left out: missing or not finite');
  });

  it('keeps a missing value’s place on a category axis, and puts times on a time axis', () => {
    const c = line({ k: ['@5', '@10', '@20'], recall: [0.1, NaN, 0.3] }, { x: 'k', y: 'recall' });
    expect(labels(c)).toEqual(['@5', '@10', '@20']);
    expect(parts(c).series[0]).toMatchObject({ data: [0.1, null, 0.3], connectNulls: true });
    const days = new Table([
      { name: 'day', type: 'date', data: Float64Array.of(0, 86_400_000) },
      { name: 'n', type: 'float64', data: Float64Array.of(4, 5) },
    ]);
    expect(parts(line(days, { x: 'day', y: 'n' })).x.type).toBe('time');
  });

  it('keeps the first and last labels of a time axis inside the chart, and no two overlapping', () => {
    const days = new Table([
      { name: 'day', type: 'date', data: Float64Array.of(0, 86_400_000, 2 * 86_400_000) },
      { name: 'n', type: 'float64', data: Float64Array.of(4, 5, 6) },
    ]);
    const inside = { hideOverlap: true, alignMinLabel: 'left', alignMaxLabel: 'right' };
    expect(parts(line(days, { x: 'day', y: 'n' })).x.axisLabel).toEqual(inside);
    expect(parts(scatter(days, { x: 'day', y: 'n' })).x.axisLabel).toEqual(inside);
  });

  it('thins a long line and drops its markers', () => {
    const n = 5000;
    const c = line(
      { t: Float64Array.from({ length: n }, (_, i) => i), v: Float64Array.from({ length: n }, Math.random) },
      { x: 't', y: 'v' },
    );
    expect(parts(c).series[0]).toMatchObject({ showSymbol: false, sampling: 'lttb' });
  });

  it('says when nothing is left to draw', () => {
    expect(() => line({ x: [1, 2], y: [NaN, NaN] }, { x: 'x', y: 'y' })).toThrow(
      'line: nothing to draw: "y" against "x" has no finite values.',
    );
    expect(() => line({ x: [1], y: [1] }, { x: 'x', y: [] })).toThrow(
      'line: option y must name a column or a list of columns (of x, y), got an array of 0.',
    );
  });
});

describe('scatter', () => {
  const x = Float64Array.of(1, 2, 3, NaN, 5);
  const y = Float64Array.of(2, 4, 6, 8, NaN);

  it('draws the rows with finite x and y, and says how many it left out', () => {
    const c = scatter({ x, y }, { x: 'x', y: 'y' });
    expect(parts(c).series[0].data).toEqual([
      [1, 2],
      [2, 4],
      [3, 6],
    ]);
    expect(parts(c).title.subtext).toBe('3 points · 2 of 5 rows left out: missing or not finite');
  });

  it(
    'colours by text or by a few whole numbers as groups, by other numbers on a scale, ' +
      'and names points on hover',
    () => {
      const genre = ['b', 'a', 'b', 'a', 'a'];
      const grouped = scatter({ x, y, genre }, { x: 'x', y: 'y', color: 'genre' });
      expect(parts(grouped).series.map((s) => [s.name, s.data])).toEqual([
        ['a', [[2, 4]]],
        [
          'b',
          [
            [1, 2],
            [3, 6],
          ],
        ],
      ]);
      const clusters = scatter(
        { x, y, cluster: Int32Array.of(10, 2, 2, 0, 0) },
        { x: 'x', y: 'y', color: 'cluster' },
      );
      expect(parts(clusters).series.map((s) => s.name)).toEqual(['2', '10']);
      const scaled = scatter(
        { x, y, pop: [0.5, 0.25, 1, 1, 1], title: ['A', 'B', 'C', 'D', 'E'] },
        { x: 'x', y: 'y', color: 'pop', label: 'title' },
      );
      expect(parts(scaled).series[0]).toMatchObject({
        data: [
          [1, 2, 0.5, 'A'],
          [2, 4, 0.25, 'B'],
          [3, 6, 1, 'C'],
        ],
        dimensions: ['x', 'y', 'pop', 'title'],
        encode: { tooltip: [3, 0, 1] },
      });
      expect(parts(scaled).visualMap).toMatchObject({ dimension: 2, min: 0.25, max: 1 });
    },
  );

  it('merges the smallest of many colour groups into "other"', () => {
    const n = 30;
    const c = scatter(
      {
        x: Float64Array.from({ length: n }, (_, i) => i),
        y: new Float64Array(n),
        g: Array.from({ length: n }, (_, i) => `g${i < 5 ? 0 : i}`),
      },
      { x: 'x', y: 'y', color: 'g' },
    );
    const names = parts(c).series.map((s) => s.name);
    expect(names).toHaveLength(20);
    expect(names[0]).toBe('g0');
    expect(names.at(-1)).toBe('other');
    expect(parts(c).title.subtext).toContain('7 smallest groups of "g" drawn as other');
  });

  it('draws many points in large mode', () => {
    const n = 6000;
    const c = scatter(
      { x: Float64Array.from({ length: n }, Math.random), y: Float64Array.from({ length: n }, Math.random) },
      { x: 'x', y: 'y' },
    );
    expect(parts(c).series[0]).toMatchObject({ large: true });
  });

  it('says when nothing is left to draw, and which option names a missing column', () => {
    expect(() => scatter({ x: [NaN], y: [1] }, { x: 'x', y: 'y' })).toThrow(
      'scatter: nothing to draw: no row has finite values in "x", "y" (1 rows).',
    );
    expect(() => scatter({ x, y }, { x: 'x', y: 'y', color: 'genre' })).toThrow(
      'scatter: no column "genre" (color); the columns are x, y.',
    );
  });
});

describe('the charts’ static form', () => {
  it('draws every builder into an SVG with shapes in it', () => {
    const t = Table.fromColumns({
      item: ['a', 'b', 'c'],
      n: Float64Array.of(3, 2, 1),
      score: Float64Array.of(0.2, 0.5, 0.9),
    });
    for (const c of [
      histogram(t, { column: 'n' }),
      bar(t, { x: 'item', y: 'n' }),
      line(t, { x: 'score', y: 'n' }),
      scatter(t, { x: 'score', y: 'n', label: 'item' }),
    ]) {
      const svg = renderSvg(c);
      expect(svg).toMatch(/^<svg[\s\S]*<path[\s\S]*<\/svg>$/);
      expect(svg).toContain(String((c.option.title as { text: string }).text));
    }
  });

  it('are the library’s rl.charts, beside rl.chart', () => {
    expect(library.charts).toMatchObject({ histogram, bar, line, scatter, heatmap });
    expect(Object.keys(charts)).toEqual(['histogram', 'bar', 'line', 'scatter', 'heatmap']);
    expect(library.chart({ series: [] })).toBeInstanceOf(Chart);
    // The projector is a chart only; the kernel's training host is not the cells' to replace.
    expect(typeof library.charts.embeddings).toBe('function');
    expect('embeddings' in library).toBe(false);
    expect('setTrainingHost' in library).toBe(false);
  });
});

describe('charts in a notebook', () => {
  let kernel: KernelClient;
  suiteKernel((k) => (kernel = k));

  it('counts a histogram of a table in the kernel’s DuckDB and shows it as SVG, ECharts and text', async () => {
    expect(
      (
        await run(
          kernel,
          'CREATE TABLE ratings AS SELECT 1 + (range % 5)::INTEGER AS rating FROM range(1000)',
          'sql',
        )
      ).reply.status,
    ).toBe('ok');
    const r = await run(kernel, "await rl.charts.histogram('ratings')");
    expect(r.reply.status).toBe('ok');
    const bundle = r.outputs[0].output_type === 'execute_result' ? r.outputs[0].data : {};
    expect(String(bundle['image/svg+xml'])).toMatch(/^<svg[\s\S]*<path/);
    expect(bundle['text/plain']).toMatch(/^Chart: /);
    const option = (bundle[MIME.echarts] as { option: EChartsOption }).option;
    expect((option.series as BarSeriesOption[])[0].data).toEqual([200, 200, 200, 200, 200]);
  });

  it('shows a heatmap with a text line that names its strongest cells', async () => {
    const r = await run(
      kernel,
      "rl.charts.heatmap({ values: [[0.2, 0.41]], rows: ['next'], columns: ['Alien', 'Aliens'] }, " +
        "{ title: 'Attention' })",
    );
    expect(r.reply.status).toBe('ok');
    const bundle = r.outputs[0].output_type === 'execute_result' ? r.outputs[0].data : {};
    expect(bundle['text/plain']).toBe('Chart: Attention · strongest: next → Aliens 0.41, next → Alien 0.2');
    expect(String(bundle['image/svg+xml'])).toMatch(/^<svg/);
    expect((bundle[MIME.echarts] as { option: EChartsOption }).option.series).toMatchObject([
      { type: 'heatmap' },
    ]);
  });

  it('shows a bad column as an error that lists the columns', async () => {
    const r = await run(kernel, "rl.charts.bar(await db.query('SELECT 1 AS a, 2 AS b'), { x: 'a', y: 'c' })");
    expect(r.reply.status).toBe('error');
    expect(r.text).toContain('bar: no column "c" (y); the columns are a, b.');
  });
});
