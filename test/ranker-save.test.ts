import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTensorFlow } from '../src/tf-backend';
import {
  DIEN,
  DIN,
  DNN,
  DeepFM,
  ESMM,
  FitCancelledError,
  LogisticRegression,
  MMoE,
  MostPopular,
  RANKERS,
  loadModel,
  loadRanker,
  synthetic,
  type RankingModel,
  type RankingSettings,
} from '../src/recsys';
import { rankingFixture } from './helpers/ranking-fixture';

beforeAll(async () => {
  await initTensorFlow('wasm');
});

// About 300 training and 100 later samples over 40 users and 30 items: enough to move the weights, fast to fit.
const { train, test } = rankingFixture({ users: 40, items: 30, categories: 5, steps: 10 });
// Not the defaults, so a load that kept the class's defaults instead of the saved settings would fail.
const small = {
  embeddingDim: 4,
  historyLength: 6,
  batchSize: 64,
  epochs: 1,
  learningRate: 0.01,
  validation: 0,
  patience: 0,
};
const silent = { progress: false };
const root = mkdtempSync(join(tmpdir(), 'reclab-ranker-save-'));

afterAll(() => rmSync(root, { recursive: true, force: true }));

type AnyRanker = RankingModel<RankingSettings>;

const models: Record<string, { make: () => AnyRanker; load: (dir: string) => Promise<AnyRanker> }> = {
  LogisticRegression: {
    make: () => new LogisticRegression({ ...small, task: 'buy' }),
    load: (dir) => LogisticRegression.load(dir),
  },
  DNN: { make: () => new DNN({ ...small, layers: [8] }), load: (dir) => DNN.load(dir) },
  DeepFM: { make: () => new DeepFM({ ...small, layers: [8] }), load: (dir) => DeepFM.load(dir) },
  // Dropout, so a resumed fit's random stream matters; Dice keeps running statistics beside the weights.
  DIN: { make: () => new DIN({ ...small, layers: [8], dropout: 0.2 }), load: (dir) => DIN.load(dir) },
  DIEN: {
    make: () => new DIEN({ ...small, layers: [8], trainOn: 'clicked' }),
    load: (dir) => DIEN.load(dir),
  },
  MMoE: {
    make: () =>
      new MMoE({
        ...small,
        tasks: ['buy', 'click'],
        taskWeights: [2, 1],
        experts: 2,
        expertUnits: 4,
        towerLayers: [4],
      }),
    load: (dir) => MMoE.load(dir),
  },
  ESMM: { make: () => new ESMM({ ...small, layers: [8] }), load: (dir) => ESMM.load(dir) },
};

const fitted: Record<string, AnyRanker> = {};
const user = 'user3';
const items = ['item0', 'item7', 'item12', 'item29'];

/** The dir of a fitted model of each class, saved once. */
async function savedDir(name: string): Promise<string> {
  const dir = join(root, name);
  if (!fitted[name]) {
    fitted[name] = models[name].make();
    await fitted[name].fit(train, silent);
    await fitted[name].save(dir);
  }
  return dir;
}

/** Every file of a saved model's folder, by name. */
function files(dir: string): Record<string, Buffer> {
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))]));
}

function manifest(dir: string): { model: string; version: number; meta: { optimizerSteps: number } } {
  return JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
}

it('every ranker is in rl.RANKERS and tested here', () => {
  expect(Object.keys(RANKERS).sort()).toEqual(Object.keys(models).sort());
});

