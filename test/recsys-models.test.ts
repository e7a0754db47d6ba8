import { describe, expect, it } from 'vitest';
import { Database } from '../src/data';
import { Dataset, EASE, ItemCF, MODELS, UserCF, invertSpd } from '../src/recsys';
import { expectReloadsIdentically } from './helpers/reload';

// u1: A B C, u2: A B, u3: B C D, u4: D
function data(): Dataset {
  const pairs = [
    ['u1', 'A'],
    ['u1', 'B'],
    ['u1', 'C'],
    ['u2', 'A'],
    ['u2', 'B'],
    ['u3', 'B'],
    ['u3', 'C'],
    ['u3', 'D'],
    ['u4', 'D'],
  ];
  return Dataset.fromInteractions({ user: pairs.map((p) => p[0]), item: pairs.map((p) => p[1]) });
}

describe('ItemCF', () => {
  it('takes a user’s most recent items as seeds when it keeps a few', async () => {
    const d = Dataset.fromInteractions({
      user: ['a', 'a', 'b', 'b', 'c', 'c'],
      item: ['x', 'y', 'x', 'p', 'y', 'q'],
      timestamp: [10, 20, 1, 2, 3, 4],
    });
    const m = new ItemCF({ seeds: 1, shrink: 0 });
    await m.fit(d);
    // a's latest item is y, whose only neighbour beside x is q.
    expect(m.recommend('a', { k: 1 }).column('item')).toEqual(['q']);
    expect(m.history('a').column('item')).toEqual(['y', 'x']);
  });

  it('keeps similarities finite and never lists an item as its own neighbour, whatever the values', async () => {
    // Zeros and values that cancel: sums of 0 that must not be mistaken for "not reached".
    const d = Dataset.fromInteractions({
      user: ['a', 'a', 'a', 'b', 'b', 'c', 'c'],
      item: ['x', 'y', 'w', 'x', 'y', 'x', 'z'],
      rating: [0, 0, 0, 1, -1, 0, 1],
    });
    const m = new ItemCF({ binary: false, shrink: 0 });
    await m.fit(d);
    const table = m.tables().item_similarity;
    const pairs = table.rows().map((r) => `${r.item}→${r.similar_item}`);
    expect(new Set(pairs).size, pairs.join(' ')).toBe(pairs.length);
    for (const r of table.rows()) {
      expect(r.item).not.toBe(r.similar_item);
      expect(Number.isFinite(r.similarity as number), `${r.item}→${r.similar_item}`).toBe(true);
    }
  });

  it('computes shrunk cosine similarities and recalls through the neighbours, with reasons and tables', async () => {
    const m = new ItemCF({ shrink: 1 });
    await m.fit(data());
    // A: {u1,u2}, B: {u1,u2,u3}: 2 common users / (sqrt(2·3) + 1).
    const sim = m.similarItems('A', 3);
    expect(sim.value('item', 0)).toBe('B');
    expect(sim.value('similarity', 0)).toBeCloseTo(2 / (Math.sqrt(6) + 1), 6);
    // D shares no user with A: it is not listed, even with room for it.
    expect(sim.numRows).toBe(2);
    expect(sim.column('item')).not.toContain('D');
    // u2 has A, B: C is reached through both (A–C: 1 common, B–C: 2 common), D only through B.
    const r = m.recommend('u2', { k: 2 });
    expect(r.column('item')).toEqual(['C', 'D']);
    const c = (a: number, b: number, n: number) => n / (Math.sqrt(a * b) + 1);
    expect(r.value('score', 0)).toBeCloseTo(c(2, 2, 1) + c(3, 2, 2), 5);
    expect(r.value('reason', 0)).toBe('because of B; A');
    const db = await Database.open();
    try {
      expect(await m.registerTables(db)).toEqual(['itemcf_user_interest', 'itemcf_item_similarity']);
      // Per target, the rows adding to D are D's own neighbours, ranked in D's list.
      const t = await db.query(
        "SELECT item FROM itemcf_item_similarity WHERE similar_item = 'D' ORDER BY rank",
      );
      expect(t.column('item')).toEqual(['C', 'B']);
      expect((await db.query('SELECT count(*) AS n FROM itemcf_user_interest')).value('n', 0)).toBe(9);
    } finally {
      db.close();
    }
  });

  it('keeps only the user’s top-n seeds when asked', async () => {
    const d = Dataset.fromInteractions({
      user: ['a', 'a', 'b', 'b', 'c', 'c'],
      item: ['x', 'y', 'x', 'p', 'y', 'q'],
      rating: [5, 1, 5, 5, 5, 5],
    });
    const m = new ItemCF({ seeds: 1, binary: false });
    await m.fit(d);
    // a's top seed is x (rated 5): p (x's neighbour) is reached, q (only y's) is not.
    expect(m.recommend('a', { k: 1 }).column('item')).toEqual(['p']);
    expect(m.recommend('a').column('item')).not.toContain('q');
  });
});

