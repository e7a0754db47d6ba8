import { describe, expect, it } from 'vitest';
import {
  Dataset,
  FitCancelledError,
  ItemCF,
  TwoTower,
  AutoEncoder,
  EASE,
  type SettingsSchema,
} from '../src/recsys';
import { checkSettings, defaults } from '../src/recsys/engine/settings';
import { expectReloadsIdentically } from './helpers/reload';

function data(): Dataset {
  return Dataset.fromInteractions({
    user: ['a', 'a', 'b', 'b', 'c', 'c'],
    item: ['x', 'y', 'x', 'z', 'y', 'z'],
    rating: [5, 3, 4, 2, 1, 4],
  });
}

/** Settings as a notebook cell may type them, past the compiler's checks. */
function untyped<C>(settings: Record<string, unknown>): Partial<C> {
  return settings as Partial<C>;
}

describe('a misspelled setting', () => {
  it('is refused by the constructor, naming the closest setting and listing them all', () => {
    expect(() => new ItemCF(untyped({ neighbors: 50 }))).toThrow(
      'new rl.ItemCF: no setting "neighbors"; did you mean "neighbours"? ' +
        'Its settings are neighbours, shrink, seeds, binary, cut.',
    );
  });

  it('is refused by fit before any training, which also points at the fit controls', async () => {
    const m = new TwoTower();
    await expect(m.fit(data(), { epoch: 3 })).rejects.toThrow(
      'TwoTower.fit: no setting "epoch"; did you mean "epochs"?',
    );
    await expect(m.fit(data(), { progres: false })).rejects.toThrow(
      /did you mean "progress"\? Its settings are .* \(and onEpoch, signal, progress, resume, sample\)\./,
    );
    expect(m.isFitted).toBe(false);
  });
});

describe('a setting of the wrong type or out of bounds', () => {
  it('int: a whole number within its bounds', () => {
    expect(() => new ItemCF({ neighbours: 2.5 })).toThrow(
      'new rl.ItemCF: neighbours must be a whole number ≥ 1, got 2.5.',
    );
    expect(() => new ItemCF({ neighbours: 0 })).toThrow('neighbours must be a whole number ≥ 1, got 0.');
    expect(() => new ItemCF(untyped({ neighbours: '20' }))).toThrow(
      'neighbours must be a whole number ≥ 1, got "20".',
    );
    expect(new ItemCF({ neighbours: 1, seeds: 0 }).config).toMatchObject({ neighbours: 1, seeds: 0 });
  });

  it('number: finite, with a closed or an open bound', () => {
    expect(() => new ItemCF({ shrink: -1 })).toThrow('new rl.ItemCF: shrink must be a number ≥ 0, got -1.');
    expect(new ItemCF({ shrink: 0 }).config.shrink).toBe(0);
    expect(() => new TwoTower({ learningRate: 0 })).toThrow(
      'new rl.TwoTower: learningRate must be a number > 0, got 0.',
    );
    expect(() => new TwoTower({ temperature: Number.NaN })).toThrow(
      'temperature must be a number > 0, got NaN.',
    );
    expect(() => new EASE({ lambda: Infinity })).toThrow('lambda must be a number > 0, got Infinity.');
    // Open at one end only: [0, 1).
    expect(new AutoEncoder({ corruption: 0 }).config.corruption).toBe(0);
    expect(() => new AutoEncoder({ corruption: 1 })).toThrow(
      'corruption must be a number ≥ 0 and < 1, got 1.',
    );
  });

  it('boolean: true or false, nothing truthy', () => {
    expect(() => new ItemCF(untyped({ binary: 'yes' }))).toThrow(
      'new rl.ItemCF: binary must be true or false, got "yes".',
    );
    expect(() => new TwoTower(untyped({ logQ: 1 }))).toThrow('logQ must be true or false, got 1.');
  });

  it('choice: one of its values', () => {
    expect(() => new TwoTower(untyped({ score: 'euclid' }))).toThrow(
      'new rl.TwoTower: score must be one of "cosine", "dot", got "euclid".',
    );
    expect(new TwoTower({ score: 'dot' }).config.score).toBe('dot');
  });

  it('ints: a non-empty list of whole numbers, of a fixed length where the setting has one', () => {
    expect(() => new TwoTower({ layers: [] })).toThrow(
      'new rl.TwoTower: layers must be a list of whole numbers ≥ 1, e.g. [64, 32], got [].',
    );
    expect(() => new TwoTower({ layers: [64, 0] })).toThrow('got [64, 0].');
    expect(() => new TwoTower({ layers: [64.5] })).toThrow('got [64.5].');
    expect(() => new TwoTower(untyped({ layers: 64 }))).toThrow(
      'layers must be a list of whole numbers ≥ 1, e.g. [64, 32], got 64.',
    );
    expect(new TwoTower({ layers: [16, 16, 8] }).config.layers).toEqual([16, 16, 8]);
    expect(() => new AutoEncoder(untyped({ hidden: [32] }))).toThrow(
      'new rl.AutoEncoder: hidden must be a list of 2 whole numbers ≥ 1, e.g. [64, 32], got [32].',
    );
    expect(() => new AutoEncoder(untyped({ hidden: [32, 16, 8] }))).toThrow('got [32, 16, 8].');
  });

  it('choices: distinct values from its values; numbers: numbers within the bounds; neither empty', () => {
    interface Config {
      tasks: string[];
      weights: number[];
    }
    const schema: SettingsSchema<Config> = {
      tasks: { type: 'choices', values: ['click', 'cart', 'buy'], default: ['click'] },
      weights: { type: 'numbers', min: 0, max: 10, default: [1] },
    };
    expect(checkSettings(schema, { tasks: ['buy', 'click'], weights: [0, 2.5] }, 'MMoE')).toEqual({
      tasks: ['buy', 'click'],
      weights: [0, 2.5],
    });
    const bad = 'MMoE: tasks must be a non-empty list of distinct values from "click", "cart", "buy"';
    expect(() => checkSettings(schema, { tasks: [] }, 'MMoE')).toThrow(`${bad}, got [].`);
    expect(() => checkSettings(schema, { tasks: ['click', 'clicks'] }, 'MMoE')).toThrow(
      `${bad}, got ["click", "clicks"].`,
    );
    expect(() => checkSettings(schema, { tasks: ['buy', 'buy'] }, 'MMoE')).toThrow(
      `${bad}, got ["buy", "buy"].`,
    );
    expect(() => checkSettings(schema, { tasks: 'click' }, 'MMoE')).toThrow(`${bad}, got "click".`);
    expect(() => checkSettings(schema, { weights: [] }, 'MMoE')).toThrow(
      'MMoE: weights must be a non-empty list of numbers ≥ 0 and ≤ 10, e.g. [1, 0.5], got [].',
    );
    expect(() => checkSettings(schema, { weights: [1, 11] }, 'MMoE')).toThrow('got [1, 11].');
    expect(() => checkSettings(schema, { weights: [1, Number.NaN] }, 'MMoE')).toThrow('got [1, NaN].');
    expect(() => checkSettings(schema, { weights: ['1'] }, 'MMoE')).toThrow('got ["1"].');
    // Given lists are copied, and so are the defaults.
    const tasks = ['cart'];
    const checked = checkSettings(schema, { tasks }, 'MMoE');
    tasks.push('buy');
    expect(checked.tasks).toEqual(['cart']);
    const d = defaults(schema);
    d.tasks.push('buy');
    expect(defaults(schema).tasks).toEqual(['click']);
  });

  it('is refused by fit too, naming fit as the one that was given it', async () => {
    await expect(new TwoTower().fit(data(), { batchSize: 0 })).rejects.toThrow(
      'TwoTower.fit: batchSize must be a whole number ≥ 1, got 0.',
    );
    await expect(new AutoEncoder().fit(data(), { hidden: [8] })).rejects.toThrow(
      'AutoEncoder.fit: hidden must be a list of 2 whole numbers ≥ 1',
    );
  });

  it('a bound above, and no bound at all, read as such', () => {
    interface Config {
      level: number;
      seed: number;
    }
    const schema: SettingsSchema<Config> = {
      level: { type: 'int', max: 9, default: 5 },
      seed: { type: 'int', default: 0 },
    };
    expect(defaults(schema)).toEqual({ level: 5, seed: 0 });
    expect(() => checkSettings(schema, { level: 10 }, 'zip')).toThrow(
      'zip: level must be a whole number ≤ 9, got 10.',
    );
    expect(checkSettings(schema, { level: -3, seed: -1, ignored: undefined }, 'zip')).toEqual({
      level: -3,
      seed: -1,
    });
  });
});

