import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dataset, ItemCF, loadModel, type ItemCFConfig } from '../src/recsys';
import { expectReloadsIdentically } from './helpers/reload';

type Cut = ItemCFConfig['cut'];

/**
 * u has A and B. Own top 1: A → C (3 common users of 6 and 3), C → A, J → A (2 common),
 * B → J (1 common of 2 and 3). J keeps A, but A keeps C and B keeps J: per target J is
 * scored through A, per source through B.
 */
function asymmetric(): Dataset {
  const pairs = [
    ...['a1', 'a2', 'a3'].flatMap((u) => [
      [u, 'A'],
      [u, 'C'],
    ]),
    ...['j1', 'j2'].flatMap((u) => [
      [u, 'A'],
      [u, 'J'],
    ]),
    ['b1', 'B'],
    ['b1', 'J'],
    ['u', 'A'],
    ['u', 'B'],
  ];
  return Dataset.fromInteractions({ user: pairs.map((p) => p[0]), item: pairs.map((p) => p[1]) });
}

/** A seeded sample with a skewed catalogue, so that top-k lists are far from symmetric. */
function sample(): Dataset {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const user: string[] = [];
  const item: string[] = [];
  const rating: number[] = [];
  for (let u = 0; u < 40; u++) {
    const taken = new Set<number>();
    const n = 3 + Math.floor(next() * 6);
    while (taken.size < n) taken.add(Math.floor(25 * next() ** 2));
    for (const i of taken) {
      user.push(`u${u}`);
      item.push(`i${i}`);
      rating.push(1 + Math.floor(next() * 5));
    }
  }
  return Dataset.fromInteractions({ user, item, rating });
}

/** Cosine with shrinkage and each item's top k, written out plainly; the score by the cut. */
function bruteForce(d: Dataset, c: ItemCFConfig) {
  const n = d.numItems;
  const rated = Array.from({ length: n }, (_, i) => {
    const m = new Map<number, number>();
    for (let p = d.byItem.indptr[i]; p < d.byItem.indptr[i + 1]; p++)
      m.set(d.byItem.indices[p], c.binary ? 1 : d.byItem.data[p]);
    return m;
  });
  const norm = rated.map((m) => Math.sqrt([...m.values()].reduce((s, v) => s + v * v, 0)));
  const sim = (a: number, b: number): number | null => {
    let dot = 0;
    let common = 0;
    for (const [u, v] of rated[a]) {
      const w = rated[b].get(u);
      if (w === undefined) continue;
      dot += v * w;
      common++;
    }
    const denominator = norm[a] * norm[b] + c.shrink;
    return a === b || common === 0 || denominator <= 0 ? null : Math.fround(dot / denominator);
  };
  const top = Array.from({ length: n }, (_, a) =>
    Array.from({ length: n }, (_, b) => ({ b, s: sim(a, b) }))
      .filter((x): x is { b: number; s: number } => x.s !== null)
      .sort((x, y) => y.s - x.s || x.b - y.b)
      .slice(0, c.neighbours),
  );
  /** sim(i, j) where the cut keeps the pair (i a user's item, j the candidate), else null. */
  const kept = (i: number, j: number): number | null => {
    const hit = c.cut === 'target' ? top[j].find((x) => x.b === i) : top[i].find((x) => x.b === j);
    return hit ? hit.s : null;
  };
  const history = (u: number) => {
    const out: [number, number][] = [];
    for (let p = d.byUser.indptr[u]; p < d.byUser.indptr[u + 1]; p++)
      out.push([d.byUser.indices[p], c.binary ? 1 : d.byUser.data[p]]);
    return out;
  };
  const score = (u: number, j: number): number => {
    let s = -Infinity;
    for (const [i, w] of history(u)) {
      const k = kept(i, j);
      if (k !== null) s = (s === -Infinity ? 0 : s) + w * k;
    }
    return s;
  };
  /** The two seeds adding most to j's score, ties to the lower index. */
  const reason = (u: number, j: number): number[] =>
    history(u)
      .flatMap(([i, w]) => {
        const k = kept(i, j);
        return k === null ? [] : [{ i, v: Math.fround(w * k) }];
      })
      .sort((x, y) => y.v - x.v || x.i - y.i)
      .slice(0, 2)
      .map((x) => x.i);
  return { top, kept, score, reason };
}

function scores(m: ItemCF, d: Dataset): Float32Array {
  const out = new Float32Array(d.numUsers * d.numItems);
  m.scoreUsers(
    Int32Array.from({ length: d.numUsers }, (_, u) => u),
    out,
  );
  return out;
}

const rowsOf = (t: { rows(): Record<string, unknown>[] }) =>
  t.rows().map((r) => `${String(r.item)}→${String(r.similar_item)}`);