describe('UserCF', () => {
  it('recommends what similar users have, naming them', async () => {
    const m = new UserCF({ shrink: 0 });
    await m.fit(data());
    const r = m.recommend('u2', { k: 1 });
    expect(r.column('item')).toEqual(['C']);
    expect(r.value('reason', 0)).toBe('liked by similar users u1, u3');
    expect(m.tables().user_similarity.numRows).toBeGreaterThan(0);
  });

  it('recommends only items its similar users reached, fewer than k when that is all', async () => {
    // Two groups with no item in common: a's neighbours are b only, so y is the one item reached.
    const d = Dataset.fromInteractions({
      user: ['a', 'b', 'b', 'c', 'c', 'd'],
      item: ['x', 'x', 'y', 'p', 'q', 'p'],
    });
    const m = new UserCF({ shrink: 0 });
    await m.fit(d);
    const r = m.recommend('a', { k: 3 });
    expect(r.numRows).toBe(1);
    expect(r.column('item')).toEqual(['y']);
  });
});

describe('EASE', () => {
  it('inverts SPD matrices: G · G⁻¹ = I', async () => {
    const m = 37;
    const g = new Float64Array(m * m);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) g[i * m + j] = (i === j ? m : 0) + Math.cos(i - j);
    const p = await invertSpd(g.slice(), m);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let k = 0; k < m; k++) s += g[i * m + k] * p[k * m + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
  });

  it('matches the closed form B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹', async () => {
    const d = data();
    const m = new EASE({ lambda: 1 });
    await m.fit(d);
    const n = d.numItems;
    const g = new Float64Array(n * n);
    for (let u = 0; u < d.numUsers; u++) {
      const items = Array.from(d.byUser.indices.subarray(d.byUser.indptr[u], d.byUser.indptr[u + 1]));
      for (const a of items) for (const b of items) g[a * n + b]++;
    }
    for (let i = 0; i < n; i++) g[i * n + i] += 1;
    const p = await invertSpd(g, n);
    const b = (i: number, j: number) => (i === j ? 0 : -p[i * n + j] / p[j * n + j]);
    // u2 has 2 of 4 items (scores summed over them); u1 has 3 (over the one it lacks, subtracted from all rows' sum).
    for (const [user, items] of [
      ['u2', ['A', 'B']],
      ['u1', ['A', 'B', 'C']],
    ] as const) {
      const r = m.recommend(user, { k: 2, excludeSeen: false });
      for (let row = 0; row < r.numRows; row++) {
        const j = d.itemIndex(r.value('item', row) as string);
        expect(r.value('score', row)).toBeCloseTo(
          items.reduce((s, i) => s + b(d.itemIndex(i), j), 0),
          5,
        );
      }
    }
  });

  it('restricts a large catalogue to the most frequent items and says so', async () => {
    const m = new EASE({ lambda: 1, maxItems: 2 });
    await m.fit(data());
    // B has 3 interactions, A, C and D 2 each: exactly two are kept, the tie going to the first seen.
    expect(m.note).toBe(
      'EASE models 2 of the 4 items, the 2 most frequent (at least 2 interactions each; maxItems is 2); ' +
        'the others are never recommended.',
    );
    expect(m.recommend('u4').column('item')).toEqual(['A', 'B']);
    // The cap does not leak into the next fit's settings.
    await m.fit(data(), { maxItems: 10 });
    expect(m.note).toBe('');
  });

  it('saves and loads every registered model with identical recommendations', async () => {
    for (const [name, make] of Object.entries(MODELS)) {
      const model = make();
      if (!['MostPopular', 'ItemCF', 'UserCF', 'EASE'].includes(name)) continue;
      await model.fit(data());
      // MostPopular and UserCF have no notion of item similarity.
      await expectReloadsIdentically(model, 'u2', ['ItemCF', 'EASE'].includes(name) ? 'A' : undefined);
    }
  });
});