describe.each(Object.keys(models))('%s', (name) => {
  it('predicts and scores the very same numbers after save → load, by its class and by rl.loadRanker', async () => {
    const dir = await savedDir(name);
    const model = fitted[name];
    const before = model.predict(test);
    for (const t of model.tasks)
      // Predictions that vary: equal ones after loading mean the weights came back, not that nothing matters.
      expect(new Set(before[t]).size, `${name} ${t} predictions vary`).toBeGreaterThan(10);
    for (const loaded of [await models[name].load(dir), await loadRanker(dir)]) {
      expect(loaded.name).toBe(name);
      expect(loaded.isFitted).toBe(true);
      expect(loaded.config).toEqual(model.config);
      expect(loaded.tasks).toEqual(model.tasks);
      const after = loaded.predict(test);
      expect(Object.keys(after)).toEqual(Object.keys(before));
      for (const t of model.tasks) expect(after[t], `${name} ${t}`).toEqual(before[t]);
      for (const task of model.tasks)
        expect(loaded.scoreItems(user, items, { task })).toEqual(model.scoreItems(user, items, { task }));
      const weights = Object.fromEntries(model.tasks.map((t, i) => [t, i + 1]));
      expect(loaded.scoreItems(user, items, { weights })).toEqual(model.scoreItems(user, items, { weights }));
      if (loaded instanceof ESMM) expect(loaded.cvr(test)).toEqual((model as ESMM).cvr(test));
      // The name lookups came back too, with today's messages for names they lack.
      expect(() => loaded.scoreItems('usr3', items)).toThrow(
        /Unknown user "usr3".*Closest user names: .*"user3"/,
      );
      expect(() => loaded.scoreItems(user, ['item300'])).toThrow(/Unknown item "item300"/);
    }
  });
});

