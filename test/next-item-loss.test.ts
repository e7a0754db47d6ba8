/** The sequence models' next-item losses (models/sequence/next-item.ts) against the formulas they compute. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initTensorFlow } from '../src/tf-backend';
import { Random } from '../src/recsys/random';
import { Embedding, Params } from '../src/recsys/engine/layers';
import { NegativeSampler } from '../src/recsys/engine/negatives';
import { nextItemLoss } from '../src/recsys/models/sequence/next-item';

beforeAll(async () => {
  await initTensorFlow('wasm');
});

describe("nextItemLoss 'full'", () => {
  it('is the cross-entropy of each slot’s next item under the softmax over every item, padding skipped', () => {
    const items = 6;
    const d = 4;
    const params = new Params(new Random(1));
    const table = new Embedding(params, 'items', items + 1, d);
    const random = new Random(2);
    const states = tf.tensor2d(
      Float32Array.from({ length: 5 * d }, () => random.normal()),
      [5, d],
    );
    // Slot values (item + 1); slots 1 and 3 predict nothing.
    const targets = Int32Array.of(3, 0, 6, 0, 1);
    const sampler = new NegativeSampler(new Int32Array(items).fill(1), { strategy: 'uniform', random });
    const loss = nextItemLoss(states, targets, table, sampler, { loss: 'full', negatives: 1, logQ: false });
    const h = states.arraySync();
    const e = table.table.arraySync() as number[][];
    let sum = 0;
    const slots = [0, 2, 4];
    for (const s of slots) {
      // Rows 1 … items of the table are the items; row 0 is padding and no item.
      const logits = e.slice(1).map((row) => row.reduce((a, x, j) => a + x * h[s][j], 0));
      const max = Math.max(...logits);
      const lse = max + Math.log(logits.reduce((a, l) => a + Math.exp(l - max), 0));
      sum += lse - logits[targets[s] - 1];
    }
    expect(loss.dataSync()[0]).toBeCloseTo(sum / slots.length, 4);
    params.dispose();
  });
});
