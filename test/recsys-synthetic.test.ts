import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Database } from '../src/data';
import {
  Dataset,
  ItemCF,
  MostPopular,
  evaluate,
  importSynthetic,
  leaveLastOut,
  synthetic,
  type Split,
} from '../src/recsys';

/** The generated data, byte for byte: interactions in order and every name and title. */
function digest(d: Dataset): string {
  const hash = createHash('sha256');
  for (const a of [d.users, d.items, d.values, d.timestamps!])
    hash.update(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  hash.update(JSON.stringify([d.userNames, d.itemNames, d.itemTitles]));
  return hash.digest('hex');
}

/**
 * The simplest sequence model, as the "oracle" of the chains: each item's most frequent next
 * item in the training sequences, followed from the user's last training item past the items
 * they have seen. Its share of users whose test item it names (one guess each).
 */
function successorHitRate(split: Split): number {
  const { train, test } = split;
  const n = train.numItems;
  const transitions = new Map<number, number>();
  const { indptr, rows } = train.userRows;
  for (let u = 0; u < train.numUsers; u++) {
    // userRows is most recent first: p + 1 is the interaction before p.
    for (let p = indptr[u]; p + 1 < indptr[u + 1]; p++) {
      const key = train.items[rows[p + 1]] * n + train.items[rows[p]];
      transitions.set(key, (transitions.get(key) ?? 0) + 1);
    }
  }
  const next = new Int32Array(n).fill(-1);
  const nextCount = new Int32Array(n);
  for (const [key, count] of transitions) {
    const from = Math.floor(key / n);
    if (count <= nextCount[from]) continue;
    nextCount[from] = count;
    next[from] = key % n;
  }
  const seen = new Uint8Array(n);
  const testRows = test.userRows;
  let hits = 0;
  let users = 0;
  for (let u = 0; u < train.numUsers; u++) {
    if (testRows.indptr[u + 1] === testRows.indptr[u] || indptr[u + 1] === indptr[u]) continue;
    users++;
    seen.fill(0);
    for (let p = indptr[u]; p < indptr[u + 1]; p++) seen[train.items[rows[p]]] = 1;
    let guess = next[train.items[rows[indptr[u]]]];
    for (let steps = 0; guess >= 0 && seen[guess] && steps < n; steps++) guess = next[guess];
    if (guess === test.items[testRows.rows[testRows.indptr[u]]]) hits++;
  }
  return hits / users;
}

describe('synthetic data', () => {
  const d = synthetic({ users: 300, items: 200, seed: 5 });

  it('is reproducible by seed', () => {
    const again = synthetic({ users: 300, items: 200, seed: 5 });
    expect(again.userNames).toEqual(d.userNames);
    expect(Array.from(again.items)).toEqual(Array.from(d.items));
    expect(Array.from(again.values)).toEqual(Array.from(d.values));
    expect(Array.from(synthetic({ users: 300, items: 200, seed: 6 }).items.subarray(0, 50))).not.toEqual(
      Array.from(d.items.subarray(0, 50)),
    );
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
      const ga = Array.from(genres.ids.subarray(a * genres.width, (a + 1) * genres.width)).filter(
        (g) => g > 0,
      );
      return Array.from(genres.ids.subarray(b * genres.width, (b + 1) * genres.width)).some(
        (g) => g > 0 && ga.includes(g),
      );
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

  it('gives the same data as before the order option existed', () => {
    // Captured from the generator before `order` was added; notebooks and tests rest on these.
    expect(digest(d)).toBe('e0f344f5a24caf1dd917164ddbb3674538ea92b230fdf23cea59d04222568f8e');
    expect(Array.from(d.items.subarray(0, 8))).toEqual([164, 138, 185, 28, 157, 102, 125, 88]);
    const full = synthetic();
    expect(full.numInteractions).toBe(40726);
    expect(digest(full)).toBe('a9c668a7b1e0df6ac132e5008b78f771eeb1d9706b82100eba990531caac4490');
    expect(
      digest(synthetic({ users: 300, items: 200, seed: 5, order: 'similar', chainProbability: 0.3 })),
    ).toBe(digest(d));
  });

  it('is learnable at its default size: ItemCF clearly beats popularity', async () => {
    const e = await evaluate([new MostPopular(), new ItemCF()], leaveLastOut(synthetic()), { k: [10] });
    const recall = e.column('Recall@10') as Float64Array;
    expect(recall[1]).toBeGreaterThan(recall[0] * 2);
  });
});

describe('synthetic data ordered in chains', () => {
  const options = { users: 600, items: 400, order: 'chains' } as const;
  const d = synthetic(options);

  it('keeps the default order’s users and items, and orders each history strictly in time', () => {
    const plain = synthetic({ users: 600, items: 400 });
    expect(d.userNames).toEqual(plain.userNames);
    expect(d.itemTitles).toEqual(plain.itemTitles);
    expect(Array.from(d.items.subarray(0, 50))).not.toEqual(Array.from(plain.items.subarray(0, 50)));
    expect(d.name).toBe('synthetic (seed 42, chains)');
    let unordered = 0;
    for (let r = 1; r < d.numInteractions; r++)
      if (d.users[r] === d.users[r - 1] && !(d.timestamps![r] > d.timestamps![r - 1])) unordered++;
    expect(unordered).toBe(0);
    // byUser merges repeated items: as many entries as interactions means nobody saw an item twice.
    expect(d.byUser.indices.length).toBe(d.numInteractions);
  });

  it('a sequence model finds the next item from the last one; order-blind models cannot', async () => {
    const split = leaveLastOut(d);
    // Measured at seed 42: successor 0.73, ItemCF HitRate@10 0.35, MostPopular 0.08 (EASE 0.55).
    const oracle = successorHitRate(split);
    expect(oracle).toBeGreaterThanOrEqual(0.6);
    const e = await evaluate([new MostPopular(), new ItemCF()], split, { k: [10], progress: false });
    const [popular, itemcf] = e.column('HitRate@10') as Float64Array;
    expect(itemcf).toBeLessThanOrEqual(0.6 * oracle);
    expect(popular).toBeLessThanOrEqual(0.25 * oracle);
    // The default order has no chains to follow.
    expect(successorHitRate(leaveLastOut(synthetic({ users: 600, items: 400 })))).toBeLessThan(0.2);
  });

  it('follows the chain as often as chainProbability says', () => {
    const rates = [0.3, 0.95].map((chainProbability) =>
      successorHitRate(leaveLastOut(synthetic({ ...options, chainProbability }))),
    );
    expect(rates[0]).toBeLessThan(0.45);
    expect(rates[1]).toBeGreaterThan(0.8);
  });

  it('refuses an unknown order and a probability outside 0…1', () => {
    expect(() => synthetic({ order: 'chain' as 'chains' })).toThrow(
      /order must be 'similar' or 'chains', got "chain"/,
    );
    expect(() => synthetic({ order: 'chains', chainProbability: 1.5 })).toThrow(
      /chainProbability must be between 0 and 1/,
    );
  });
});

describe('the synthetic sample in DuckDB', () => {
  it('lands in tables named as the MovieLens importer names them, and gives the same data back', async () => {
    const db = await Database.open();
    try {
      const data = await importSynthetic(db, { users: 200, items: 150, seed: 5 });
      expect(data.tables).toEqual(['ml_ratings', 'ml_movies', 'ml_users']);
      const expected = synthetic({ users: 200, items: 150, seed: 5 });
      const counts = (
        await db.query(
          'SELECT count(*) AS n, count(DISTINCT "user") AS users, min(rating) AS lo, max(rating) AS hi FROM ml_ratings',
        )
      ).rows()[0];
      expect(counts).toEqual({ n: expected.numInteractions, users: 200, lo: 1, hi: 5 });
      const genres = (await db.query("SELECT genres FROM ml_movies WHERE item = 'item001'")).rows()[0]
        .genres as string;
      expect(genres.split('|').length).toBeGreaterThanOrEqual(1);
      const d = Dataset.fromData(data);
      expect([d.numUsers, d.numItems, d.numInteractions]).toEqual([
        expected.numUsers,
        expected.numItems,
        expected.numInteractions,
      ]);
      expect(d.itemTitle(d.itemIndex('item001'))).toBe(expected.itemTitle(expected.itemIndex('item001')));
    } finally {
      db.close();
    }
  });

  it('holds the chains when asked for them', async () => {
    const db = await Database.open();
    try {
      const data = await importSynthetic(db, { users: 200, items: 150, seed: 5, order: 'chains' });
      const expected = synthetic({ users: 200, items: 150, seed: 5, order: 'chains' });
      const d = Dataset.fromData(data);
      expect(d.name).toBe(expected.name);
      const sequence = (x: Dataset, user: string) => {
        const u = x.userIndex(user);
        const { indptr, rows } = x.userRows;
        return Array.from(rows.subarray(indptr[u], indptr[u + 1]), (r) => x.itemNames[x.items[r]]);
      };
      for (const user of expected.userNames.slice(0, 20))
        expect(sequence(d, user)).toEqual(sequence(expected, user));
      const first = expected.userNames[0];
      const rows = (
        await db.query(`SELECT item FROM ml_ratings WHERE "user" = '${first}' ORDER BY timestamp`)
      )
        .rows()
        .map((r) => r.item);
      expect(rows).toEqual(sequence(expected, first).reverse());
      expect(rows).not.toEqual(sequence(synthetic({ users: 200, items: 150, seed: 5 }), first).reverse());
    } finally {
      db.close();
    }
  });
});