describe('the settings a model holds', () => {
  it('are copies: neither the defaults nor what was given are shared', () => {
    const layers = [8, 4];
    const m = new TwoTower({ layers });
    layers.push(2);
    expect(m.config.layers).toEqual([8, 4]);
    const a = new TwoTower();
    a.config.layers.push(1);
    expect(new TwoTower().config.layers).toEqual([64, 32]);
  });

  it('include those a fit was given, after the fit and in a saved and loaded model', async () => {
    const m = new ItemCF({ neighbours: 50 });
    await m.fit(data(), { neighbours: 3, binary: false, progress: false });
    expect(m.config).toEqual({ neighbours: 3, shrink: 10, seeds: 0, binary: false, cut: 'target' });
    for (const loaded of await expectReloadsIdentically(m, 'a')) expect(loaded.config).toEqual(m.config);
    // A later fit without them keeps them.
    await m.fit(data(), { progress: false });
    expect(m.config).toMatchObject({ neighbours: 3, binary: false });
  });

  it('are as they were when a fit fails, whether in its settings or in its training', async () => {
    const m = new ItemCF({ neighbours: 50 });
    await m.fit(data(), { shrink: 2, progress: false });
    const before = { ...m.config };
    await expect(m.fit(data(), { neighbours: 5, shrink: -1 })).rejects.toThrow(
      'ItemCF.fit: shrink must be a number ≥ 0, got -1.',
    );
    expect(m.config).toEqual(before);
    const controller = new AbortController();
    controller.abort();
    await expect(
      m.fit(data(), { neighbours: 5, binary: false, signal: controller.signal, progress: false }),
    ).rejects.toBeInstanceOf(FitCancelledError);
    expect(m.config).toEqual(before);
    const tt = new TwoTower({ epochs: 2 });
    await expect(tt.fit(data().subset(new Int32Array(0)), { epochs: 7, layers: [8] })).rejects.toThrow(
      /no interactions/,
    );
    expect(tt.config).toMatchObject({ epochs: 2, layers: [64, 32] });
  });
});

describe('resume', () => {
  it('is refused by a model that cannot resume, saying why', async () => {
    const m = new ItemCF();
    await m.fit(data(), { progress: false });
    await expect(m.fit(data(), { resume: true })).rejects.toThrow(
      'ItemCF.fit: resume is for models trained in epochs (it continues from the weights and optimiser state ' +
        'of the last fit); ItemCF is computed in one pass.',
    );
    await expect(new TwoTower().fit(data(), { resume: true })).rejects.toThrow(
      'TwoTower.fit: resume is for models trained in epochs (it continues from the weights and optimiser state ' +
        'of the last fit); TwoTower starts every fit afresh.',
    );
    // resume: false is the default, not an error.
    await m.fit(data(), { resume: false, progress: false });
    expect(m.isFitted).toBe(true);
  });
});
