import { beforeAll, describe, expect, it } from 'vitest';
import { MIME, WIDGET, type RecommendOutput } from '../src/api';
import { Table } from '../src/data';
import {
  ClusterIndex,
  Dataset,
  ItemCF,
  MMoE,
  MostPopular,
  TwoTower,
  UserCF,
  evaluatePipeline,
  leaveLastOut,
  pipeline,
  type Pipeline,
  type PipelineOptions,
  type Ranker,
  type ScoreOptions,
} from '../src/recsys';
import type { RankingSamples, RankingVocabulary, Task } from '../src/recsys/data/ranking-samples';
import { widgets } from '../src/views';
import { initTensorFlow } from '../src/tf-backend';
import { logDataset, logUsers, rankingFixture } from './helpers/ranking-fixture';

// One behaviour log feeds both sides, as in a notebook: the retrieval models fit on a Dataset
// of its behaviours, the rankers on its ranking samples; item names (item0, …) are the bridge.
const fixture = rankingFixture({ users: 60, items: 40, categories: 4, steps: 12, seed: 5 });
const { vocabulary, log } = fixture.all;
const data = logDataset(fixture.all);
const userOfRow = logUsers(log);
const categories = new Map(
  vocabulary.items.map((item, i) => [item, vocabulary.categories[vocabulary.itemCategory[i]]]),
);

/** Scores an item by its number (item39 best): an order no channel has. */
class ByNumber implements Ranker {
  readonly name = 'ByNumber';
  readonly tasks: readonly Task[] = ['click'];
  readonly isFitted = true;
  constructor(readonly vocabulary: RankingVocabulary) {}
  async fit(): Promise<never> {
    throw new Error('not used');
  }
  predict(_s: RankingSamples): never {
    throw new Error('not used');
  }
  scoreItems(
    _user: string | number,
    items: readonly (string | number)[] | Int32Array,
    _o?: ScoreOptions,
  ): Float32Array {
    return Float32Array.from(items as Int32Array, (i) => Number(this.vocabulary.items[i].slice(4)) / 100);
  }
}

let itemcf: ItemCF;
let usercf: UserCF;
let user: string;

beforeAll(async () => {
  itemcf = new ItemCF();
  await itemcf.fit(data, { progress: false });
  usercf = new UserCF();
  await usercf.fit(data, { progress: false });
  user = data.userNames[3];
});

const itemsOf = (t: Table) => t.column('item') as string[];
const reasonsOf = (t: Table) => t.column('reason') as string[];

describe('rl.pipeline: merging and quotas', () => {
  it('keeps each item once, with every channel that found it and its rank there', () => {
    const p = pipeline({ channels: { a: itemcf, b: { model: itemcf, quota: 5 }, u: usercf }, k: 10 });
    const list = p.recommend(user);
    const items = itemsOf(list);
    expect(new Set(items).size).toBe(items.length);
    const own = itemsOf(itemcf.recommend(user, { k: 5 }));
    // ItemCF's first five come from a and b alike, at the same rank in both.
    own.forEach((item, r) => {
      const at = items.indexOf(item);
      expect(at).toBeGreaterThanOrEqual(0);
      expect(reasonsOf(list)[at]).toContain(`a (#${r + 1})`);
      expect(reasonsOf(list)[at]).toContain(`b (#${r + 1})`);
      expect((list.column('channels') as string[])[at]).toMatch(/^a, b/);
    });
    // Without a ranker, found by more channels ranks first.
    const votes = (list.column('score') as Float32Array).slice();
    for (let r = 1; r < votes.length; r++) expect(votes[r]).toBeLessThanOrEqual(votes[r - 1]);
  });

  it('takes each channel’s quota of candidates', () => {
    expect(pipeline({ channels: { a: { model: itemcf, quota: 3 } } }).retrieve(user)).toHaveLength(3);
    const two = pipeline({ channels: { a: { model: itemcf, quota: 3 }, b: { model: itemcf, quota: 7 } } });
    // The same model twice: a's three are among b's seven, so the union is seven.
    expect(two.retrieve(user)).toHaveLength(7);
    const mixed = pipeline({ channels: { a: { model: itemcf, quota: 4 }, u: { model: usercf, quota: 4 } } });
    const n = mixed.retrieve(user).length;
    expect(n).toBeGreaterThanOrEqual(4);
    expect(n).toBeLessThanOrEqual(8);
    expect(mixed.quotas).toEqual({ a: 4, u: 4 });
  });
});

