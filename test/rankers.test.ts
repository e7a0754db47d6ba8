import { beforeAll, describe, expect, it } from 'vitest';
import { initTensorFlow } from '../src/tf-backend';
import {
  DIN,
  DNN,
  DeepFM,
  ESMM,
  LogisticRegression,
  MMoE,
  type MMoEConfig,
  type Ranker,
} from '../src/recsys';
import type { Task } from '../src/recsys/data/ranking-samples';
import { auc } from '../src/recsys/evaluation/ranking-metrics';
import { rankingFixture } from './helpers/ranking-fixture';

beforeAll(async () => {
  await initTensorFlow('wasm');
});

// Click depends on whether the user's recent history holds the target's category (a cross
// feature); buy on the item's propensity. 1,500 training and 500 test samples, split by time.
const { train, test } = rankingFixture();
const small = {
  embeddingDim: 8,
  historyLength: 8,
  batchSize: 64,
  epochs: 6,
  learningRate: 0.01,
  validation: 0,
  patience: 0,
};
const silent = { progress: false };

const models: Record<string, { make: () => Ranker; tasks: Task[] }> = {
  // LR sees no pair of features, so it cannot tell whether the history holds the target's category: judged on
  // buy, which the item's weight carries.
  LogisticRegression: { make: () => new LogisticRegression({ ...small, task: 'buy' }), tasks: ['buy'] },
  DNN: { make: () => new DNN({ ...small, layers: [32, 16] }), tasks: ['click'] },
  DeepFM: { make: () => new DeepFM({ ...small, layers: [32, 16] }), tasks: ['click'] },
  DIN: { make: () => new DIN({ ...small, layers: [32, 16] }), tasks: ['click'] },
  MMoE: {
    make: () => new MMoE({ ...small, expertUnits: 16, towerLayers: [8] }),
    tasks: ['click', 'cart', 'buy'],
  },
  ESMM: { make: () => new ESMM({ ...small, layers: [32, 16] }), tasks: ['click', 'buy'] },
};
const fitted: Record<string, Ranker> = {};
const aucs: Record<string, string> = {};

function fittedModel(name: string): Ranker {
  const m = fitted[name];
  if (!m) throw new Error(`${name} was not fitted by its first test.`);
  return m;
}

describe.each(Object.keys(models))('%s', (name) => {
  const { make, tasks } = models[name];

  it(`fits in a few epochs and ranks the test samples well (AUC > 0.65) for ${tasks.join(', ')}`, async () => {
    const m = make();
    expect(m.tasks).toEqual(tasks);
    const history = await m.fit(train, silent);
    expect(history.epochs).toHaveLength(small.epochs);
    expect(history.epochs.at(-1)!.loss).toBeLessThan(history.epochs[0].loss);
    const p = m.predict(test);
    expect(Object.keys(p).sort()).toEqual([...tasks].sort());
    for (const t of tasks) {
      const a = auc(p[t]!, test.labels[t])!;
      aucs[`${name} ${t}`] = a.toFixed(3);
      expect(a, `${name} ${t} AUC`).toBeGreaterThan(0.65);
      expect(p[t]).toHaveLength(test.size);
      for (const v of p[t]!) expect(v > 0 && v < 1, `${v} is a probability`).toBe(true);
    }
    fitted[name] = m;
  });

  it('scores a user’s candidates, one score each, and refuses an unknown user or item with the closest names', () => {
    const m = fittedModel(name);
    const scores = m.scoreItems('user3', ['item0', 'item7', 'item12', 'item59']);
    expect(scores).toBeInstanceOf(Float32Array);
    expect(scores).toHaveLength(4);
    for (const v of scores) expect(v > 0 && v < 1).toBe(true);
    // Items as indices too (what a pipeline passes): the same scores as by name.
    expect(m.scoreItems('user3', Int32Array.of(0, 7))).toEqual(scores.subarray(0, 2));
    // The candidates share the user's history, embedded once for all of them: the same scores as one by one.
    ['item0', 'item7', 'item12', 'item59'].forEach((item, i) =>
      expect(m.scoreItems('user3', [item])[0]).toBeCloseTo(scores[i], 5),
    );
    expect(() => m.scoreItems('usr3', ['item0'])).toThrow(
      /Unknown user "usr3".*Closest user names: .*"user3"/,
    );
    expect(() => m.scoreItems('user3', ['item600'])).toThrow(/Unknown item "item600".*"item60?"/);
    if (!tasks.includes('cart'))
      expect(() => m.scoreItems('user3', ['item0'], { task: 'cart' })).toThrow(
        `${m.name} does not predict "cart"; it predicts ${tasks.join(', ')}.`,
      );
  });
});

