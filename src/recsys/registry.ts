/**
 * Every model the library offers, by name: `loadModel` finds a saved model's class here,
 * and the bench and `rl.evaluate` examples iterate over it, so adding a line adds a model
 * everywhere.
 */
import type { Model } from './model';
import { readModel } from './store';
import { AutoEncoder } from './models/retrieval/auto-encoder';
import { EASE } from './models/retrieval/ease';
import { ItemCF } from './models/retrieval/item-cf';
import { MostPopular } from './models/retrieval/most-popular';
import { TwoTower } from './models/retrieval/two-tower';
import { UserCF } from './models/retrieval/user-cf';
import { BST, GRU4Rec, SASRec } from './models/sequence';

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

/** Loads any saved model, whatever its class. */
export async function loadModel(dir: string): Promise<Model<object>> {
  const stored = await readModel(dir);
  const make = MODELS[stored.model];
  if (!make)
    throw new Error(
      `${dir} holds a "${stored.model}" model, which this RecLab does not know ` +
        `(it knows ${Object.keys(MODELS).join(', ')}).`,
    );
  const model = make();
  model.adopt(stored.train, stored.state);
  return model;
}
