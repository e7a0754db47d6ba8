import { describe, expect, it } from 'vitest';
import { Table } from '../src/data';
import {
  Dataset,
  FeatureSet,
  ItemCF,
  MostPopular,
  Recommendations,
  topK,
  closestNames,
  TrainingContext,
  setTrainingHost,
  FitCancelledError,
} from '../src/recsys';
import { expectReloadsIdentically } from './helpers/reload';

function small(): Dataset {
  // ann: a, b; bob: a, c, a (again); cat: b; item d seen by nobody but cat's later rating.
  return Dataset.fromInteractions({
    user: ['ann', 'ann', 'bob', 'bob', 'bob', 'cat', 'cat'],
    item: ['a', 'b', 'a', 'c', 'a', 'b', 'd'],
    rating: [5, 3, 4, 2, 5, 1, 4],
    timestamp: [1, 2, 3, 4, 5, 6, 7],
  }).withItems(['Alpha', 'Beta', 'Gamma', 'Delta']);
}

describe('Dataset', () => {
  it('indexes users and items by name and builds both CSR views, merging duplicates', () => {
    const d = small();
    expect([d.numUsers, d.numItems, d.numInteractions]).toEqual([3, 4, 7]);
    expect(d.userIndex('bob')).toBe(1);
    const { indptr, indices, data } = d.byUser;
    expect(Array.from(indptr)).toEqual([0, 2, 4, 6]);
    expect(Array.from(indices.subarray(2, 4))).toEqual([0, 2]);
    expect(data[2]).toBe(5); // bob rated a 4, then 5: the larger is kept
    expect(Array.from(d.byItem.indptr)).toEqual([0, 2, 4, 5, 6]);
    expect(Array.from(d.itemCounts())).toEqual([2, 2, 1, 1]);
  });

  it('finds numeric ids typed as text and names the closest users of an unknown one', () => {
    const d = Dataset.fromInteractions({ user: [17, 18, 170], item: [1, 2, 3] });
    expect(d.userIndex('170')).toBe(2);
    expect(() => small().userIndex('bobb')).toThrow(/Unknown user "bobb".*Closest user names: "bob"/);
    expect(closestNames('an', ['bob', 'ann', 'dan'], 2)).toEqual(['ann', 'dan']);
  });

  it('refuses rows without a rating or a time, naming the row', () => {
    expect(() =>
      Dataset.fromInteractions({ user: ['a', 'b'], item: ['x', 'y'], rating: [4, Number.NaN] }),
    ).toThrow(/row 2 \(user b, item y\) has no rating/);
    expect(() => Dataset.fromInteractions({ user: ['a'], item: ['x'], timestamp: [Number.NaN] })).toThrow(
      /row 1 .* has no timestamp/,
    );
  });

  it('encodes features: indexed, hashed, multi-valued padded to the longest', () => {
    const f = FeatureSet.encode(3, [
      { name: 'genres', values: ['Drama|Comedy', 'Drama', null], separator: '|' },
      { name: 'city', values: ['x', 'y', 'x'], hashBuckets: 8 },
    ]);
    const g = f.group('genres');
    expect(g.width).toBe(2);
    expect(g.vocabulary).toEqual(['Comedy', 'Drama']);
    expect(Array.from(g.ids)).toEqual([2, 1, 2, 0, 0, 0]);
    expect(f.decode('genres', 0)).toEqual(['Drama', 'Comedy']);
    const c = f.group('city');
    expect(c.ids[0]).toBe(c.ids[2]);
    expect(c.cardinality).toBe(9);
    expect(Math.max(...c.ids)).toBeLessThan(9);
  });
});

describe('topK', () => {
  it('returns the k best, ties to the lower index, skipping excluded items', () => {
    const scores = Float32Array.from([0.5, 0.9, -Infinity, 0.9, 0.1, 0.7]);
    const items = new Int32Array(4);
    const out = new Float32Array(4);
    expect(topK(scores, 4, items, out)).toBe(4);
    expect(Array.from(items)).toEqual([1, 3, 5, 0]);
    expect(topK(Float32Array.from([1, -Infinity]), 4, items, out)).toBe(1);
    expect(Array.from(items)).toEqual([0, -1, -1, -1]);
  });
});