describe('ESMM', () => {
  it('predicts pCTCVR = pCTR × pCVR, and pCVR = p(buy | click) ranks the clicked test samples by buy', () => {
    const m = fittedModel('ESMM') as ESMM;
    const p = m.predict(test);
    const cvr = m.cvr(test);
    expect(cvr).toHaveLength(test.size);
    for (let s = 0; s < test.size; s++) {
      expect(cvr[s] > 0 && cvr[s] < 1).toBe(true);
      expect(p.buy![s]).toBeCloseTo(p.click![s] * cvr[s], 6);
    }
    const clicked = Int32Array.from(test.labels.click.keys()).filter((s) => test.labels.click[s] > 0);
    const a = auc(cvr, test.labels.buy, clicked)!;
    aucs['ESMM pCVR on clicked'] = a.toFixed(3);
    expect(a).toBeGreaterThan(0.65);
    // cvr() leaves predict as it was.
    expect(m.predict(test).buy).toEqual(p.buy);
  });

  it('scores by click, by buy, or by a weighted sum of the two', () => {
    const m = fittedModel('ESMM');
    const items = ['item1', 'item2', 'item3'];
    const click = m.scoreItems('user5', items);
    const buy = m.scoreItems('user5', items, { task: 'buy' });
    const mixed = m.scoreItems('user5', items, { weights: { click: 1, buy: 10 } });
    for (let i = 0; i < items.length; i++) {
      expect(buy[i]).toBeLessThan(click[i]);
      expect(mixed[i]).toBeCloseTo(click[i] + 10 * buy[i], 5);
    }
  });
});

describe('MMoE', () => {
  it('predicts each of the tasks it is given, and only those', async () => {
    const m = new MMoE({ ...small, epochs: 2, expertUnits: 8, towerLayers: [4], tasks: ['buy', 'click'] });
    // Tasks given without weights: each task's own default, the rare buy weighed up.
    expect(m.config.taskWeights).toEqual([5, 1]);
    expect(m.tasks).toEqual(['buy', 'click']);
    await m.fit(train, silent);
    const p = m.predict(test);
    expect(Object.keys(p).sort()).toEqual(['buy', 'click']);
    // The first task is the default score.
    expect(m.scoreItems('user1', ['item4'])[0]).toBeCloseTo(
      m.scoreItems('user1', ['item4'], { task: 'buy' })[0],
      6,
    );
  });

  it(
    'weighs each task’s loss by taskWeights ' +
      '(Adam steps alike when every weight doubles, so the loss doubles)',
    async () => {
      const one = { ...small, epochs: 1, expertUnits: 8, towerLayers: [4] };
      const loss = async (settings: Partial<MMoEConfig>) =>
        (await new MMoE({ ...one, ...settings }).fit(train, silent)).epochs[0].loss;
      const base = await loss({ taskWeights: [1, 1, 1] });
      expect((await loss({ taskWeights: [2, 2, 2] })) / base).toBeCloseTo(2, 3);
      // By default buy weighs 5 (its BCE is small beside click's): a larger loss than every task at 1.
      expect(await loss({})).toBeGreaterThan(base);
    },
  );

  it(
    'needs one weight per task, in the constructor and in fit, ' +
      'and leaves its settings as they were when refused',
    async () => {
      expect(() => new MMoE({ tasks: ['click', 'buy'], taskWeights: [1, 2, 3] })).toThrow(
        'new rl.MMoE: taskWeights must have one weight per task (2: click, buy), got [1, 2, 3].',
      );
      expect(() => new MMoE({ taskWeights: [1] })).toThrow(
        'taskWeights must have one weight per task (3: click, cart, buy), got [1].',
      );
      expect(() => new MMoE({ tasks: [] })).toThrow(
        'new rl.MMoE: tasks must be a non-empty list of distinct values from "click", "cart", "buy", got [].',
      );
      expect(() => new MMoE({ tasks: ['click', 'click'] })).toThrow('got ["click", "click"].');
      expect(() => new MMoE({ taskWeights: [1, -1, 1] })).toThrow(
        'taskWeights must be a non-empty list of numbers ≥ 0, e.g. [1, 0.5], got [1, -1, 1].',
      );
      const m = new MMoE({ ...small, tasks: ['click', 'buy'], taskWeights: [1, 5] });
      await expect(m.fit(train, { taskWeights: [1] })).rejects.toThrow(
        'MMoE.fit: taskWeights must have one weight per task (2: click, buy), got [1].',
      );
      expect(m.config).toMatchObject({ tasks: ['click', 'buy'], taskWeights: [1, 5] });
      expect(m.isFitted).toBe(false);
    },
  );
});

