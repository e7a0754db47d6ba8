import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, importTaobao } from '../src/data';
import { importSyntheticBehaviour, syntheticBehaviour, type SyntheticBehaviour } from '../src/recsys';

function digest(d: SyntheticBehaviour): string {
  const hash = createHash('sha256');
  for (const a of [d.user, d.item, d.category, d.timestamp, d.items.category])
    hash.update(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  hash.update(d.behaviour.join(','));
  return hash.digest('hex');
}

/** Each user's rows: start positions, and n at the end (rows are sorted by user). */
function userStarts(d: SyntheticBehaviour): number[] {
  const starts: number[] = [];
  for (let r = 0; r < d.user.length; r++) if (r === 0 || d.user[r] !== d.user[r - 1]) starts.push(r);
  starts.push(d.user.length);
  return starts;
}

describe('synthetic behaviour log', () => {
  const d = syntheticBehaviour({ users: 1000, seed: 3 });
  const starts = userStarts(d);
  const count = (b: string) => d.behaviour.filter((x) => x === b).length;

  it('is reproducible by seed, and another seed gives another log', () => {
    expect(digest(syntheticBehaviour({ users: 1000, seed: 3 }))).toBe(digest(d));
    expect(digest(syntheticBehaviour({ users: 1000, seed: 4 }))).not.toBe(digest(d));
    expect(() => syntheticBehaviour({ items: 10, categories: 40 })).toThrow(
      /items must be a whole number ≥ categories \(40\), got 10/,
    );
  });

  it('has Taobao ids and sizes: users 1…n, items and categories from 1, about eventsPerUser behaviours each', () => {
    expect(starts.length - 1).toBe(1000);
    expect(d.user[0]).toBe(1);
    expect(d.user[d.user.length - 1]).toBe(1000);
    expect(d.user.length / 1000).toBeGreaterThan(50);
    expect(d.user.length / 1000).toBeLessThan(70);
    expect(Math.min(...d.item)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...d.item)).toBeLessThanOrEqual(3000);
    expect(new Set(d.category).size).toBe(40);
    // A row's category is its item's.
    for (let r = 0; r < d.item.length; r += 97) expect(d.category[r]).toBe(d.items.category[d.item[r] - 1]);
    expect(new Set(d.behaviour)).toEqual(new Set(['pv', 'cart', 'fav', 'buy']));
  });

  it('gives each user strictly increasing timestamps within the days from 2017-11-25', () => {
    const start = Date.UTC(2017, 10, 25) / 1000 - 8 * 3600; // 1511539200, UserBehavior's first second
    expect(d.truth.start).toBe(1511539200);
    expect(start).toBe(1511539200);
    let ordered = true;
    for (let k = 0; k + 1 < starts.length; k++) {
      for (let r = starts[k] + 1; r < starts[k + 1]; r++)
        if (!(d.timestamp[r] > d.timestamp[r - 1])) ordered = false;
      if (d.timestamp[starts[k]] < start || d.timestamp[starts[k + 1] - 1] >= start + 8 * 86400)
        ordered = false;
    }
    expect(ordered).toBe(true);
    expect(d.timestamp.every((t) => Number.isInteger(t))).toBe(true);
    const short = syntheticBehaviour({ users: 50, days: 1, seed: 1 });
    expect(Math.max(...short.timestamp)).toBeLessThan(start + 86400);
  });

  it('has a sparse funnel: about 1 % of pvs end in a buy, carts between buys and pvs', () => {
    const [pv, cart, fav, buy] = ['pv', 'cart', 'fav', 'buy'].map(count);
    expect(buy / pv).toBeGreaterThan(0.005);
    expect(buy / pv).toBeLessThan(0.02);
    expect(cart).toBeGreaterThan(3 * buy);
    expect(cart).toBeLessThan(pv / 10);
    expect(fav).toBeGreaterThan(buy);
    // As a ranker's pv samples see it: a pv's buy label is a later buy of that item by that user.
    let labelled = 0;
    for (let k = 0; k + 1 < starts.length; k++) {
      const boughtAt = new Map<number, number>();
      for (let r = starts[k]; r < starts[k + 1]; r++)
        if (d.behaviour[r] === 'buy') boughtAt.set(d.item[r], r);
      for (let r = starts[k]; r < starts[k + 1]; r++)
        if (d.behaviour[r] === 'pv' && (boughtAt.get(d.item[r]) ?? -1) > r) labelled++;
    }
    expect(labelled / pv).toBeGreaterThan(0.005);
    expect(labelled / pv).toBeLessThan(0.02);
  });

  it(
    'drifts: a user’s categories in the first third of their log differ from the last third, ' +
      'as the truth says',
    () => {
      const C = 40;
      let tv = 0;
      let fadingFirst = 0;
      let fadingLast = 0;
      let growingFirst = 0;
      let growingLast = 0;
      for (let k = 0; k + 1 < starts.length; k++) {
        const [a, b] = [starts[k], starts[k + 1]];
        const third = Math.floor((b - a) / 3);
        const first = new Float64Array(C);
        const last = new Float64Array(C);
        for (let r = a; r < a + third; r++) first[d.category[r] - 1] += 1 / third;
        for (let r = b - third; r < b; r++) last[d.category[r] - 1] += 1 / third;
        for (let c = 0; c < C; c++) tv += Math.abs(first[c] - last[c]) / 2;
        const u = d.user[a] - 1;
        fadingFirst += first[d.truth.fading[u]];
        fadingLast += last[d.truth.fading[u]];
        growingFirst += first[d.truth.growing[u]];
        growingLast += last[d.truth.growing[u]];
      }
      const users = starts.length - 1;
      expect(tv / users).toBeGreaterThan(0.3);
      expect(fadingFirst / users).toBeGreaterThan(2 * (fadingLast / users));
      expect(growingLast / users).toBeGreaterThan(4 * (growingFirst / users));
      // The growing interest is the fading one's successor, and the truth's interest follows the shift.
      expect(d.truth.growing[7]).toBe(d.truth.categorySuccessor[d.truth.fading[7]]);
      const before = d.truth.interest(7, d.truth.start);
      const after = d.truth.interest(7, d.truth.start + d.truth.span - 1);
      expect(before[d.truth.fading[7]]).toBeGreaterThan(after[d.truth.fading[7]]);
      expect(after[d.truth.growing[7]]).toBeGreaterThan(before[d.truth.growing[7]]);
      expect(before.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 9);
    },
  );

  it('clicks follow the recent behaviours in the target’s category, and bundle partners', () => {
    const share = new Float64Array(40);
    for (const c of d.items.category) share[c - 1] += 1 / d.items.category.length;
    const bundleSize = new Int32Array(d.items.item.length);
    for (const b of d.truth.itemBundle) bundleSize[b]++;
    let pvs = 0;
    let inRecent = 0;
    let chance = 0;
    let partner = 0;
    let partnerChance = 0;
    for (let k = 0; k + 1 < starts.length; k++) {
      for (let r = starts[k] + 1; r < starts[k + 1]; r++) {
        if (d.behaviour[r] !== 'pv') continue;
        const categories = new Set<number>();
        const items = new Set<number>();
        for (let q = Math.max(starts[k], r - 10); q < r; q++) {
          categories.add(d.category[q]);
          items.add(d.item[q] - 1);
        }
        pvs++;
        if (categories.has(d.category[r])) inRecent++;
        for (const c of categories) chance += share[c - 1];
        const bundle = d.truth.itemBundle[d.item[r] - 1];
        if ([...items].some((i) => i !== d.item[r] - 1 && d.truth.itemBundle[i] === bundle)) partner++;
        for (const i of items) partnerChance += (bundleSize[d.truth.itemBundle[i]] - 1) / d.items.item.length;
      }
    }
    expect(inRecent / pvs).toBeGreaterThan(0.8);
    expect(chance / pvs).toBeLessThan(0.1);
    expect(partner / pvs).toBeGreaterThan(0.25);
    expect(partnerChance / pvs).toBeLessThan(0.02);
  });
});

