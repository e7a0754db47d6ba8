import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { expect } from 'vitest';
import { loadModel, type Model } from '../../src/recsys';

/**
 * Saves `model` to a temporary folder and loads it back twice, by its class and through
 * loadModel: both must recommend `user` the same rows (and list the same similar items for
 * `item`, given one). Returns the two loaded models for further checks.
 */
export async function expectReloadsIdentically(
  model: Model<object>,
  user: string,
  item?: string,
): Promise<Model<object>[]> {
  const dir = mkdtempSync(path.join(tmpdir(), `reclab-${model.name.toLowerCase()}-`));
  try {
    await model.save(dir);
    const byClass = (model.constructor as unknown as { load(dir: string): Promise<Model<object>> }).load(dir);
    const loaded = [await byClass, await loadModel(dir)];
    for (const [how, m] of [
      ['by class', loaded[0]],
      ['through loadModel', loaded[1]],
    ] as const) {
      expect(m.name, how).toBe(model.name);
      expect(m.recommend(user, { k: 10 }).rows(), `${model.name} ${how}`).toEqual(
        model.recommend(user, { k: 10 }).rows(),
      );
      if (item !== undefined)
        expect(m.similarItems(item, 5).rows(), `${model.name} ${how}`).toEqual(
          model.similarItems(item, 5).rows(),
        );
    }
    return loaded;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