describe.each(['DIN', 'MMoE'])('%s resumed after a load', (name) => {
  it('goes on exactly as without the round trip: the same losses, weights and optimiser state', async () => {
    const { make, load } = models[name];
    const straight = make();
    await straight.fit(train, silent);
    const saved = join(root, `${name}-resume`);
    await straight.save(saved);
    const loaded = await load(saved);
    const more = { ...silent, resume: true, epochs: 2 };
    const a = await straight.fit(test, more);
    const b = await loaded.fit(test, more);
    expect(b.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(b.epochs.map((e) => e.loss)).toEqual(a.epochs.map((e) => e.loss));
    const [dirA, dirB] = [join(root, `${name}-a`), join(root, `${name}-b`)];
    await straight.save(dirA);
    await loaded.save(dirB);
    const [filesA, filesB] = [files(dirA), files(dirB)];
    expect(Object.keys(filesB).sort()).toEqual(Object.keys(filesA).sort());
    for (const f of Object.keys(filesA))
      if (f.startsWith('weights.') || f.startsWith('optimizer.'))
        expect(filesB[f].equals(filesA[f]), f).toBe(true);
    // Adam's step count went on from the first fit's.
    const steps = Math.ceil(train.size / small.batchSize) + 2 * Math.ceil(test.size / small.batchSize);
    expect(manifest(dirB).meta.optimizerSteps).toBe(steps);
    // It continued: a fresh fit on the later samples ends elsewhere.
    const fresh = make();
    await fresh.fit(test, { ...silent, epochs: 2 });
    const t = fresh.tasks[0];
    expect(fresh.predict(train)[t]).not.toEqual(loaded.predict(train)[t]);
    expect(loaded.predict(train)[t]).toEqual(straight.predict(train)[t]);
  });
});

describe('an interrupted fit', () => {
  it('resumes where it stopped, its curve continuing', async () => {
    const model = new DNN({ ...small, layers: [8], epochs: 3 });
    const controller = new AbortController();
    const fit = model.fit(train, {
      ...silent,
      signal: controller.signal,
      onEpoch: (log) => log.epoch === 1 && controller.abort(),
    });
    await expect(fit).rejects.toBeInstanceOf(FitCancelledError);
    expect(model.isFitted).toBe(false);
    const history = await model.fit(train, { ...silent, resume: true, epochs: 1 });
    expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(model.isFitted).toBe(true);
  });
});

describe('resume refusals', () => {
  it('refuses a resume that cannot go on, and leaves the model as it was', async () => {
    const loaded = await DIN.load(await savedDir('DIN'));
    const before = loaded.predict(test).click;
    await expect(new DIN(small).fit(train, { resume: true })).rejects.toThrow(
      'DIN.fit: nothing to resume; fit it first (or load a saved model), then fit(train, { resume: true }).',
    );
    await expect(loaded.fit(train, { ...silent, resume: true, embeddingDim: 8 })).rejects.toThrow(
      'DIN.fit: embeddingDim was 4 in the last fit; ' +
        "a resumed fit keeps the model's shape (embeddingDim, layers, task).",
    );
    const other = rankingFixture({ users: 41, items: 30, categories: 5, steps: 2 }).train;
    await expect(loaded.fit(other, { ...silent, resume: true })).rejects.toThrow(
      'DIN.fit: resume needs samples of the vocabulary of the last fit (40 users, 30 items, 5 categories; ' +
        'samples built together share it); these have 41 users, 30 items, 5 categories. Fit afresh without resume.',
    );
    expect(loaded.isFitted).toBe(true);
    expect(loaded.config.embeddingDim).toBe(4);
    expect(loaded.predict(test).click).toEqual(before);
  });
});

describe('loading the wrong thing', () => {
  it('a ranker of another class, or a retrieval model, is refused naming the file and the loader to use', async () => {
    const mmoe = await savedDir('MMoE');
    await expect(DIN.load(mmoe)).rejects.toThrow(
      `${join(mmoe, 'model.json')} holds a MMoE ranker, not DIN: load it with rl.MMoE.load(dir) or rl.loadRanker(dir).`,
    );
    await expect(loadModel(mmoe)).rejects.toThrow(
      `${join(mmoe, 'model.json')} holds a MMoE ranker, not a retrieval or sequence model: ` +
        'load it with rl.MMoE.load(dir) or rl.loadRanker(dir).',
    );
    await expect(MostPopular.load(mmoe)).rejects.toThrow(`holds a MMoE ranker, not MostPopular`);
    const popular = join(root, 'popular');
    const model = new MostPopular();
    await model.fit(synthetic({ users: 30, items: 20 }));
    await model.save(popular);
    await expect(DIN.load(popular)).rejects.toThrow(
      `${join(popular, 'model.json')} holds a MostPopular model, not DIN: ` +
        'load it with rl.MostPopular.load(dir) or rl.loadModel(dir).',
    );
    await expect(loadRanker(popular)).rejects.toThrow(
      `${join(popular, 'model.json')} holds a MostPopular model, not a ranker: ` +
        'load it with rl.MostPopular.load(dir) or rl.loadModel(dir).',
    );
  });

  it('a ranker class this RecLab does not know, or a newer format version, is refused saying what to do', async () => {
    const dir = join(root, 'edited');
    cpSync(await savedDir('DNN'), dir, { recursive: true });
    const file = join(dir, 'model.json');
    const original = readFileSync(file, 'utf8');
    const edit = (change: (m: Record<string, unknown>) => void) => {
      const m = JSON.parse(original);
      change(m);
      writeFileSync(file, JSON.stringify(m));
    };
    edit((m) => (m.version = 2));
    await expect(DNN.load(dir)).rejects.toThrow(
      `${file} was saved by a newer RecLab (format version 2; this one reads version 1): update RecLab to load it.`,
    );
    await expect(loadRanker(dir)).rejects.toThrow('format version 2');
    edit((m) => (m.model = 'constructor'));
    await expect(loadRanker(dir)).rejects.toThrow(
      `${dir} holds a "constructor" model, which this RecLab does not know ` +
        `(it knows ${Object.keys(RANKERS).join(', ')}).`,
    );
    edit((m) => (m.format = 'other'));
    await expect(DNN.load(dir)).rejects.toThrow(`${file} is not a RecLab model.`);
  });

  it('a missing file is named', async () => {
    const dir = join(root, 'incomplete');
    cpSync(await savedDir('DIEN'), dir, { recursive: true });
    const lost = manifest(dir) as unknown as { arrays: { name: string }[] };
    for (const name of ['log.items', lost.arrays.find((a) => a.name.startsWith('weights.'))!.name]) {
      const copy = join(root, `incomplete-${name}`);
      cpSync(dir, copy, { recursive: true });
      unlinkSync(join(copy, `${name}.bin`));
      await expect(DIEN.load(copy)).rejects.toThrow(
        `${join(copy, `${name}.bin`)} is missing: ${join(copy, 'model.json')} lists it, so the saved model is ` +
          'incomplete. Copy the whole folder, or save the model again.',
      );
    }
    const empty = join(root, 'nothing here');
    await expect(DIEN.load(empty)).rejects.toThrow(
      `${join(empty, 'model.json')} is missing: ${empty} holds no saved model. Save one there with model.save(dir).`,
    );
    await expect(new DIEN(small).save(join(root, 'unfitted'))).rejects.toThrow(
      'DIEN is not fitted yet: call fit(train) first.',
    );
  });
});
