import {
  type Dataset,
  ClusterIndex,
  ItemCF,
  LogisticRegression,
  TwoTower,
  UserCF,
  pipeline,
  type Pipeline,
} from '../../src/recsys';
import { logDataset, rankingFixture, type RankingFixture } from './ranking-fixture';

/**
 * A tiny pipeline as a notebook builds one, from one behaviour log: ItemCF, a TwoTower searched
 * through a ClusterIndex, UserCF; ranked by a LogisticRegression; categories, a perCategory cap
 * and an available filter. Small enough to fit in a second or two on the wasm backend.
 */
export async function tinyPipeline(
  seed = 5,
): Promise<{ pipe: Pipeline; data: Dataset; ranker: LogisticRegression; fixture: RankingFixture }> {
  const fixture = rankingFixture({ users: 40, items: 30, categories: 4, steps: 10, seed });
  const { vocabulary } = fixture.all;
  const data = logDataset(fixture.all);
  const silent = { progress: false };
  const itemcf = new ItemCF();
  await itemcf.fit(data, silent);
  const usercf = new UserCF();
  await usercf.fit(data, silent);
  const tower = new TwoTower({ epochs: 1, embeddingDim: 4, batchSize: 64 });
  await tower.fit(data, silent);
  const e = tower.itemEmbeddings();
  const index = ClusterIndex.build(e.data, e.dim, { clusters: 3, nprobe: 2, seed: 1 });
  const ranker = new LogisticRegression({
    embeddingDim: 4,
    historyLength: 6,
    batchSize: 64,
    epochs: 1,
    validation: 0,
    patience: 0,
  });
  await ranker.fit(fixture.train, silent);
  const categories = new Map(
    vocabulary.items.map((item, i) => [item, vocabulary.categories[vocabulary.itemCategory[i]]]),
  );
  const pipe = pipeline({
    channels: { itemcf: { model: itemcf, quota: 8 }, tower: { model: tower, quota: 8, index }, usercf },
    ranker,
    k: 5,
    categories,
    filters: { perCategory: 3, available: vocabulary.items.slice(0, 26) },
  });
  return { pipe, data, ranker, fixture };
}
