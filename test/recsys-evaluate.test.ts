import { describe, expect, it } from 'vitest';
import {
  Dataset,
  Model,
  evaluate,
  setTrainingHost,
  synthetic,
  leaveLastOut,
  randomSplit,
  timeSplit,
  topKMetrics,
  userAuc,
  type ModelState,
  type Split,
} from '../src/recsys';

/** Scores item i as -i: item 0 is everyone's favourite. */
class ByIndex extends Model {
  constructor() {
    super('ByIndex', {});
  }
  protected async fitModel(): Promise<void> {}
  protected scoreUser(_u: number, out: Float32Array): void {
    for (let i = 0; i < out.length; i++) out[i] = -i;
  }
  protected state(): ModelState {
    return { config: {}, arrays: {} };
  }
  protected restore(): void {}
}

describe('metrics of one user, by hand', () => {
  it('top-K metrics follow RecBole’s definitions', () => {
    const out = new Float64Array(6);
    // Relevant items at ranks 1 and 3; three relevant in all.
    topKMetrics([1, 3], 3, 3, out);
    const idcg3 = 1 + 1 / Math.log2(3) + 0.5;
    expect(Array.from(out)).toEqual(
      [2 / 3, 2 / 3, 1.5 / idcg3, 1, 1, (1 + 2 / 3) / 3].map((x) => expect.closeTo(x, 12)),
    );
    topKMetrics([1, 3], 3, 2, out);
    expect(Array.from(out)).toEqual(
      [1 / 3, 1 / 2, 1 / (1 + 1 / Math.log2(3)), 1, 1, 1 / 2].map((x) => expect.closeTo(x, 12)),
    );
    topKMetrics([4], 1, 3, out);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('AUC is the share of (relevant, other) pairs in the right order', () => {
    expect(userAuc([1, 3], 5)).toBeCloseTo(5 / 6, 12);
    expect(userAuc([1, 2], 2)).toBeNaN();
    // One relevant item tied with all 4 others (ranked after them): half of each pair.
    expect(userAuc([5], 5, [4])).toBeCloseTo(0.5, 12);
  });
});

/** Scores every item alike: it knows nothing, and the metrics must say so whatever the item order. */
class Constant extends ByIndex {
  override readonly name = 'Constant';
  protected override scoreUser(_u: number, out: Float32Array): void {
    out.fill(1);
  }
}

function tiny(): Split {
  // a: trained on item 0, tested on 2 and 4; b: trained on 1, tested on 0.
  const d = Dataset.fromInteractions({
    user: ['a', 'b', 'a', 'a', 'b', 'x', 'x'],
    item: [0, 1, 2, 4, 0, 3, 3],
  });
  const train = d.subset(Int32Array.from([0, 1, 5]));
  const test = d.subset(Int32Array.from([2, 3, 4]));
  return { name: 'tiny', train, test, description: 'by hand' };
}

describe('evaluate', () => {
  it('ranks over the whole catalogue without training items, per user, by hand', async () => {
    const e = await evaluate([new ByIndex()], tiny(), { k: [2] });
    const v = (c: string) => e.value(c, 0) as number;
    expect(e.value('ranking', 0)).toBe('full');
    expect(v('users')).toBe(2);
    // Item indices are first-seen order: 0→0, 1→1, 2→2, 4→3, 3→4.
    // a ranks items 1, 2, 4(idx 3), 3(idx 4): relevant at ranks 2 and 3. b ranks 0 first.
    expect(v('Recall@2')).toBeCloseTo((1 / 2 + 1) / 2, 12);
    expect(v('Precision@2')).toBeCloseTo((1 / 2 + 1 / 2) / 2, 12);
    expect(v('MRR@2')).toBeCloseTo((1 / 2 + 1) / 2, 12);
    expect(v('NDCG@2')).toBeCloseTo((1 / Math.log2(3) / (1 + 1 / Math.log2(3)) + 1) / 2, 12);
    // a: 4 candidates, relevant at 2 and 3: 2 of 4 pairs right; b: 1.
    expect(v('AUC')).toBeCloseTo((0.5 + 1) / 2, 12);
    expect(v('GAUC')).toBeCloseTo((0.5 * 2 + 1) / 3, 12);
    // Top-2 lists {1, 2} and {0, 2} cover 3 of 5 items.
    expect(v('Coverage@2')).toBeCloseTo(3 / 5, 12);
    expect(e.chart().option.series).toHaveLength(1);
  });

  it('refuses a model that scored NaN, naming it, the user and the item, as recommend does', async () => {
    class Diverged extends ByIndex {
      override readonly name = 'Diverged';
      protected override scoreUser(_u: number, out: Float32Array): void {
        out.fill(NaN);
      }
    }
    await expect(evaluate([new Diverged()], tiny(), { k: [1] })).rejects.toThrow(
      /Diverged scored item \S+ as NaN for user \S+: its training diverged/,
    );
  });

  it('charts one series per model, two models of one name included, grouped by metric', async () => {
    const e = await evaluate([new ByIndex(), new ByIndex()], tiny(), { k: [1, 2] });
    const option = e.chart().option as {
      series: { name: string; data: unknown[] }[];
      xAxis: { data: string[] };
    };
    expect(option.series.map((s) => s.name)).toEqual(['ByIndex', 'ByIndex (2)']);
    expect(option.xAxis.data).toEqual(['Recall@1', 'NDCG@1', 'Recall@2', 'NDCG@2']);
    expect(option.series[0].data).toHaveLength(4);
  });

  it('gives ties no credit in the top K and half credit in AUC', async () => {
    const e = await evaluate([new Constant()], tiny(), { k: [1, 2] });
    const v = (c: string) => e.value(c, 0) as number;
    // a's relevant items have the lowest indices among its candidates, b's the very lowest: no hit even so.
    expect(v('HitRate@1')).toBe(0);
    expect(v('Recall@2')).toBe(0);
    expect(v('AUC')).toBeCloseTo(0.5, 12);
    expect(v('GAUC')).toBeCloseTo(0.5, 12);
  });

  it('labels sampled ranking in its output', async () => {
    const e = await evaluate({ mine: new ByIndex() }, tiny(), { k: [1], sampled: 1 });
    expect(e.value('ranking', 0)).toBe('sampled (1 negatives per user)');
    expect(e.value('model', 0)).toBe('mine');
    expect(JSON.stringify(e.chart().option.title)).toContain('sampled');
    // The sample is really used: with one negative, a's AUC is 0 or 1 (b's is 1), never the
    // full ranking's 0.5, so the overall AUC cannot be the full ranking's 0.75.
    expect(e.value('AUC', 0)).not.toBeCloseTo(0.75, 6);
  });
});

describe('splits', () => {
  const d = Dataset.fromInteractions({
    user: ['a', 'a', 'a', 'a', 'a', 'b', 'b', 'c'],
    item: [1, 2, 3, 4, 5, 1, 2, 9],
    timestamp: [50, 10, 40, 20, 30, 5, 1, 100],
  });

  it('random per user: reproducible by seed, the ratio per user, one-interaction users kept in training', () => {
    const s = randomSplit(d, { ratio: 0.6, seed: 7 });
    expect([s.train.numInteractions, s.test.numInteractions]).toEqual([3 + 1 + 1, 2 + 1]);
    expect(Array.from(randomSplit(d, { ratio: 0.6, seed: 7 }).test.items)).toEqual(Array.from(s.test.items));
    expect(s.train.numItems).toBe(d.numItems);
    // At 80/20, as in RecBole: a gets ⌊0.2·5⌋ = 1 test item, b (two interactions) one too.
    const r = randomSplit(d, { ratio: 0.8, seed: 7 });
    expect([r.train.numInteractions, r.test.numInteractions]).toEqual([4 + 1 + 1, 1 + 1]);
  });

  it('leave last out by time', () => {
    const s = leaveLastOut(d);
    expect(Array.from(s.test.items, (i) => d.itemNames[i])).toEqual(['1', '1']);
    expect(s.test.timestamps).toEqual(Float64Array.from([50, 5]));
    expect(() => leaveLastOut(Dataset.fromInteractions({ user: [1], item: [1] }))).toThrow(
      /needs timestamps/,
    );
  });

  it('global time cut, dropping test users unknown to training', () => {
    const s = timeSplit(d, { at: 40 });
    expect(s.train.numInteractions).toBe(5);
    expect(Array.from(s.test.timestamps!)).toEqual([50, 40]);
    expect(s.description).toMatch(/1 test interactions of users with no training data dropped/);
  });
});

describe('evaluation progress', () => {
  it('ends with the bar full, whatever the number of users', async () => {
    const data = synthetic({ users: 100, items: 60, seed: 1 });
    const bars: { total: number; value: number }[] = [];
    setTrainingHost({
      progress: (_label, total) => {
        const bar = { total, value: 0 };
        bars.push(bar);
        return { tick: (n = 1) => void (bar.value += n), done() {} };
      },
      check() {},
      show: () => ({ update() {} }),
    });
    try {
      await evaluate([new ByIndex()], randomSplit(data, { seed: 0 }), { k: [10] });
    } finally {
      setTrainingHost(null);
    }
    const evaluating = bars[bars.length - 1];
    expect(evaluating.total).toBe(100);
    expect(evaluating.value).toBe(100);
  });
});
