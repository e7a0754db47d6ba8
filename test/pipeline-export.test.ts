import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs, mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../src/data';
import { loadPipeline, type BundleManifest, type Dataset, type Pipeline } from '../src/recsys';
import { initTensorFlow } from '../src/tf-backend';
import { tinyPipeline } from './helpers/pipeline-bundle';

const root = mkdtempSync(join(tmpdir(), 'reclab-bundle-'));
let pipe: Pipeline;
let data: Dataset;
let manifest: BundleManifest;
const dir = join(root, 'bundle');

beforeAll(async () => {
  await initTensorFlow('wasm');
  ({ pipe, data } = await tinyPipeline());
  manifest = await pipe.export(dir);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const readManifest = async (d: string) =>
  JSON.parse(await fs.readFile(join(d, 'manifest.json'), 'utf8')) as BundleManifest;

describe('Pipeline.export', () => {
  it('writes a manifest with format, version, time, fingerprint, settings and checksums', async () => {
    const m = await readManifest(dir);
    expect(m).toEqual(manifest);
    expect(m.format).toBe('reclab-pipeline');
    expect(m.formatVersion).toBe(1);
    expect(m.version).toBe(1);
    expect(Date.parse(m.created)).not.toBeNaN();
    expect(m.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(m.settings).toEqual({
      channels: [
        { name: 'itemcf', model: 'ItemCF', quota: 8, index: null },
        { name: 'tower', model: 'TwoTower', quota: 8, index: { nprobe: 2 } },
        { name: 'usercf', model: 'UserCF', quota: 100, index: null },
      ],
      k: 5,
      filters: { seen: true, perCategory: 3, available: true },
      objective: null,
      ranker: 'LogisticRegression',
    });
    for (const [name, sum] of Object.entries(m.files))
      expect(
        createHash('sha256')
          .update(await fs.readFile(join(dir, name)))
          .digest('hex'),
      ).toBe(sum);
    const files = Object.keys(m.files);
    for (const expected of [
      'channels/itemcf/model.json',
      'channels/tower/model.json',
      'channels/usercf/model.json',
      'ranker/model.json',
      'fallback/model.json',
      'stores/tower.item_embeddings.parquet',
      'stores/tower.clusters.parquet',
      'stores/tower.centroids.parquet',
      'stores/itemcf.item_similarity.parquet',
      'stores/itemcf.user_interest.parquet',
      'stores/usercf.user_similarity.parquet',
      'stores/user_features.parquet',
      'stores/item_features.parquet',
      'stores/item_categories.parquet',
      'stores/available.parquet',
    ])
      expect(files).toContain(expected);
    expect(files).not.toContain('manifest.json');
  });

  it('writes the stores as Parquet that DuckDB reads', async () => {
    const db = await Database.open();
    try {
      const count = async (name: string) =>
        Number(
          (
            await db.query(`SELECT count(*) AS n FROM read_parquet('${join(dir, 'stores', name)}.parquet')`)
          ).column('n')[0],
        );
      expect(await count('tower.item_embeddings')).toBe(data.numItems);
      expect(await count('tower.clusters')).toBe(data.numItems);
      expect(await count('tower.centroids')).toBe(3);
      expect(await count('item_categories')).toBe(data.numItems);
      expect(await count('available')).toBe(26);
      const emb = await db.query(
        `SELECT * FROM read_parquet('${join(dir, 'stores', 'tower.item_embeddings')}.parquet')`,
      );
      expect(emb.columnNames).toEqual([
        'item',
        ...Array.from({ length: emb.columnNames.length - 1 }, (_, d) => `e${d}`),
      ]);
      expect(emb.columnNames.length).toBeGreaterThan(1);
      expect(await count('itemcf.item_similarity')).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('puts the same stores into DuckDB as tables a notebook queries', async () => {
    const db = await Database.open();
    try {
      const names = await pipe.registerTables(db);
      expect(names).toEqual(
        expect.arrayContaining([
          'pipeline_user_features',
          'pipeline_item_features',
          'pipeline_itemcf_user_interest',
          'pipeline_itemcf_item_similarity',
          'pipeline_usercf_user_similarity',
          'pipeline_tower_item_embeddings',
          'pipeline_tower_clusters',
          'pipeline_tower_centroids',
        ]),
      );
      const one = async (sql: string) => (await db.query(sql)).rows()[0];
      // Every interaction counted once per user; distinct user-item pairs the same from either side.
      expect(
        await one('SELECT count(*) AS users, sum(interactions) AS interactions FROM pipeline_user_features'),
      ).toEqual({ users: data.numUsers, interactions: data.numInteractions });
      expect(await one('SELECT sum(users) AS n FROM pipeline_item_features')).toEqual(
        await one('SELECT sum(items) AS n FROM pipeline_user_features'),
      );
      // The cluster table: each centroid's members, every item in exactly one cluster.
      expect(
        await one(
          'SELECT count(DISTINCT item) AS items, count(DISTINCT cluster) AS clusters FROM pipeline_tower_clusters',
        ),
      ).toEqual({ items: data.numItems, clusters: 3 });
      // A user's top category is the one most of their items have.
      const user = data.userNames[4];
      const top = await one(
        `SELECT f.category AS category, count(*) AS n FROM pipeline_itemcf_user_interest i
         JOIN pipeline_item_features f USING (item) WHERE i.user = '${user}'
         GROUP BY 1 ORDER BY n DESC, category LIMIT 1`,
      );
      expect(await one(`SELECT top_category FROM pipeline_user_features WHERE user = '${user}'`)).toEqual({
        top_category: top.category,
      });
      // What the bundle ships is what DuckDB shows.
      expect(
        await one(
          `SELECT count(*) AS n FROM (SELECT * FROM pipeline_user_features EXCEPT
           SELECT * FROM read_parquet('${join(dir, 'stores', 'user_features.parquet')}'))`,
        ),
      ).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('numbers versions: one more than the bundle there, or the one given', async () => {
    const d = join(root, 'versions');
    expect((await pipe.export(d)).version).toBe(1);
    expect((await pipe.export(d)).version).toBe(2);
    expect((await readManifest(d)).version).toBe(2);
    expect((await pipe.export(d, { version: 7 })).version).toBe(7);
    expect((await pipe.export(d)).version).toBe(8);
    await expect(pipe.export(d, { version: 0 })).rejects.toThrow(/version must be a whole number ≥ 1, got 0/);
    // Nothing of the staging folder is left beside the bundle.
    expect((await fs.readdir(root)).filter((n) => n.startsWith('versions'))).toEqual(['versions']);
  });

  it('fingerprints the training data', async () => {
    const other = await tinyPipeline(9);
    const d = join(root, 'other');
    const m = await other.pipe.export(d);
    expect(m.fingerprint).not.toBe(manifest.fingerprint);
    expect((await pipe.export(join(root, 'again'))).fingerprint).toBe(manifest.fingerprint);
  });
});

describe('rl.loadPipeline', () => {
  it('rebuilds a pipeline that recommends the same for every user, the unknown included', async () => {
    const loaded = await loadPipeline(dir);
    expect(loaded.quotas).toEqual(pipe.quotas);
    expect(loaded.k).toBe(5);
    const users = [...data.userNames, 'nobody'];
    for (const user of users) {
      const a = pipe.recommend(user);
      const b = loaded.recommend(user);
      expect(b.column('item')).toEqual(a.column('item'));
      expect(b.column('reason')).toEqual(a.column('reason'));
      expect(Array.from(b.column('score') as Float32Array)).toEqual(
        Array.from(a.column('score') as Float32Array),
      );
    }
    expect(loaded.recommend('nobody').column('reason')[0]).toMatch(/fallback/);
    expect(loaded.similarItems(data.itemNames[0], 4).column('item')).toEqual(
      pipe.similarItems(data.itemNames[0], 4).column('item'),
    );
  });

  it('refuses a changed file, naming it', async () => {
    const d = join(root, 'changed');
    await pipe.export(d);
    const file = join(d, 'channels', 'tower', 'model.json');
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.replace('"TwoTower"', '"TwoTowe2"'));
    await expect(loadPipeline(d)).rejects.toThrow(`${file} fails its checksum`);
  });

  it('refuses a missing file, naming it', async () => {
    const d = join(root, 'missing');
    await pipe.export(d);
    const file = join(d, 'stores', 'tower.clusters.parquet');
    await fs.rm(file);
    await expect(loadPipeline(d)).rejects.toThrow(`${file} is missing`);
  });

  it('refuses a folder without a bundle, and a bundle of another format version', async () => {
    await expect(loadPipeline(join(root, 'none'))).rejects.toThrow(
      /manifest.json is missing: .* holds no pipeline bundle/,
    );
    const d = join(root, 'future');
    await pipe.export(d);
    const m = await readManifest(d);
    await fs.writeFile(join(d, 'manifest.json'), JSON.stringify({ ...m, formatVersion: 99 }));
    await expect(loadPipeline(d)).rejects.toThrow(/bundle format version 99/);
  });
});