describe('importSyntheticBehaviour', () => {
  let db: Database;
  let dir: string;
  beforeAll(async () => {
    db = await Database.open();
    dir = mkdtempSync(path.join(tmpdir(), 'reclab-behaviour-'));
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const columns = async (table: string) =>
    (
      await db.query(
        `SELECT column_name, data_type FROM information_schema.columns
         WHERE table_name = '${table}' ORDER BY ordinal_position`,
      )
    ).rows();

  it('makes the tables importTaobao makes, with its column names and types', async () => {
    writeFileSync(
      path.join(dir, 'UserBehavior.csv'),
      '1,2268318,2520377,pv,1511544070\n1,2333346,2520771,buy,1511561733\n',
    );
    await importTaobao(db, path.join(dir, 'UserBehavior.csv'), { table: 'real' });
    const data = await importSyntheticBehaviour(db, { users: 100, seed: 9 });
    expect(data.tables).toEqual(['taobao', 'taobao_items']);
    expect(await columns('taobao')).toEqual(await columns('real'));
    expect(await columns('taobao_items')).toEqual(await columns('real_items'));
    expect((await columns('taobao')).map((c) => `${c.column_name} ${c.data_type}`)).toEqual([
      'user INTEGER',
      'item INTEGER',
      'category INTEGER',
      'behaviour VARCHAR',
      'timestamp BIGINT',
    ]);
    // The same rows as the generator's, and the items in the log with their categories.
    const log = syntheticBehaviour({ users: 100, seed: 9 });
    expect(data.interactions.numRows).toBe(log.user.length);
    const [summary] = (
      await db.query(
        "SELECT count(DISTINCT user) AS users, sum(CASE WHEN behaviour = 'buy' THEN 1 ELSE 0 END) AS buys, " +
          'min(timestamp) >= 1511539200 AS after FROM taobao',
      )
    ).rows();
    expect(summary).toEqual({
      users: 100,
      buys: log.behaviour.filter((b) => b === 'buy').length,
      after: true,
    });
    expect(data.items!.numRows).toBe(new Set(log.item).size);
    expect(data.truth.fading).toEqual(log.truth.fading);
  });

  it('takes a table name and a behaviour filter as importTaobao does', async () => {
    const data = await importSyntheticBehaviour(db, {
      table: 'sample',
      users: 50,
      behaviours: ['pv', 'buy'],
    });
    expect(data.tables).toEqual(['sample', 'sample_items']);
    const kinds = (await db.query('SELECT DISTINCT behaviour FROM sample ORDER BY behaviour'))
      .rows()
      .map((r) => r.behaviour);
    expect(kinds).toEqual(['buy', 'pv']);
    expect(await columns('sample')).toEqual(await columns('real'));
    await expect(importSyntheticBehaviour(db, { behaviours: ['click' as 'pv'] })).rejects.toThrow(
      /unknown behaviour "click"/,
    );
  });
});