describe('rl.pipeline: filters', () => {
  it('leaves out seen items by default, and keeps them with seen: false', () => {
    const seen = new Set(itemsOf(itemcf.history(user)));
    const names = (p: Pipeline) => Array.from(p.retrieve(user), (i) => data.itemNames[i]);
    expect(names(pipeline({ channels: { a: itemcf } })).some((i) => seen.has(i))).toBe(false);
    expect(
      names(pipeline({ channels: { a: itemcf }, filters: { seen: false } })).some((i) => seen.has(i)),
    ).toBe(true);
  });

  it('leaves out what any channel’s data says the user has seen, even where a channel does not know it', async () => {
    const history = new Set(itemsOf(itemcf.history(user)));
    // A second channel fitted without this user's history: it finds those items again.
    const rows = Array.from(log.items.keys()).filter((r) => vocabulary.users[userOfRow[r]] !== user);
    const partial = Dataset.fromInteractions({
      user: rows.map((r) => vocabulary.users[userOfRow[r]]).concat(user),
      item: rows.map((r) => vocabulary.items[log.items[r]]).concat('item0'),
    });
    const blind = new ItemCF();
    await blind.fit(partial, { progress: false });
    const p = pipeline({ channels: { usercf, blind: { model: blind, quota: 40 } } });
    const found = Array.from(p.retrieve(user), (i) => data.itemNames[i]);
    expect(found.length).toBeGreaterThan(10);
    expect(found.filter((i) => history.has(i))).toEqual([]);
    const open = pipeline({
      channels: { usercf, blind: { model: blind, quota: 40 } },
      filters: { seen: false },
    });
    expect(Array.from(open.retrieve(user), (i) => data.itemNames[i]).some((i) => history.has(i))).toBe(true);
  });

  it('shows only available items', () => {
    const available = ['item1', 'item2', 'item3', 'item5', 'item8', 'item13', 'item21', 'item34'];
    const list = pipeline({ channels: { a: itemcf, u: usercf }, filters: { available } }).recommend(user);
    expect(list.numRows).toBeGreaterThan(0);
    for (const item of itemsOf(list)) expect(available).toContain(item);
    const table = Table.fromColumns({ item: available.slice(0, 4) });
    for (const item of itemsOf(
      pipeline({ channels: { a: itemcf }, filters: { available: table } }).recommend(user),
    ))
      expect(available.slice(0, 4)).toContain(item);
  });

  it('caps each category', () => {
    const capped = pipeline({ channels: { a: itemcf }, filters: { perCategory: 1 }, categories });
    const list = capped.recommend(user);
    const cats = itemsOf(list).map((i) => categories.get(i));
    expect(new Set(cats).size).toBe(cats.length);
    // Uncapped, the same user's list repeats a category (4 categories, 10 items).
    const open = itemsOf(pipeline({ channels: { a: itemcf }, categories }).recommend(user)).map((i) =>
      categories.get(i),
    );
    expect(new Set(open).size).toBeLessThan(open.length);
    const table = Table.fromColumns({ item: [...categories.keys()], category: [...categories.values()] });
    const byTable = pipeline({ channels: { a: itemcf }, filters: { perCategory: 2 }, categories: table });
    const counts = new Map<string, number>();
    for (const i of itemsOf(byTable.recommend(user)))
      counts.set(categories.get(i)!, (counts.get(categories.get(i)!) ?? 0) + 1);
    for (const c of counts.values()) expect(c).toBeLessThanOrEqual(2);
  });
});