describe('settings', () => {
  it('a typo names the closest setting', () => {
    expect(() => new LogisticRegression({ tsk: 'buy' } as object)).toThrow(
      'new rl.LogisticRegression: no setting "tsk"; did you mean "task"?',
    );
    expect(() => new DeepFM({ layer: [8] } as object)).toThrow(
      'new rl.DeepFM: no setting "layer"; did you mean "layers"?',
    );
    expect(() => new MMoE({ expert: 2 } as object)).toThrow(
      'new rl.MMoE: no setting "expert"; did you mean "experts"?',
    );
    expect(() => new MMoE({ taskWeight: [1, 1, 1] } as object)).toThrow('did you mean "taskWeights"?');
    expect(() => new ESMM({ layres: [8] } as object)).toThrow(
      'new rl.ESMM: no setting "layres"; did you mean "layers"?',
    );
    expect(() => new LogisticRegression({ task: 'buys' as Task })).toThrow(
      'new rl.LogisticRegression: task must be one of "click", "cart", "buy", got "buys".',
    );
  });

  it('a typo in fit is refused before training', async () => {
    const m = new ESMM(small);
    await expect(m.fit(train, { epoch: 2 })).rejects.toThrow(
      'ESMM.fit: no setting "epoch"; did you mean "epochs"?',
    );
    await expect(new MMoE(small).fit(train, { expertUnit: 4 })).rejects.toThrow(
      'MMoE.fit: no setting "expertUnit"; did you mean "expertUnits"?',
    );
    expect(m.isFitted).toBe(false);
  });

  it('each model declares its own on top of the rankers’ shared ones', () => {
    expect(new LogisticRegression().config).toMatchObject({
      task: 'click',
      trainOn: 'all',
      embeddingDim: 16,
    });
    expect(new DeepFM().config).toMatchObject({ task: 'click', layers: [200, 80] });
    expect(new MMoE().config).toMatchObject({
      tasks: ['click', 'cart', 'buy'],
      taskWeights: [1, 1, 5],
      experts: 4,
      expertUnits: 64,
      towerLayers: [64],
    });
    expect(new ESMM().config).toMatchObject({ layers: [200, 80], historyLength: 20 });
    expect(new ESMM().tasks).toEqual(['click', 'buy']);
  });
});

describe('the AUCs seen', () => {
  it('are reported', () => {
    console.log('Test AUCs on the fixture:', aucs);
  });
});
