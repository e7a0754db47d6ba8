import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DataFileError, Database, Table, importTaobao } from '../src/data';
import { rankingSamples } from '../src/recsys';
import {
  BEHAVIOURS,
  TASKS,
  type RankingSamples,
  type RankingSplit,
} from '../src/recsys/data/ranking-samples';

let db: Database;
let dir: string;
beforeAll(async () => {
  db = await Database.open();
  dir = mkdtempSync(path.join(tmpdir(), 'reclab-ranking-'));
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const DAY = 86_400;
const T0 = 1_511_568_000; // 2017-11-25 00:00 UTC

type Row = [user: number, item: number, category: number, behaviour: string, timestamp: number];

/** A behaviour log as a DuckDB table, rows in the order given. */
async function logTable(name: string, rows: readonly Row[]): Promise<void> {
  await db.register(
    name,
    new Table([
      { name: 'user', type: 'int32', data: Int32Array.from(rows, (r) => r[0]) },
      { name: 'item', type: 'int32', data: Int32Array.from(rows, (r) => r[1]) },
      { name: 'category', type: 'int32', data: Int32Array.from(rows, (r) => r[2]) },
      { name: 'behaviour', type: 'string', data: rows.map((r) => r[3]) },
      { name: 'timestamp', type: 'float64', data: Float64Array.from(rows, (r) => r[4]) },
    ]),
  );
}

/** A pseudo-random log of a few users over `days` days, with many ties in time, in shuffled row order. */
function randomLog(seed: number, users = 30, items = 60, rowsPerUser = 40, days = 5): Row[] {
  let state = seed;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const rows: Row[] = [];
  for (let u = 0; u < users; u++) {
    for (let r = 0; r < rowsPerUser; r++) {
      const item = 100 + Math.floor(next() * items);
      const x = next();
      const behaviour = x < 0.7 ? 'pv' : x < 0.8 ? 'cart' : x < 0.9 ? 'fav' : 'buy';
      // Coarse times (whole hours) so that many behaviours share a second.
      rows.push([1000 + u, item, item % 7, behaviour, T0 + Math.floor(next() * days * 24) * 3600]);
    }
  }
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  return rows;
}

const both = (s: RankingSplit) => [s.train, s.test];
const userName = (s: RankingSamples, row: number) => Number(s.vocabulary.users[s.users[row]]);
const itemName = (s: RankingSamples, row: number) => Number(s.vocabulary.items[s.items[row]]);

async function tables(): Promise<string[]> {
  return (await db.query('SELECT table_name FROM duckdb_tables() ORDER BY 1')).column(
    'table_name',
  ) as string[];
}

describe('rankingSamples', () => {
  it('labels a click with a cart or buy of its item at or after it, never before', async () => {
    await logTable('labels', [
      [1, 10, 5, 'pv', T0 + 100],
      [1, 10, 5, 'cart', T0 + 200], // after the first pv of 10: cart 1
      [1, 11, 5, 'buy', T0 + 300], // bought before its pv: buy 0
      [1, 11, 5, 'pv', T0 + 400],
      [1, 10, 5, 'pv', T0 + 500], // after the cart: cart 0
      [1, 12, 6, 'pv', T0 + 600],
      [1, 12, 6, 'buy', T0 + 600], // the same second: buy 1
      [1, 13, 6, 'pv', T0 + 700],
      [1, 13, 6, 'fav', T0 + 800], // a fav counts as a cart
      [1, 14, 7, 'pv', T0 + 2 * DAY], // the last day: test
      [2, 10, 5, 'pv', T0 + 100],
      [2, 14, 7, 'pv', T0 + 2 * DAY],
    ]);
    const split = await rankingSamples(db, 'labels', { negatives: 0 });
    const { train, test } = split;
    const byPv = (s: RankingSamples) =>
      Array.from(
        { length: s.size },
        (_, r) =>
          `${userName(s, r)}:${itemName(s, r)}@${s.times[r] - T0} ${TASKS.map((t) => s.labels[t][r]).join('')}`,
      );
    expect(byPv(train)).toEqual([
      '1:10@100 110',
      '2:10@100 100',
      '1:11@400 100',
      '1:10@500 100',
      '1:12@600 101',
      '1:13@700 110',
    ]);
    expect(byPv(test)).toEqual([`1:14@${2 * DAY} 100`, `2:14@${2 * DAY} 100`]);
    expect(train.vocabulary.users).toEqual(['1', '2']);
    expect(train.vocabulary.items).toEqual(['10', '11', '12', '13', '14']);
    expect(train.vocabulary.categories).toEqual(['5', '6', '7']);
    expect(Array.from(train.vocabulary.itemCategory)).toEqual([0, 0, 1, 1, 2]);
    // The log: user 1's behaviours in time order, a pv before a buy of the same second.
    const log = train.log;
    expect(Array.from(log.indptr)).toEqual([0, 10, 12]);
    expect(Array.from(log.behaviours.subarray(0, 10), (b) => BEHAVIOURS[b])).toEqual([
      'pv',
      'cart',
      'buy',
      'pv',
      'pv',
      'pv',
      'buy',
      'pv',
      'fav',
      'pv',
    ]);
    expect(split.description).toMatch(/8 click samples/);
    expect(split.description).toMatch(/Train: 6 samples/);
    expect(split.description).toMatch(/Test: 2 samples of the last 1 day/);
    expect(split.description).not.toMatch(/not in time order/);
    // Behaviours of the same second keep the table's row order; the history of a click at that second excludes both.
    const rows = (await db.query('SELECT * FROM labels')).rows().map((r) => Object.values(r) as Row);
    [rows[5], rows[6]] = [rows[6], rows[5]];
    await logTable('labels_swapped', rows);
    const swapped = await rankingSamples(db, 'labels_swapped', { negatives: 0 });
    expect(Array.from(swapped.train.log.behaviours.subarray(5, 7), (b) => BEHAVIOURS[b])).toEqual([
      'buy',
      'pv',
    ]);
    expect(Array.from(swapped.train.historyEnds)).toEqual(Array.from(train.historyEnds));
    expect(byPv(swapped.train)).toEqual(byPv(train));
  });

  it(
    'keeps every history strictly before its sample, at every sample (no leakage), ' +
      'and matches a brute-force reference',
    async () => {
      const rows = randomLog(7);
      await logTable('random_log', rows);
      const split = await rankingSamples(db, 'random_log', { negatives: 2, seed: 3 });
      const expected = new Map<string, number>();
      for (const [u, i, , b, t] of rows) {
        if (b !== 'pv') continue;
        const after = (kinds: string[]) =>
          rows.some((r) => r[0] === u && r[1] === i && kinds.includes(r[3]) && r[4] >= t);
        const history = rows.filter((r) => r[0] === u && r[4] < t).length;
        const key = `${u} ${i} ${t} ${history} 1${after(['cart', 'fav']) ? 1 : 0}${after(['buy']) ? 1 : 0}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      const found = new Map<string, number>();
      let checked = 0;
      for (const s of both(split)) {
        const { log } = s;
        const items = new Int32Array(50);
        const categories = new Int32Array(50);
        const behaviours = new Int32Array(50);
        for (let r = 0; r < s.size; r++) {
          const u = s.users[r];
          const first = log.indptr[u];
          const end = first + s.historyEnds[r];
          expect(end).toBeLessThanOrEqual(log.indptr[u + 1]);
          // Everything in the history is strictly earlier; the next behaviour is not.
          for (let p = first; p < end; p++) expect(log.times[p]).toBeLessThan(s.times[r]);
          if (end < log.indptr[u + 1]) expect(log.times[end]).toBeGreaterThanOrEqual(s.times[r]);
          // The history a model reads holds the last of those, left-padded.
          const real = s.history(r, 50, items, categories, behaviours, 0);
          expect(real).toBe(Math.min(50, s.historyEnds[r]));
          if (real) expect(items[49]).toBe(log.items[end - 1] + 1);
          expect(s.categories[r]).toBe(s.vocabulary.itemCategory[s.items[r]]);
          checked++;
          if (s.labels.click[r]) {
            const labels = TASKS.map((t) => s.labels[t][r]).join('');
            const key = `${userName(s, r)} ${itemName(s, r)} ${s.times[r]} ${s.historyEnds[r]} ${labels}`;
            found.set(key, (found.get(key) ?? 0) + 1);
          }
        }
      }
      expect(checked).toBe(split.train.size + split.test.size);
      expect(found).toEqual(expected);
      // The log holds every behaviour, each user's in time order.
      const log = split.train.log;
      expect(log.items.length).toBe(rows.length);
      for (let u = 0; u < split.train.vocabulary.users.length; u++) {
        for (let p = log.indptr[u] + 1; p < log.indptr[u + 1]; p++)
          expect(log.times[p]).toBeGreaterThanOrEqual(log.times[p - 1]);
      }
      expect(split.description).toMatch(
        /The log was not in time order within each user \(at [\d,]+ places\): sorted by time/,
      );
    },
  );

  it(
    'draws negatives only among items the user never touched, ' +
      "with the click's time and history, all labels 0",
    async () => {
      const split = await rankingSamples(db, 'random_log', { negatives: 3, seed: 11 });
      const rows = randomLog(7);
      const touched = new Set(rows.map((r) => `${r[0]} ${r[1]}`));
      let negatives = 0;
      const drawn = new Set<number>();
      for (const s of both(split)) {
        for (let r = 0; r < s.size; r++) {
          if (s.labels.click[r]) continue;
          negatives++;
          expect(touched.has(`${userName(s, r)} ${itemName(s, r)}`)).toBe(false);
          expect(s.labels.cart[r] + s.labels.buy[r]).toBe(0);
          drawn.add(s.items[r]);
          // Every negative sits right after its click (or another negative of it): same user, time and history.
          const click = r - [1, 2, 3].find((d) => s.labels.click[r - d])!;
          expect([s.users[click], s.times[click], s.historyEnds[click]]).toEqual([
            s.users[r],
            s.times[r],
            s.historyEnds[r],
          ]);
        }
      }
      const clicks = rows.filter((r) => r[3] === 'pv').length;
      expect(negatives).toBe(3 * clicks);
      // Drawn across the catalogue, not from a corner of it.
      expect(drawn.size).toBeGreaterThan(split.train.vocabulary.items.length * 0.9);

      // A user who touched all but one item gets that one; one who touched every item gets none.
      await logTable('dense', [
        [1, 10, 1, 'pv', T0],
        [1, 11, 1, 'pv', T0 + 10],
        [1, 12, 1, 'cart', T0 + 20],
        [2, 10, 1, 'pv', T0],
        [2, 11, 1, 'pv', T0 + DAY],
        [2, 12, 1, 'buy', T0 + 2 * DAY],
        [2, 13, 1, 'pv', T0 + 3 * DAY],
        [3, 13, 1, 'pv', T0 + 3 * DAY],
      ]);
      const dense = await rankingSamples(db, 'dense', { negatives: 2 });
      const negativesOf = (user: number) =>
        both(dense).flatMap((s) =>
          Array.from({ length: s.size }, (_, r) => r)
            .filter((r) => !s.labels.click[r] && userName(s, r) === user)
            .map((r) => itemName(s, r)),
        );
      expect(negativesOf(1)).toEqual([13, 13, 13, 13]);
      expect(negativesOf(2)).toEqual([]);
      expect(negativesOf(3).every((i) => i !== 13)).toBe(true);
      expect(dense.description).toMatch(/6 not drawn: their users touched all or nearly all items/);
    },
  );

  it('is reproducible with its seed, and another seed draws other negatives', async () => {
    const a = await rankingSamples(db, 'random_log', { seed: 5 });
    const b = await rankingSamples(db, 'random_log', { seed: 5 });
    const c = await rankingSamples(db, 'random_log', { seed: 6 });
    for (const k of ['users', 'items', 'categories', 'times', 'historyEnds'] as const) {
      expect(Array.from(a.train[k])).toEqual(Array.from(b.train[k]));
      expect(Array.from(a.test[k])).toEqual(Array.from(b.test[k]));
    }
    for (const t of TASKS) expect(Array.from(a.train.labels[t])).toEqual(Array.from(b.train.labels[t]));
    expect(a.description).toBe(b.description);
    expect(Array.from(c.train.users)).toEqual(Array.from(a.train.users));
    expect(Array.from(c.train.items)).not.toEqual(Array.from(a.train.items));
  });

  it(
    'splits by the last days before the latest time, ' +
      'and keeps the latest training samples with maxSamples',
    async () => {
      const split = await rankingSamples(db, 'random_log', { negatives: 1, testDays: 2 });
      const last = Math.max(...randomLog(7).map((r) => r[4]));
      const cut = last - 2 * DAY;
      expect(split.train.times.every((t) => t <= cut)).toBe(true);
      expect(split.test.times.every((t) => t > cut && t <= last)).toBe(true);
      for (const s of both(split))
        for (let r = 1; r < s.size; r++) expect(s.times[r]).toBeGreaterThanOrEqual(s.times[r - 1]);
      expect(split.test.name).toBe('random_log test');

      const all = await rankingSamples(db, 'random_log', { negatives: 1 });
      const kept = await rankingSamples(db, 'random_log', { negatives: 1, maxSamples: 100 });
      expect(kept.train.size).toBe(100);
      expect(Array.from(kept.train.times)).toEqual(
        Array.from(all.train.times.subarray(all.train.size - 100)),
      );
      expect(Array.from(kept.train.items)).toEqual(
        Array.from(all.train.items.subarray(all.train.size - 100)),
      );
      expect(kept.test.size).toBe(all.test.size);
      expect(kept.description).toMatch(
        new RegExp(`the latest 100 of ${all.train.size.toLocaleString('en-US')}: maxSamples`),
      );
    },
  );

  it('leaves out users without clicks and says so; reads user and item features from tables', async () => {
    await logTable('no_clicks', [
      [1, 10, 1, 'pv', T0],
      [1, 11, 2, 'buy', T0 + 5],
      [1, 11, 2, 'pv', T0 + 2 * DAY],
      [2, 10, 1, 'cart', T0],
      [2, 11, 2, 'buy', T0 + 1],
    ]);
    await db.run(
      `CREATE OR REPLACE TABLE people AS
       SELECT * FROM (VALUES (1, 'F', 'books|games'), (3, 'M', 'tools')) t("user", gender, interests)`,
    );
    await db.run(
      `CREATE OR REPLACE TABLE goods AS SELECT * FROM (VALUES (10, 2.5), (11, 7.0)) t(item, price)`,
    );
    const split = await rankingSamples(db, 'no_clicks', {
      userTable: { table: 'people', separators: { interests: '|' } },
      itemTable: { table: 'goods', numeric: ['price'] },
    });
    const v = split.train.vocabulary;
    expect(v.users).toEqual(['1']);
    expect(split.description).toMatch(
      /Left out: 1 user without clicks \(no pv, so no sample\), with their 2 behaviours/,
    );
    expect(v.userFeatures.decode('interests', 0)).toEqual(['books', 'games']);
    expect(v.userFeatures.decode('gender', 0)).toEqual(['F']);
    expect(v.itemFeatures.group('price').values![1]).toBe(7);
    expect(split.description).toMatch(/User features: gender, interests/);
    // Without feature tables the sets are empty, one row per user or item.
    const plain = await rankingSamples(db, 'no_clicks');
    expect([
      plain.train.vocabulary.userFeatures.groups.length,
      plain.train.vocabulary.itemFeatures.numRows,
    ]).toEqual([0, 2]);
  });

  it('says what is wrong with bad input, and leaves no table behind', async () => {
    const before = await tables();
    await logTable('odd_behaviours', [
      [1, 10, 1, 'pv', T0],
      [1, 10, 1, 'click', T0],
      [1, 10, 1, 'click', T0 + 1],
      [2, 10, 1, 'like', T0],
    ]);
    await expect(rankingSamples(db, 'odd_behaviours')).rejects.toThrow(
      /table "odd_behaviours" has behaviours other than pv, cart, fav, buy: "click" \(2 rows\), "like" \(1 row\)\. Map them/,
    );
    await db.run(
      `CREATE OR REPLACE TABLE no_time AS SELECT 1 AS "user", 2 AS item, 3 AS category, 'pv' AS behaviour`,
    );
    await expect(rankingSamples(db, 'no_time')).rejects.toThrow(
      /table "no_time" has no column "timestamp"; its columns are user, item, category, behaviour\. A behaviour log has user, item, category, behaviour, timestamp/,
    );
    await expect(rankingSamples(db, 'nowhere')).rejects.toThrow(
      /no table or view "nowhere" in the database; there are .*labels/,
    );
    await db.run(
      `CREATE OR REPLACE TABLE holes AS
       SELECT * FROM (VALUES (1, 10, 1, 'pv', ${T0}), (NULL, 10, 1, 'pv', ${T0}))
         t("user", item, category, behaviour, "timestamp")`,
    );
    await expect(rankingSamples(db, 'holes')).rejects.toThrow(/missing values: 1 in "user"/);
    await db.run(
      `CREATE OR REPLACE TABLE text_time AS
       SELECT 1 AS "user", 2 AS item, 3 AS category, 'pv' AS behaviour, 'noon' AS "timestamp"`,
    );
    await expect(rankingSamples(db, 'text_time')).rejects.toThrow(
      /column "timestamp" of "text_time" is VARCHAR; it must hold seconds/,
    );
    for (const negatives of [-1, 1.5, '2' as unknown as number]) {
      await expect(rankingSamples(db, 'labels', { negatives })).rejects.toThrow(
        /negatives must be a whole number of at least 0; got/,
      );
    }
    await expect(rankingSamples(db, 'labels', { history: 50 } as object)).rejects.toThrow(
      /"history" is not an option here: every sample keeps its whole history/,
    );
    await expect(rankingSamples(db, 'labels', { negative: 2 } as object)).rejects.toThrow(
      /unknown option "negative"; did you mean "negatives"\?/,
    );
    await expect(rankingSamples(db, 'labels', { testDays: 0 })).rejects.toThrow(
      /testDays must be a number of days above 0/,
    );
    await expect(rankingSamples(db, 'labels', { maxSamples: 0 })).rejects.toThrow(
      /maxSamples must be a whole number of at least 1/,
    );
    // Failures after the temporary tables were made: no pv at all, nothing before the test days, no click in them.
    await logTable('only_buys', [[1, 10, 1, 'buy', T0]]);
    await expect(rankingSamples(db, 'only_buys')).rejects.toThrow(
      /has no pv \(click\) behaviour, so no sample/,
    );
    await logTable('one_day', [
      [1, 10, 1, 'pv', T0],
      [1, 11, 1, 'pv', T0 + 60],
    ]);
    await expect(rankingSamples(db, 'one_day')).rejects.toThrow(
      /every sample of "one_day" lies in its last 1 day .* so the training set would be empty\. Give a smaller testDays/,
    );
    await logTable('ends_in_buys', [
      [1, 10, 1, 'pv', T0],
      [1, 10, 1, 'buy', T0 + 3 * DAY],
    ]);
    await expect(rankingSamples(db, 'ends_in_buys')).rejects.toThrow(
      /no click in the last 1 day of "ends_in_buys" .* the test set would be empty/,
    );
    await expect(
      rankingSamples(db, 'labels', { userTable: { table: 'people', columns: ['age'] } }),
    ).rejects.toThrow(/userTable "people" has no column "age"; its columns are user, gender, interests/);
    const added = ['odd_behaviours', 'no_time', 'holes', 'text_time', 'only_buys', 'one_day', 'ends_in_buys'];
    expect(await tables()).toEqual([...before, ...added].sort());
    expect((await db.query(`SELECT count(*) AS n FROM duckdb_tables() WHERE temporary`)).value('n', 0)).toBe(
      0,
    );
  });

  it('reads a TIMESTAMP column as seconds, and a view as a table', async () => {
    await db.run(
      `CREATE OR REPLACE TABLE stamped AS
       SELECT "user", item, category, behaviour, to_timestamp("timestamp") AS "timestamp" FROM labels`,
    );
    const split = await rankingSamples(db, 'stamped', { negatives: 0 });
    const plain = await rankingSamples(db, 'labels', { negatives: 0 });
    expect(Array.from(split.train.times)).toEqual(Array.from(plain.train.times));
    await db.run(`CREATE OR REPLACE VIEW shuffled AS SELECT * FROM random_log WHERE behaviour <> 'fav'`);
    const viewed = await rankingSamples(db, 'shuffled', { seed: 1 });
    expect(viewed.train.log.behaviours.includes(BEHAVIOURS.indexOf('fav'))).toBe(false);
    expect(viewed.description).not.toMatch(/not in time order/);
  });
});

describe('importTaobao with skipMalformed', () => {
  const file = () => path.join(dir, 'UserBehavior.csv');

  it('fails on a truncated line by default, and skips it (saying which) when asked', async () => {
    const good = [
      '1,2268318,2520377,pv,1511544070',
      '1,2333346,2520771,buy,1511561733',
      '2,2268318,2520377,cart,1511572885',
    ];
    writeFileSync(
      file(),
      [...good.slice(0, 2), '3,5,6,clik,1511572885', good[2], '2,2268318,25203'].join('\n'),
    );
    await expect(importTaobao(db, file(), { table: 'tb' })).rejects.toThrow(
      /UserBehavior\.csv, line 5: expected 5 fields separated by "," \(user, item, category, behaviour, timestamp\), found 3; found "2,2268318,25203"/,
    );
    expect(await tables()).not.toContain('tb');
    // A behaviour that is none of the four is a malformed line too.
    writeFileSync(path.join(dir, 'odd.csv'), `${good[0]}\n3,5,6,clik,1511572885\n`);
    await expect(importTaobao(db, path.join(dir, 'odd.csv'), { table: 'tb' })).rejects.toThrow(
      /odd\.csv, line 2: expected behaviour to be one of pv, buy, cart, fav, not "clik"/,
    );

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const data = await importTaobao(db, file(), { table: 'tb', skipMalformed: true });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^importTaobao: Skipped 2 malformed lines/));
    warn.mockRestore();
    expect(data.interactions.numRows).toBe(3);
    expect(data.skipped).toMatchObject({ count: 2, lines: [3, 5] });
    expect(data.skipped!.examples).toEqual([
      {
        line: 3,
        text: '3,5,6,clik,1511572885',
        problem: 'behaviour to be one of pv, buy, cart, fav, not "clik"',
      },
      {
        line: 5,
        text: '2,2268318,25203',
        problem: '5 fields separated by "," (user, item, category, behaviour, timestamp), found 3',
      },
    ]);
    expect(data.skipped!.message).toMatch(
      /^Skipped 2 malformed lines of UserBehavior\.csv \(lines 3, 5\): line 3 "3,5,6,clik,1511572885": expected behaviour/,
    );
    // The table is what a strict import of the good lines gives, behaviour as text; no rejects table is left.
    expect((await db.query('SELECT behaviour FROM tb ORDER BY "timestamp"')).column('behaviour')).toEqual([
      'pv',
      'buy',
      'cart',
    ]);
    expect((await db.query(`SELECT count(*) AS n FROM duckdb_tables() WHERE temporary`)).value('n', 0)).toBe(
      0,
    );
  });

  it('says no line was skipped in a clean file, and fails when nothing but malformed lines is left', async () => {
    writeFileSync(file(), '1,2268318,2520377,pv,1511544070\n');
    expect(
      (await importTaobao(db, file(), { table: 'tb_clean', skipMalformed: true })).skipped,
    ).toMatchObject({ count: 0, lines: [] });
    writeFileSync(file(), 'user;item\n1;2\n');
    const error = await importTaobao(db, file(), { table: 'tb_bad', skipMalformed: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as Error).message).toMatch(
      /line 1: expected lines of 5 fields .* but nothing is left once its 2 malformed lines are skipped/,
    );
    expect(await tables()).not.toContain('tb_bad');
  });
});
