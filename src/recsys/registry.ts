/**
 * Every model the library offers, by name: `loadModel` (and `loadRanker`, for the rankers)
 * finds a saved model's class here, and the bench and `rl.evaluate` examples iterate over it,
 * so adding a line adds a model everywhere.
 */
import type { Model } from './model';
import { readModel, readRanker } from './store';
import { AutoEncoder } from './models/retrieval/auto-encoder';
import { EASE } from './models/retrieval/ease';
import { ItemCF } from './models/retrieval/item-cf';
import { MostPopular } from './models/retrieval/most-popular';
import { TwoTower } from './models/retrieval/two-tower';
import { UserCF } from './models/retrieval/user-cf';
import { BST, GRU4Rec, SASRec } from './models/sequence';
import {
  DIEN,
  DIN,
  DNN,
  DeepFM,
  ESMM,
  LogisticRegression,
  MMoE,
  type RankingModel,
  type RankingSettings,
} from './models/ranking';

export const MODELS: Record<string, () => Model<object>> = {
  MostPopular: () => new MostPopular(),
  ItemCF: () => new ItemCF(),
  UserCF: () => new UserCF(),
  EASE: () => new EASE(),
  TwoTower: () => new TwoTower(),
  AutoEncoder: () => new AutoEncoder(),
  GRU4Rec: () => new GRU4Rec(),
  SASRec: () => new SASRec(),
  BST: () => new BST(),
};

/** The rankers, which score (user, item) pairs rather than recommend: `loadRanker` finds their classes here. */
export const RANKERS: Record<string, () => RankingModel<RankingSettings>> = {
  LogisticRegression: () => new LogisticRegression(),
  DNN: () => new DNN(),
  DeepFM: () => new DeepFM(),
  DIN: () => new DIN(),
  DIEN: () => new DIEN(),
  MMoE: () => new MMoE(),
  ESMM: () => new ESMM(),
};

/** Loads any saved retrieval or sequence model, whatever its class. */
export async function loadModel(dir: string): Promise<Model<object>> {
  const stored = await readModel(dir);
  const model = known(MODELS, stored.model, dir)();
  model.adopt(stored.train, stored.state);
  return model;
}

/** Loads any saved ranker, whatever its class. */
export async function loadRanker(dir: string): Promise<RankingModel<RankingSettings>> {
  const stored = await readRanker(dir);
  const model = known(RANKERS, stored.model, dir)();
  model.adopt(stored);
  return model;
}

function known<T>(classes: Record<string, T>, name: string, dir: string): T {
  // Own keys only: a saved name such as "constructor" must not find Object's.
  if (!Object.hasOwn(classes, name))
    throw new Error(
      `${dir} holds a "${name}" model, which this RecLab does not know ` +
        `(it knows ${Object.keys(classes).join(', ')}).`,
    );
  return classes[name];
}