describe('Model base, through MostPopular', () => {
  it('recommends by name as a table with titles, scores and reasons, excluding seen items', async () => {
    const m = new MostPopular();
    await m.fit(small());
    const r = m.recommend('cat', { k: 5 });
    expect(r).toBeInstanceOf(Recommendations);
    expect(r.columnNames).toEqual(['rank', 'item', 'title', 'score', 'reason']);
    expect(r.column('item')).toEqual(['a', 'c']);
    expect(r.value('reason', 0)).toBe('popular: 2 users');
    expect(r.history.column('item')).toEqual(['d', 'b']); // most recent first
    const all = m.recommend('cat', { k: 2, excludeSeen: false });
    expect(all.column('item')).toEqual(['a', 'b']);
    expect(() => m.recommend('catt')).toThrow(/Closest user names: "cat"/);
  });

  it('recommends in batches the same lists', async () => {
    const m = new MostPopular();
    await m.fit(small());
    const b = m.recommendBatch(['ann', 'cat'], { k: 2 });
    expect(Array.from(b.items)).toEqual([2, 3, 0, 2]);
  });

  it('saves and loads, by class and through the registry', async () => {
    const m = new MostPopular();
    await m.fit(small());
    for (const loaded of await expectReloadsIdentically(m, 'cat'))
      expect(loaded.train.itemTitle(0)).toBe('Alpha');
  });

  it('keeps the settings a fit was given and refuses unknown ones, naming the closest', async () => {
    const m = new ItemCF({ neighbours: 50 });
    await m.fit(small(), { neighbours: 3, binary: false, progress: false });
    expect(m.config).toMatchObject({ neighbours: 3, binary: false });
    await expect(m.fit(small(), { neighbors: 3 })).rejects.toThrow(
      /ItemCF\.fit: no setting "neighbors"; did you mean "neighbours"\? Its settings are neighbours, shrink, seeds, binary, cut \(and onEpoch, signal, progress, resume, sample\)/,
    );
  });

  it('is refused before fit', () => {
    expect(() => new MostPopular().recommend('ann')).toThrow(/not fitted/);
  });
});

describe('TrainingContext', () => {
  it('records epochs into a history table and reports them', async () => {
    const seen: number[] = [];
    const ctx = new TrainingContext('M', { onEpoch: (e) => seen.push(e.loss) });
    ctx.begin(2);
    await ctx.epoch(0.5, { recall: 0.1 });
    await ctx.epoch(0.25, { recall: 0.2 });
    const h = ctx.finish();
    expect(seen).toEqual([0.5, 0.25]);
    expect(h.table).toBeInstanceOf(Table);
    expect(Array.from(h.table.column('recall') as Float64Array)).toEqual([0.1, 0.2]);
  });

  it('stops on an aborted signal and on the host saying so', async () => {
    const abort = new AbortController();
    const ctx = new TrainingContext('M', { signal: abort.signal });
    abort.abort();
    await expect(ctx.step()).rejects.toBeInstanceOf(FitCancelledError);
    const ticks: number[] = [];
    setTrainingHost({
      progress: () => ({ tick: (n = 1) => ticks.push(n), done() {} }),
      check: () => {
        if (ticks.length >= 2) throw new Error('stop');
      },
      show: () => ({ update() {} }),
    });
    try {
      const c = new TrainingContext('M');
      c.begin(5);
      await c.step();
      await expect(c.step()).rejects.toThrow('stop');
    } finally {
      setTrainingHost(null);
    }
  });
});

describe('FeatureSet at scale', () => {
  it('encodes a million rows', () => {
    const n = 1_000_000;
    const f = FeatureSet.encode(n, [
      { name: 'category', values: Array.from({ length: n }, (_, i) => i % 7) },
    ]);
    expect(f.group('category').cardinality).toBe(8);
  });
});
