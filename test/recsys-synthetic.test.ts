import { describe, expect, it } from 'vitest';
import { Database } from '../src/data';
import { Dataset, ItemCF, MostPopular, evaluate, importSynthetic, leaveLastOut, synthetic } from '../src/recsys';

describe('synthetic data', () => {
  const d = synthetic({ users: 300, items: 200, seed: 5 });

  it('is reproducible by seed', () => {
    const again = synthetic({ users: 300, items: 200, seed: 5 });
    expect(again.userNames).toEqual(d.userNames);
    expect(Array.from(again.items)).toEqual(Array.from(d.items));
    expect(Array.from(again.values)).toEqual(Array.from(d.values));
    expect(Array.from(synthetic({ users: 300, items: 200, seed: 6 }).items.subarray(0, 50))).not.toEqual(Array.from(d.items.subarray(0, 50)));
  });

  it('has user profiles, item genres and titles, by name', () => {
    const u = d.userIndex(d.userNames[0]);
    expect(d.userFeatures.decode('interests', u).length).toBeGreaterThan(0);
    expect(['F', 'M']).toContain(d.userFeatures.decode('gender', u)[0]);
    expect(d.userFeatures.group('occupation').cardinality).toBeGreaterThan(5);
    expect(d.itemFeatures.group('genres').width).toBe(3);
    expect(new Set(d.itemTitles).size).toBe(d.numItems);
  });

  it('has a long tail: the top tenth of items holds far more than a tenth of the interactions', () => {
    const counts = Array.from(d.itemCounts()).sort((a, b) => b - a);
    const top = counts.slice(0, counts.length / 10).reduce((a, b) => a + b, 0);
    expect(top / d.numInteractions).toBeGreaterThan(0.25);
  });

  it('has ratings spread around each user’s mean, 1 to 5', () => {
    const values = Array.from(d.values);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...values)).toBeLessThanOrEqual(5);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    expect(mean).toBeGreaterThan(3);
    expect(mean).toBeLessThan(4.2);
    expect(sd).toBeGreaterThan(0.6);
  });

  it('orders each user’s events in time, with consecutive items sharing genres more often than chance', () => {
    const genres = d.itemFeatures.group('genres');
    const share = (a: number, b: number) => {
      const ga = Array.from(genres.ids.subarray(a * genres.width, (a + 1) * genres.width)).filter((g) => g > 0);
      return Array.from(genres.ids.subarray(b * genres.width, (b + 1) * genres.width)).some((g) => g > 0 && ga.includes(g));
    };
    let consecutive = 0;
    let pairs = 0;
    let random = 0;
    for (let r = 1; r < d.numInteractions; r++) {
      if (d.users[r] !== d.users[r - 1]) continue;
      expect(d.timestamps![r]).toBeGreaterThan(d.timestamps![r - 1]);
      pairs++;
      if (share(d.items[r], d.items[r - 1])) consecutive++;
      if (share(d.items[r], d.items[(r * 7919) % d.numInteractions])) random++;
    }
    expect(consecutive / pairs).toBeGreaterThan((random / pairs) * 1.1);
  });

  it('is learnable at its default size: ItemCF clearly beats popularity', async () => {
    const e = await evaluate([new MostPopular(), new ItemCF()], leaveLastOut(synthetic()), { k: [10] });
    const recall = e.column('Recall@10') as Float64Array;
    expect(recall[1]).toBeGreaterThan(recall[0] * 2);
  });
});

describe('the synthetic sample in DuckDB', () => {
  it('lands in tables named as the MovieLens importer names them, and gives the same data back', async () => {
    const db = await Database.open();
    try {
      const data = await importSynthetic(db, { users: 200, items: 150, seed: 5 });
      expect(data.tables).toEqual(['ml_ratings', 'ml_movies', 'ml_users']);
      const expected = synthetic({ users: 200, items: 150, seed: 5 });
      const counts = (await db.query('SELECT count(*) AS n, count(DISTINCT "user") AS users, min(rating) AS lo, max(rating) AS hi FROM ml_ratings')).rows()[0];
      expect(counts).toEqual({ n: expected.numInteractions, users: 200, lo: 1, hi: 5 });
      const genres = (await db.query("SELECT genres FROM ml_movies WHERE item = 'item001'")).rows()[0].genres as string;
      expect(genres.split('|').length).toBeGreaterThanOrEqual(1);
      const d = Dataset.fromData(data);
      expect([d.numUsers, d.numItems, d.numInteractions]).toEqual([expected.numUsers, expected.numItems, expected.numInteractions]);
      expect(d.itemTitle(d.itemIndex('item001'))).toBe(expected.itemTitle(expected.itemIndex('item001')));
    } finally {
      db.close();
    }
  });
});