describe('rl.pipeline: ranking and reasons', () => {
  it('orders by the ranker, not by channel rank, and says so in the reason', () => {
    const ranker = new ByNumber(vocabulary);
    const list = pipeline({ channels: { itemcf, usercf }, ranker }).recommend(user);
    const numbers = itemsOf(list).map((i) => Number(i.slice(4)));
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    // The channels alone order differently.
    const plain = itemsOf(pipeline({ channels: { itemcf, usercf } }).recommend(user));
    expect(itemsOf(list)).not.toEqual(plain);
    expect(reasonsOf(list)[0]).toMatch(
      /^found by (itemcf \(#\d+\)|usercf \(#\d+\)|itemcf \(#\d+\) and usercf \(#\d+\)); ranked 0\.\d\d click$/,
    );
    expect((list.column('score') as Float32Array)[0]).toBeCloseTo(numbers[0] / 100, 5);
  });

  it('falls back to popular items for a user no channel knows, and says so', () => {
    const p = pipeline({ channels: { itemcf } });
    const list = p.recommend('a stranger');
    expect(itemsOf(list)).toEqual(
      itemsOf(MostPopular.fitted(data).recommend(data.userNames[0], { k: 10, excludeSeen: false })),
    );
    for (const reason of reasonsOf(list))
      expect(reason).toMatch(/fallback, the user is unknown to every channel/);
    expect(list.history.numRows).toBe(0);
  });

  it('starts cold from chosen interests: popular items of those categories', () => {
    const p = pipeline({ channels: { itemcf }, categories });
    const list = p.recommend('newcomer', { interests: ['cat2'] });
    expect(list.numRows).toBe(10);
    for (const item of itemsOf(list)) expect(categories.get(item)).toBe('cat2');
    expect(reasonsOf(list)[0]).toMatch(/^popular in cat2 \(#1\): cold start/);
    expect(() => p.recommend('newcomer', { interests: ['cat9x'] })).toThrow(
      /no category "cat9x"; did you mean/,
    );
  });

  it('records the latency of each stage', () => {
    const p = pipeline({ channels: { itemcf, usercf }, ranker: new ByNumber(vocabulary) });
    for (const u of data.userNames.slice(0, 5)) p.recommend(u);
    const l = p.latency();
    expect(l.requests).toBe(5);
    expect(l.retrieval).toBeGreaterThan(0);
    expect(l.merge).toBeGreaterThan(0);
    expect(l.ranking).toBeGreaterThan(0);
    p.resetLatency();
    expect(p.latency().requests).toBe(0);
  });

  it('serves recommendBatch as recommend does', () => {
    const p = pipeline({ channels: { itemcf, usercf }, k: 5 });
    const batch = p.recommendBatch([user, data.userNames[4]]);
    expect(batch.k).toBe(5);
    expect(Array.from(batch.items.subarray(0, 5), (i) => data.itemNames[i])).toEqual(
      itemsOf(p.recommend(user)),
    );
  });
});

describe('rl.pipeline with fitted neural models', () => {
  beforeAll(async () => {
    await initTensorFlow('wasm');
  });

  it('searches a TwoTower through a ClusterIndex and ranks with MMoE by weighted tasks', async () => {
    const tower = new TwoTower({ epochs: 2, embeddingDim: 8, batchSize: 64 });
    await tower.fit(data, { progress: false });
    const e = tower.itemEmbeddings();
    const index = ClusterIndex.build(e.data, e.dim, { clusters: 4, nprobe: 4, seed: 1 });
    const mmoe = new MMoE({
      embeddingDim: 8,
      historyLength: 8,
      batchSize: 64,
      epochs: 2,
      validation: 0,
      patience: 0,
      expertUnits: 8,
      towerLayers: [8],
    });
    await mmoe.fit(fixture.train, { progress: false });
    const p = pipeline({
      channels: { itemcf: { model: itemcf, quota: 10 }, tower: { model: tower, quota: 10, index } },
      ranker: mmoe,
      objective: { click: 1, buy: 10 },
    });
    const list = p.recommend(user);
    expect(list.numRows).toBe(10);
    expect(reasonsOf(list).some((r) => r.includes('tower (#'))).toBe(true);
    expect(reasonsOf(list)[0]).toMatch(/ranked \d+\.\d\d click×1 \+ buy×10$/);
    const scores = list.column('score') as Float32Array;
    const expected = mmoe.scoreItems(user, itemsOf(list), { weights: { click: 1, buy: 10 } });
    scores.forEach((s, r) => expect(s).toBeCloseTo(expected[r], 4));
    expect(() => pipeline({ channels: { itemcf: { model: itemcf, index } } })).toThrow(
      /an index serves a TwoTower channel/,
    );
    expect(() => pipeline({ channels: { itemcf }, ranker: mmoe, objective: 'fav' as Task })).toThrow(
      /MMoE does not predict "fav"; it predicts click, cart, buy/,
    );
  }, 60_000);
});

describe('the top-10 widget over a pipeline', () => {
  it('shows the pipeline’s list and the user’s history', () => {
    const p = pipeline({ channels: { itemcf, usercf } });
    const bundle = widgets.recommend(p, { user })[WIDGET]().bundle('k-p1');
    const out = bundle[MIME.recommend] as unknown as RecommendOutput;
    expect(out.models).toEqual(['Pipeline']);
    expect(out.last!.user).toBe(user);
    expect(out.last!.rows.map((r) => r[1])).toEqual(itemsOf(p.recommend(user)));
    expect(out.last!.columns).toContain('reason');
    expect(out.last!.history.total).toBe(itemcf.history(user).numRows);
  });
});

describe('rl.evaluatePipeline', () => {
  it('reports retrieval recall, final metrics and stage latency beside single models', async () => {
    const split = leaveLastOut(data);
    const a = new ItemCF();
    await a.fit(split.train, { progress: false });
    const b = new UserCF();
    await b.fit(split.train, { progress: false });
    const p = pipeline({ channels: { itemcf: { model: a, quota: 8 }, usercf: { model: b, quota: 8 } } });
    const table = await evaluatePipeline(p, split, { models: { ItemCF: a, UserCF: b }, n: 8 });
    expect(table.columnNames).toEqual([
      'model',
      'users',
      'retrieval Recall@8',
      'NDCG@10',
      'HitRate@10',
      'retrieval_ms',
      'merge_ms',
      'ranking_ms',
    ]);
    expect(table.column('model')).toEqual(['Pipeline', 'ItemCF', 'UserCF']);
    const recall = table.column('retrieval Recall@8') as Float64Array;
    expect(recall[0]).toBeGreaterThanOrEqual(recall[1]);
    expect(recall[0]).toBeGreaterThanOrEqual(recall[2]);
    expect(recall[0]).toBeGreaterThan(0);
    const merge = table.column('merge_ms') as Float64Array;
    expect(merge[0]).toBeGreaterThan(0);
    expect(Number.isNaN(merge[1])).toBe(true);
    await expect(evaluatePipeline(pipeline({ channels: { itemcf } }), split)).rejects.toThrow(
      /fitted on other data than split/,
    );
  });
});

describe('rl.pipeline: bad options', () => {
  const bad: [string, () => unknown, RegExp][] = [
    ['no channels', () => pipeline({ channels: {} }), /channels is required/],
    [
      'unknown option',
      () => pipeline({ channels: { itemcf }, rankr: null } as unknown as PipelineOptions),
      /unknown option "rankr"; did you mean "ranker"\?/,
    ],
    [
      'unknown channel option',
      () => pipeline({ channels: { a: { model: itemcf, qouta: 3 } as never } }),
      /channel "a": unknown option "qouta"; did you mean "quota"\?/,
    ],
    [
      'unfitted model',
      () => pipeline({ channels: { a: new ItemCF() } }),
      /channel "a": ItemCF is not fitted yet/,
    ],
    [
      'not a model',
      () => pipeline({ channels: { a: { model: 'x' as never } } }),
      /model must be a fitted retrieval or sequence model/,
    ],
    [
      'quota < 1',
      () => pipeline({ channels: { a: { model: itemcf, quota: 0 } } }),
      /channel "a": quota must be a whole number ≥ 1, got 0/,
    ],
    ['k', () => pipeline({ channels: { itemcf }, k: 2.5 }), /k must be a whole number ≥ 1, got 2.5/],
    [
      'unknown filter',
      () => pipeline({ channels: { itemcf }, filters: { sen: false } as never }),
      /unknown filter "sen"; did you mean "seen"\?/,
    ],
    [
      'perCategory without categories',
      () => pipeline({ channels: { itemcf }, filters: { perCategory: 2 } }),
      /perCategory needs item categories/,
    ],
    [
      'available matches nothing',
      () => pipeline({ channels: { itemcf }, filters: { available: ['nope'] } }),
      /names none of the channels' items/,
    ],
    [
      'categories table columns',
      () => pipeline({ channels: { itemcf }, categories: Table.fromColumns({ id: ['item1'] }) }),
      /categories table has no "item" column; its columns are id/,
    ],
    [
      'ranker with other items',
      () =>
        pipeline({
          channels: { itemcf },
          ranker: new ByNumber({ ...vocabulary, items: vocabulary.items.map((i) => `sku${i}`) }),
        }),
      /the ranker ByNumber knows none of the channels' items/,
    ],
    [
      'objective without ranker',
      () => pipeline({ channels: { itemcf }, objective: 'click' }),
      /objective weighs a ranker's tasks/,
    ],
    [
      'unfitted fallback',
      () => pipeline({ channels: { itemcf }, fallback: new MostPopular() }),
      /fallback MostPopular is not fitted/,
    ],
    [
      'interests without categories',
      () => pipeline({ channels: { itemcf } }).recommend('x', { interests: ['cat1'] }),
      /interests need item categories/,
    ],
    [
      'unknown recommend option',
      () => pipeline({ channels: { itemcf } }).recommend(user, { kk: 3 } as never),
      /unknown option "kk"/,
    ],
  ];
  it.each(bad)('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});