describe('ItemCF cut', () => {
  it('scores per target by default, as RecBole’s ItemKNN: a candidate through its own k nearest items', async () => {
    const m = new ItemCF({ neighbours: 1, shrink: 0 });
    expect(m.config.cut).toBe('target');
    await m.fit(asymmetric());
    const r = m.recommend('u');
    expect(r.column('item')).toEqual(['C', 'J']);
    expect(r.value('score', 0)).toBeCloseTo(3 / Math.sqrt(18), 6);
    // J's nearest is A (2 of 6 and 3 users), which the user has; B does not count for J.
    expect(r.value('score', 1)).toBeCloseTo(2 / Math.sqrt(18), 6);
    expect(r.column('reason')).toEqual(['because of A', 'because of A']);
    // Similar items stay the item's own list, whatever the cut.
    expect(m.similarItems('A', 3).column('item')).toEqual(['C']);
  });

  it('scores per source when asked: a candidate through the user’s items that keep it', async () => {
    const m = new ItemCF({ neighbours: 1, shrink: 0, cut: 'source' });
    await m.fit(asymmetric());
    const r = m.recommend('u');
    expect(r.column('item')).toEqual(['C', 'J']);
    expect(r.value('score', 0)).toBeCloseTo(3 / Math.sqrt(18), 6);
    // B keeps J (1 of 2 and 3 users); A keeps C, not J.
    expect(r.value('score', 1)).toBeCloseTo(1 / Math.sqrt(6), 6);
    expect(r.column('reason')).toEqual(['because of A', 'because of B']);
    expect(m.similarItems('A', 3).column('item')).toEqual(['C']);
  });

  it('gives the pairs of the cut in use as the item similarity table', async () => {
    const byTarget = new ItemCF({ neighbours: 1, shrink: 0 });
    const bySource = new ItemCF({ neighbours: 1, shrink: 0, cut: 'source' });
    await byTarget.fit(asymmetric());
    await bySource.fit(asymmetric());
    // An interest `item` adds to `similar_item`: per target, the items whose top 1 is `item`.
    expect(rowsOf(byTarget.tables().item_similarity).sort()).toEqual(['A→C', 'A→J', 'C→A', 'J→B']);
    expect(rowsOf(bySource.tables().item_similarity).sort()).toEqual(['A→C', 'B→J', 'C→A', 'J→A']);
  });

  it('refuses a cut it does not know', () => {
    expect(() => new ItemCF({ cut: 'both' as Cut })).toThrow(
      'new rl.ItemCF: cut must be one of "target", "source", got "both".',
    );
  });

  for (const cut of ['target', 'source'] as const) {
    for (const binary of [true, false]) {
      it(`matches brute force per ${cut} (${binary ? 'binary' : 'ratings'}): scores, reasons, tables`, async () => {
        const d = sample();
        const m = new ItemCF({ neighbours: 3, shrink: 1, binary, cut });
        await m.fit(d);
        const brute = bruteForce(d, m.config);
        const other = bruteForce(d, { ...m.config, cut: cut === 'target' ? 'source' : 'target' });
        const got = scores(m, d);
        let reached = 0;
        let differ = 0;
        for (let u = 0; u < d.numUsers; u++) {
          for (let j = 0; j < d.numItems; j++) {
            const want = brute.score(u, j);
            if (want !== other.score(u, j)) differ++;
            const at = `${d.userNames[u]}, ${d.itemNames[j]}`;
            if (want === -Infinity) {
              expect(got[u * d.numItems + j], at).toBe(-Infinity);
            } else {
              expect(got[u * d.numItems + j], at).toBeCloseTo(want, 5);
              reached++;
            }
          }
        }
        expect(reached).toBeGreaterThan(100);
        // The sample tells the cuts apart.
        expect(differ).toBeGreaterThan(100);

        for (let u = 0; u < d.numUsers; u += 3) {
          const r = m.recommend(d.userNames[u], { k: 5 });
          for (let row = 0; row < r.numRows; row++) {
            const j = d.itemIndex(r.value('item', row) as string);
            const names = brute.reason(u, j).map((i) => d.itemNames[i]);
            expect(r.value('reason', row), `${d.userNames[u]}, ${d.itemNames[j]}`).toBe(
              `because of ${names.join('; ')}`,
            );
          }
        }

        // The table holds exactly the pairs the cut keeps, with their similarity.
        const table = m.tables().item_similarity.rows();
        const pairs = new Set<string>();
        for (const t of table) {
          const i = d.itemIndex(t.item as string);
          const j = d.itemIndex(t.similar_item as string);
          expect(brute.kept(i, j), `${String(t.item)}→${String(t.similar_item)}`).toBeCloseTo(
            t.similarity as number,
            6,
          );
          // rank: the place of the pair in the list that keeps it.
          const list = cut === 'target' ? brute.top[j] : brute.top[i];
          expect(list[(t.rank as number) - 1].b).toBe(cut === 'target' ? i : j);
          pairs.add(`${i},${j}`);
        }
        let keptPairs = 0;
        for (let i = 0; i < d.numItems; i++)
          for (let j = 0; j < d.numItems; j++) if (brute.kept(i, j) !== null) keptPairs++;
        expect(pairs.size).toBe(keptPairs);
        expect(table.length).toBe(keptPairs);
      });
    }
  }

  it('saves and loads under either cut', async () => {
    for (const cut of ['target', 'source'] as const) {
      const m = new ItemCF({ neighbours: 3, shrink: 1, cut });
      await m.fit(sample());
      const loaded = await expectReloadsIdentically(m, 'u4', 'i3');
      for (const l of loaded) {
        expect((l as ItemCF).config.cut).toBe(cut);
        expect(l.tables().item_similarity.rows()).toEqual(m.tables().item_similarity.rows());
        expect(scores(l as ItemCF, l.train)).toEqual(scores(m, m.train));
      }
    }
  });

  it('loads a model saved before the cut was a setting as per source, as it was fitted', async () => {
    const bySource = new ItemCF({ neighbours: 3, shrink: 1, cut: 'source' });
    await bySource.fit(sample());
    const dir = mkdtempSync(path.join(tmpdir(), 'reclab-itemcf-old-'));
    try {
      await bySource.save(dir);
      const file = path.join(dir, 'model.json');
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { config: Record<string, unknown> };
      delete manifest.config.cut;
      writeFileSync(file, JSON.stringify(manifest));
      for (const m of [await ItemCF.load(dir), (await loadModel(dir)) as ItemCF]) {
        expect(m.config.cut).toBe('source');
        expect(scores(m, m.train)).toEqual(scores(bySource, bySource.train));
        expect(m.recommend('u4').rows()).toEqual(bySource.recommend('u4').rows());
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
