/**
 * The two training modes of the serving design: a full retrain on a sampled share of the day's
 * rows (`fit(train, { sample })`), and incremental training that continues the weights
 * (`fit(newDay, { resume: true })`) before the next bundle version.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ItemCF, LogisticRegression, TwoTower } from '../src/recsys';
import { sampleRows } from '../src/recsys/engine/sample-rows';
import { ModelServer } from '../src/serving';
import { initTensorFlow } from '../src/tf-backend';
import { tinyPipeline } from './helpers/pipeline-bundle';
import { logDataset, rankingFixture } from './helpers/ranking-fixture';

const fixture = rankingFixture({ users: 60, items: 40, categories: 4, steps: 12, seed: 5 });
const data = logDataset(fixture.all);

beforeAll(() => initTensorFlow('wasm'));

describe('fit(train, { sample })', () => {
  it('draws that share of the rows, seeded, in their order, without repeats', () => {
    const rows = Int32Array.from({ length: 1000 }, (_, i) => i * 3);
    const a = sampleRows(rows, 0.3, 7, 'test');
    expect(a.length).toBe(300);
    expect(new Set(a).size).toBe(300);
    expect([...a]).toEqual([...a].sort((x, y) => x - y));
    expect(a.every((r) => r % 3 === 0)).toBe(true);
    expect([...sampleRows(rows, 0.3, 7, 'test')]).toEqual([...a]);
    expect([...sampleRows(rows, 0.3, 8, 'test')]).not.toEqual([...a]);
    expect(sampleRows(rows, 1, 7, 'test')).toBe(rows);
    expect(sampleRows(rows, 0.0001, 7, 'test').length).toBe(1);
  });

  it('fits a retrieval model on the sampled interactions, in the same catalogue, and says so', async () => {
    const model = new ItemCF();
    const history = await model.fit(data, { sample: 0.3, progress: false });
    const rows = Math.round(0.3 * data.numInteractions);
    expect(model.train.numInteractions).toBe(rows);
    expect(model.train.itemNames).toEqual(data.itemNames);
    expect(history.sampled).toEqual({ rows, of: data.numInteractions });
    expect(String(history)).toContain(
      `fitted in one pass on a sample of ${rows} of ${data.numInteractions} rows`,
    );
    const tower = new TwoTower({ epochs: 1, embeddingDim: 4, batchSize: 32, seed: 3 });
    expect(String(await tower.fit(data, { sample: 0.5, progress: false }))).toMatch(
      /1 epochs on a sample of/,
    );
    expect(tower.train.numInteractions).toBe(Math.round(0.5 * data.numInteractions));
    expect((await tower.fit(data, { progress: false })).sampled).toBeNull();
  });

  it('fits a ranker on a share of its training samples, validating on all the latest', async () => {
    const settings = {
      embeddingDim: 4,
      historyLength: 6,
      batchSize: 16,
      epochs: 2,
      validation: 0.2,
      patience: 0,
    };
    const learn = fixture.train.size - Math.floor(fixture.train.size * 0.2);
    const history = await new LogisticRegression(settings).fit(fixture.train, {
      sample: 0.3,
      progress: false,
    });
    expect(history.sampled).toEqual({ rows: Math.round(0.3 * learn), of: learn });
    // Validation AUC each epoch: the held-out latest samples are all there, whatever share was learnt from.
    expect(history.epochs.every((e) => Number.isFinite(e.metrics['click AUC']))).toBe(true);
  });

  it('refuses a share outside (0, 1] and leaves the fitted model as it was', async () => {
    const model = new ItemCF();
    await model.fit(data, { progress: false });
    const before = model.recommend(data.userNames[2]).column('item');
    await expect(model.fit(data, { sample: 0 })).rejects.toThrow(
      'ItemCF.fit: sample is the share of the training rows to fit on, a number above 0 and at most 1',
    );
    expect(model.recommend(data.userNames[2]).column('item')).toEqual(before);
    const ranker = new LogisticRegression({ embeddingDim: 4, historyLength: 6, epochs: 1, validation: 0 });
    await ranker.fit(fixture.train, { progress: false });
    const scores = ranker.predict(fixture.test).click;
    await expect(ranker.fit(fixture.train, { sample: 1.5 })).rejects.toThrow(/got 1\.5/);
    expect(ranker.isFitted).toBe(true);
    expect(ranker.predict(fixture.test).click).toEqual(scores);
  });
});

describe('incremental training, then the next bundle version', () => {
  it('resumes the ranker on the next day, exports version 2, and a reloaded server ranks with it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'reclab-incremental-'));
    const { pipe, ranker, fixture: day } = await tinyPipeline();
    const server = new ModelServer({ bundle: join(root, 'bundle'), port: 0, log: () => {} });
    try {
      expect((await pipe.export(join(root, 'bundle'))).version).toBe(1);
      const { url, loaded } = await server.start();
      await loaded;
      const user = pipe.train.userNames.find((u) => pipe.knows(u))!;
      const ask = async () =>
        (await (await fetch(`${url}/recommend?user=${user}&k=5`)).json()) as {
          version: number;
          items: { item: string; score: number }[];
        };
      const before = await ask();
      expect(before.version).toBe(1);

      const history = await ranker.fit(day.test, { resume: true, progress: false });
      // The curve goes on from the first day's one epoch.
      expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2]);
      expect((await pipe.export(join(root, 'bundle'))).version).toBe(2);
      // Until the reload the server answers version 1, after it version 2: what the notebook's pipeline says.
      expect((await ask()).version).toBe(1);
      expect(await server.reload()).toMatchObject({ ok: true, version: 2, previous: 1 });
      const after = await ask();
      expect(after.version).toBe(2);
      const here = pipe.recommend(user, { k: 5 });
      expect(after.items.map((i) => i.item)).toEqual([...here.column('item')]);
      expect(after.items.map((i) => i.score)).not.toEqual(before.items.map((i) => i.score));
    } finally {
      await server.drain();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
