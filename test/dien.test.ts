import { beforeAll, describe, expect, it } from 'vitest';
import { initTensorFlow } from '../src/tf-backend';
import { auc } from '../src/recsys/evaluation/ranking-metrics';
import { DIEN } from '../src/recsys/models/ranking/dien';
import { DIN } from '../src/recsys/models/ranking/din';
import { RankingSamples } from '../src/recsys/data/ranking-samples';
import type { Params } from '../src/recsys/engine/layers';
import { rankingFixture } from './helpers/ranking-fixture';

// Clicks follow the category of the user's last 4 behaviours, not of older ones.
const { train, test } = rankingFixture({ users: 120, steps: 20, recent: 4, seed: 7 });
const SMALL = {
  embeddingDim: 8,
  historyLength: 8,
  layers: [32, 16],
  batchSize: 256,
  learningRate: 0.02,
  validation: 0,
  seed: 3,
};

beforeAll(async () => {
  await initTensorFlow('wasm');
});

describe('DIEN', () => {
  let dien: DIEN;
  let losses: number[];

  beforeAll(async () => {
    dien = new DIEN({ ...SMALL, epochs: 6 });
    losses = (await dien.fit(train)).epochs.map((e) => e.loss);
  });

  it('fits: the loss falls and the test AUC is well above chance; predict gives probabilities', () => {
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    const p = dien.predict(test).click!;
    expect(p).toHaveLength(test.size);
    for (const v of p) expect(v > 0 && v < 1).toBe(true);
    const testAuc = auc(p, test.labels.click)!;
    console.log(
      `DIEN test AUC ${testAuc.toFixed(3)} ` +
        `(${test.size} samples, ${(test.positiveRate('click') * 100).toFixed(0)} % clicked); ` +
        `losses ${losses.map((l) => l.toFixed(3)).join(' ')}`,
    );
    expect(testAuc).toBeGreaterThan(0.7);
    expect(dien.scoreItems('user0', ['item0', 'item1'])).toHaveLength(2);
  });

  it('trains with the auxiliary loss: without it the loss curve is another, and lower', async () => {
    const plain = new DIEN({ ...SMALL, epochs: 1, auxiliaryWeight: 0 });
    const without = (await plain.fit(train)).epochs.map((e) => e.loss);
    const withAux = new DIEN({ ...SMALL, epochs: 1 });
    const withLosses = (await withAux.fit(train)).epochs.map((e) => e.loss);
    expect(withLosses).not.toEqual(without);
    // The auxiliary BCE (about 2 ln 2 per pair at first) is added to the click BCE.
    expect(withLosses[0]).toBeGreaterThan(without[0] + 0.3);
    expect(() => new DIEN({ auxiliaryWeight: -1 })).toThrow(/auxiliaryWeight/);
  });

  it("gives one prediction's attention over its history: one row, ≥ 0, nothing on padding", () => {
    // A sample whose history is shorter than historyLength, so its window has padding.
    const s = Array.from({ length: test.size }, (_, i) => i).find(
      (i) => test.historyEnds[i] > 1 && test.historyEnds[i] < SMALL.historyLength,
    )!;
    expect(s).toBeDefined();
    const map = dien.attention(test, s);
    expect(map.rows).toEqual([test.vocabulary.items[test.items[s]]]);
    expect(map.user).toBe(test.vocabulary.users[test.users[s]]);
    // The columns are the history's real behaviours, oldest first; the softmax puts all the weight on them.
    const u = test.users[s];
    const history = test.log.items.subarray(test.log.indptr[u], test.log.indptr[u] + test.historyEnds[s]);
    expect(map.columns).toEqual(Array.from(history, (i) => test.vocabulary.items[i]));
    expect(map.values).toHaveLength(map.columns.length);
    for (const v of map.values) expect(v).toBeGreaterThanOrEqual(0);
    expect(map.values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    // A full window: still one row, weights over historyLength behaviours.
    const full = Array.from({ length: test.size }, (_, i) => i).find(
      (i) => test.historyEnds[i] > SMALL.historyLength,
    )!;
    const fullMap = dien.attention(test, full);
    expect(fullMap.values).toHaveLength(SMALL.historyLength);
    expect(fullMap.values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(() => dien.attention(test, test.size)).toThrow(/not one of the/);
    expect(() => new DIEN().attention(test, 0)).toThrow(/not fitted/);
  });
});

describe('DIN', () => {
  let din: DIN;

  beforeAll(async () => {
    din = new DIN({ ...SMALL, epochs: 1 });
    await din.fit(train);
  });

  it("gives one prediction's attention weights over its history", () => {
    const s = Array.from({ length: test.size }, (_, i) => i).find(
      (i) => test.historyEnds[i] > 1 && test.historyEnds[i] < SMALL.historyLength,
    )!;
    const map = din.attention(test, s);
    expect(map.rows).toHaveLength(1);
    expect(map.columns).toHaveLength(test.historyEnds[s]);
    expect(map.values).toHaveLength(test.historyEnds[s]);
    for (const v of map.values) expect(Number.isFinite(v)).toBe(true);
  });

  it('feeds its MLP the attended history, its product with the candidate, and the history’s mean', () => {
    const params = (din as unknown as { params: Params }).params;
    const weights = params.export();
    // user d; candidate, attended history, attended ⊙ candidate and the mean 2d each.
    expect(weights['mlp.0.kernel']).toHaveLength(9 * SMALL.embeddingDim * SMALL.layers[0]);
    // With the attention unit's output zeroed every behaviour weighs 0, so only the mean still reads the
    // history: a prediction changes when the history is taken away.
    const zero = (name: string) => new Float32Array(weights[name].length);
    params.import({
      ...weights,
      'attention.out.kernel': zero('attention.out.kernel'),
      'attention.out.bias': zero('attention.out.bias'),
    });
    const noHistory = new RankingSamples({ ...test, historyEnds: new Int32Array(test.size) });
    const withIt = din.predict(test).click!;
    const without = din.predict(noHistory).click!;
    const read = Array.from(withIt.keys()).filter((s) => test.historyEnds[s] > 0);
    expect(read.length).toBeGreaterThan(0);
    expect(read.some((s) => Math.abs(withIt[s] - without[s]) > 1e-4)).toBe(true);
  });
});
