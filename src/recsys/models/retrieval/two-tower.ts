/**
 * Two-tower retrieval: a user tower and an item tower (ID and attribute embeddings, then an
 * MLP) trained so that a user's vector scores the items they interacted with above the
 * other items of the batch (in-batch softmax), optionally above uniformly drawn items too
 * (mixed negatives), with the logQ correction for how often an item is drawn as a
 * negative. Recommending is one inner product per item, so the item vectors can go into a
 * ClusterIndex. Its epochs run on the training engine (`runTraining`); the step is the
 * written-out one, faster than the engine's taped one (see WrittenTowers).
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/dataset';
import type { FeatureSet } from '../../data/features';
import { Model, type Embeddings } from '../../model';
import { DenseStack, Embedding, Params } from '../../engine/layers';
import { Mlp, type MlpTape } from '../../engine/mlp';
import { Optimizer } from '../../engine/optimizer';
import { Random } from '../../random';
import { l2Normalize, sampledSoftmax } from '../../engine/sampled-softmax';
import { NegativeSampler, candidateLogQ } from '../../engine/negatives';
import type { ModelState } from '../../store';
import { TowerInput, standardise } from '../../engine/tower-input';
import { runTraining, tapedStep } from '../../engine/trainer';
import type { TrainingContext } from '../../engine/training';
import type { SettingsSchema } from '../../engine/settings';

export interface TwoTowerConfig {
  /** Width of every embedding (the ID and each attribute group). */
  embeddingDim: number;
  /** Widths of each tower's layers; the last is the width of the user and item vectors. */
  layers: number[];
  /** Cosine (vectors normalised, logits divided by `temperature`) or plain dot product. */
  score: 'cosine' | 'dot';
  temperature: number;
  /** Uniformly drawn items added to every batch's negatives (0: in-batch negatives only). */
  uniformNegatives: number;
  /** Subtract log(expected times an item is a candidate) from its logit. */
  logQ: boolean;
  /** Use the dataset's user and item attribute groups (else IDs only). */
  useFeatures: boolean;
  batchSize: number;
  epochs: number;
  learningRate: number;
  seed: number;
}

const SCHEMA: SettingsSchema<TwoTowerConfig> = {
  embeddingDim: { type: 'int', min: 1, default: 32 },
  layers: { type: 'ints', min: 1, default: [64, 32] },
  score: { type: 'choice', values: ['cosine', 'dot'], default: 'cosine' },
  temperature: { type: 'number', min: 0, open: true, default: 0.1 },
  uniformNegatives: { type: 'int', min: 0, default: 0 },
  logQ: { type: 'boolean', default: true },
  useFeatures: { type: 'boolean', default: true },
  batchSize: { type: 'int', min: 1, default: 256 },
  epochs: { type: 'int', min: 1, default: 10 },
  learningRate: { type: 'number', min: 0, open: true, default: 0.01 },
  seed: { type: 'int', default: 42 },
};

/** Rows of the towers' inputs sent through TensorFlow.js at once when computing final vectors. */
const EMBED_CHUNK = 4096;

/** Which step trains TwoTower: the written-out one (the default, see WrittenTowers) or the engine's taped one. */
export type TwoTowerStep = 'written' | 'taped';

export class TwoTower extends Model<TwoTowerConfig> {
  private users: Embeddings = { data: new Float32Array(0), dim: 0 };
  private items: Embeddings = { data: new Float32Array(0), dim: 0 };
  /**
   * Which step trains. Not a setting: both train the same towers on the same batches, with
   * the same loss; the bench and the tests set it on a subclass to run the taped step
   * beside the written one it lost to.
   */
  protected readonly trainingStep: TwoTowerStep = 'written';

  constructor(config: Partial<TwoTowerConfig> = {}) {
    super('TwoTower', SCHEMA, config);
  }

  /** The user vectors (numUsers × dim, row-major): score = user · item. */
  userEmbeddings(): Embeddings {
    void this.train; // throws when not fitted
    return this.users;
  }

  override itemEmbeddings(): Embeddings {
    void this.train;
    return this.items;
  }

  protected async fitModel(train: Dataset, ctx: TrainingContext): Promise<void> {
    const c = this.config;
    if (train.numInteractions === 0) throw new Error('TwoTower: the training data has no interactions.');
    // One seeded stream draws the initial weights (as the towers are made), then the
    // shuffles and the uniform negatives (as the batches are filled).
    const random = new Random(c.seed);
    const batches = new Batches(train, c, random);
    const towers: Towers =
      this.trainingStep === 'taped' ? new TapedTowers(train, c, random) : new WrittenTowers(train, c, random);
    try {
      towers.prepare(batches);
      await runTraining(ctx, {
        epochs: c.epochs,
        stepsPerEpoch: batches.steps,
        startEpoch: () => batches.shuffle(),
        step: (s) => {
          batches.fill(s);
          return towers.step(batches);
        },
      });
      this.users = towers.embed('user');
      this.items = towers.embed('item');
    } finally {
      towers.dispose();
    }
  }

  protected scoreUser(u: number, out: Float32Array): void {
    const { data: U, dim } = this.users;
    const I = this.items.data;
    for (let i = 0; i < out.length; i++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += U[u * dim + j] * I[i * dim + j];
      out[i] = s;
    }
  }

  protected state(): ModelState {
    return {
      config: { ...this.config },
      arrays: { userEmbeddings: this.users.data, itemEmbeddings: this.items.data },
    };
  }

  protected restore(state: ModelState): void {
    const dim = state.arrays.itemEmbeddings.length / this.train.numItems;
    this.users = { data: state.arrays.userEmbeddings as Float32Array, dim };
    this.items = { data: state.arrays.itemEmbeddings as Float32Array, dim };
  }
}

/**
 * The batches of a fit: each step's users, their positive items and the uniform negatives
 * after them, and each item's logQ correction. The shuffles and the negatives come from
 * the model's seeded stream, so a seed gives the same batches.
 */
class Batches {
  /** Users (and positive items) per step. */
  readonly size: number;
  /** Items each user is scored against: the batch's positives, then the uniform negatives. */
  readonly candidates: number;
  readonly steps: number;
  readonly userIds: Int32Array;
  readonly itemIds: Int32Array;
  /** log of the expected number of times each item is a candidate in one batch. */
  readonly logExpected: Float32Array;
  private readonly order: Int32Array;
  private readonly negatives: NegativeSampler;

  constructor(
    private readonly train: Dataset,
    c: TwoTowerConfig,
    private readonly random: Random,
  ) {
    this.size = Math.min(c.batchSize, train.numInteractions);
    this.candidates = this.size + c.uniformNegatives;
    this.steps = Math.floor(train.numInteractions / this.size);
    this.userIds = new Int32Array(this.size);
    this.itemIds = new Int32Array(this.candidates);
    this.order = Int32Array.from({ length: train.numInteractions }, (_, i) => i);
    const counts = new Float64Array(train.numItems);
    for (const i of train.items) counts[i]++;
    this.negatives = new NegativeSampler(counts, { strategy: 'uniform', random });
    this.logExpected = candidateLogQ(counts, {
      inBatch: this.size,
      sampled: c.uniformNegatives,
      sampler: this.negatives,
    });
  }

  shuffle(): void {
    this.random.shuffle(this.order);
  }

  /** Step `s`'s users, positives and negatives into userIds and itemIds. */
  fill(s: number): void {
    const { size, train, order, userIds, itemIds } = this;
    for (let b = 0; b < size; b++) {
      userIds[b] = train.users[order[s * size + b]];
      itemIds[b] = train.items[order[s * size + b]];
    }
    this.negatives.draw(itemIds, size, this.candidates);
  }
}

/** The two towers of one fit, and the step that trains them. */
interface Towers {
  /** Sets up what the steps need once the batches' shapes are known. */
  prepare(batches: Batches): void;
  /** One training step on the filled batch; its loss stays on the device. */
  step(batches: Batches): tf.Scalar;
  /** Every user's or item's final vector (normalised for cosine scoring). */
  embed(side: 'user' | 'item'): Embeddings;
  dispose(): void;
}

/**
 * The written-out step, kept because it is faster than the engine's taped one (TapedTowers)
 * on the backend RecLab falls back to. Each step sends one user-input and one item-input
 * matrix into TensorFlow.js, which runs the towers, the sampled softmax and the gradients
 * (written out, see Mlp and sampledSoftmax) and returns the gradients for the input rows;
 * the tower weights and the embedding rows then take their Adam steps in typed arrays,
 * lazily: only the rows a batch used. Taped, every step runs Adam over whole embedding
 * tables and several times as many kernel calls.
 *
 * Measured in one process on wasm (1 thread; AMD EPYC, 2 shared cores), default
 * settings, 3 epochs, best of 3 alternating runs, 2026-12-07, samples/s: ml-latest-small
 * written 78,700, taped 14,200; the synthetic sample written 69,700, taped 15,000 (the
 * written step before it moved onto runTraining: 75,900 and 67,100). Neither an ID-only
 * tower nor the genre bag as a multi-hot product brings the taped step within 3× of this one.
 */
class WrittenTowers implements Towers {
  private readonly userInput: TowerInput;
  private readonly itemInput: TowerInput;
  private readonly userTower: Mlp;
  private readonly itemTower: Mlp;
  private userRows = new Float32Array(0);
  private itemRows = new Float32Array(0);
  private userGrad = new Float32Array(0);
  private itemGrad = new Float32Array(0);
  private logitBias = new Float32Array(0);
  /** Per batch position, the next position holding the same item, or -1 (see logitBiases). */
  private sameItem = new Int32Array(0);
  /** Per item, its first position in the batch, or -1; all -1 between batches. */
  private readonly firstAt: Int32Array;
  private positives: tf.Tensor2D | null = null;

  constructor(
    train: Dataset,
    private readonly c: TwoTowerConfig,
    random: Random,
  ) {
    const adam = { learningRate: c.learningRate };
    this.userInput = new TowerInput(
      train.numUsers,
      c.useFeatures ? train.userFeatures : null,
      c.embeddingDim,
      random,
      adam,
    );
    this.itemInput = new TowerInput(
      train.numItems,
      c.useFeatures ? train.itemFeatures : null,
      c.embeddingDim,
      random,
      adam,
    );
    this.userTower = new Mlp([this.userInput.width, ...c.layers], random);
    this.itemTower = new Mlp([this.itemInput.width, ...c.layers], random);
    this.userTower.train(adam);
    this.itemTower.train(adam);
    this.firstAt = new Int32Array(train.numItems).fill(-1);
  }

  prepare({ size, candidates }: Batches): void {
    this.userRows = new Float32Array(size * this.userInput.width);
    this.itemRows = new Float32Array(candidates * this.itemInput.width);
    this.userGrad = new Float32Array(this.userRows.length);
    this.itemGrad = new Float32Array(this.itemRows.length);
    this.logitBias = new Float32Array(size * candidates);
    this.sameItem = new Int32Array(size);
    this.positives = tf.eye(size, candidates) as tf.Tensor2D;
  }

  step(batches: Batches): tf.Scalar {
    this.logitBiases(batches);
    this.userInput.fill(batches.userIds, this.userRows);
    this.itemInput.fill(batches.itemIds, this.itemRows);
    const loss = tf.tidy(() => this.gradients(batches));
    this.userTower.step();
    this.itemTower.step();
    this.userInput.update(batches.userIds, this.userGrad);
    this.itemInput.update(batches.itemIds, this.itemGrad);
    return loss;
  }

  /**
   * The batch's loss; leaves the gradients for the tower inputs in userGrad and itemGrad
   * and those for the tower weights in the towers.
   */
  private gradients({ size, candidates }: Batches): tf.Scalar {
    const { c, userTower, itemTower } = this;
    const userTape: MlpTape = { inputs: [], outputs: [] };
    const itemTape: MlpTape = { inputs: [], outputs: [] };
    const userOut = userTower.apply(tf.tensor2d(this.userRows, [size, this.userInput.width]), userTape);
    const itemOut = itemTower.apply(tf.tensor2d(this.itemRows, [candidates, this.itemInput.width]), itemTape);
    const cosine = c.score === 'cosine';
    const bias = tf.tensor2d(this.logitBias, [size, candidates]);
    const { loss, dUsers, dItems } = sampledSoftmax(userOut, itemOut, bias, this.positives!, {
      cosine,
      scale: cosine ? 1 / c.temperature : 1,
    });
    this.userGrad.set(userTower.backward(userTape, dUsers, true)!.dataSync() as Float32Array);
    this.itemGrad.set(itemTower.backward(itemTape, dItems, true)!.dataSync() as Float32Array);
    return loss;
  }

  /** The logit corrections of the batch: −logQ of each candidate, and −1e9 for accidental hits. */
  private logitBiases({ size, candidates, itemIds, logExpected }: Batches): void {
    const { logitBias, sameItem, firstAt } = this;
    const row = logitBias.subarray(0, candidates);
    for (let n = 0; n < candidates; n++) row[n] = this.c.logQ ? -logExpected[itemIds[n]] : 0;
    for (let b = 1; b < size; b++) logitBias.copyWithin(b * candidates, 0, candidates);
    // The user's own item appearing again (as another user's positive or as a drawn
    // negative) is not a negative: it would push the user away from what they chose.
    for (let b = size - 1; b >= 0; b--) {
      sameItem[b] = firstAt[itemIds[b]];
      firstAt[itemIds[b]] = b;
    }
    for (let n = 0; n < candidates; n++) {
      for (let b = firstAt[itemIds[n]]; b >= 0; b = sameItem[b])
        if (b !== n) logitBias[b * candidates + n] = -1e9;
    }
    for (let b = 0; b < size; b++) firstAt[itemIds[b]] = -1;
  }

  embed(side: 'user' | 'item'): Embeddings {
    const [input, tower] =
      side === 'user' ? [this.userInput, this.userTower] : [this.itemInput, this.itemTower];
    const dim = tower.sizes[tower.sizes.length - 1];
    return embedAll(
      input.count,
      dim,
      (ids) => {
        const rows = new Float32Array(ids.length * input.width);
        input.fill(ids, rows);
        return tower.apply(tf.tensor2d(rows, [ids.length, input.width]));
      },
      this.c.score,
    );
  }

  dispose(): void {
    this.userTower.dispose();
    this.itemTower.dispose();
    this.positives?.dispose();
  }
}

/**
 * One tower on the engine: an ID embedding, an embedding bag per categorical attribute
 * group and the standardised numeric attributes, concatenated, then a DenseStack.
 */
class TapedTower {
  readonly count: number;
  private readonly id: Embedding;
  private readonly bags: { embedding: Embedding; ids: tf.Tensor2D }[] = [];
  /** count × numeric attributes, standardised (missing values 0); null when there are none. */
  private readonly numeric: tf.Tensor2D | null = null;
  readonly mlp: DenseStack;

  constructor(params: Params, name: string, count: number, features: FeatureSet | null, c: TwoTowerConfig) {
    this.count = count;
    const dim = c.embeddingDim;
    const init = { normal: 0.1 };
    this.id = new Embedding(params, `${name}.id`, count, dim, init);
    let width = dim;
    const numeric: Float32Array[] = [];
    for (const g of features?.groups ?? []) {
      if (g.kind === 'categorical') {
        this.bags.push({
          embedding: new Embedding(params, `${name}.${g.name}`, g.cardinality, dim, init),
          ids: tf.keep(tf.tensor2d(g.ids, [count, g.width], 'int32')),
        });
        width += dim;
      } else {
        const { mean, scale } = standardise(g.values!);
        numeric.push(g.values!.map((v) => (Number.isNaN(v) ? 0 : (v - mean) * scale)));
        width += 1;
      }
    }
    if (numeric.length) {
      const columns = new Float32Array(count * numeric.length);
      numeric.forEach((values, k) => values.forEach((v, e) => (columns[e * numeric.length + k] = v)));
      this.numeric = tf.keep(tf.tensor2d(columns, [count, numeric.length]));
    }
    this.mlp = new DenseStack(params, `${name}.mlp`, [width, ...c.layers]);
  }

  apply(ids: tf.Tensor1D): tf.Tensor2D {
    const parts: tf.Tensor[] = [this.id.apply(ids)];
    for (const b of this.bags) parts.push(b.embedding.bag(tf.gather(b.ids, ids) as tf.Tensor2D));
    if (this.numeric) parts.push(tf.gather(this.numeric, ids));
    return this.mlp.apply(parts.length > 1 ? tf.concat(parts, 1) : parts[0]) as tf.Tensor2D;
  }

  dispose(): void {
    tf.dispose([...this.bags.map((b) => b.ids), ...(this.numeric ? [this.numeric] : [])]);
  }
}

/**
 * The step on the engine: the towers as layers, the sampled softmax with its logQ
 * correction and accidental-hit mask as plain TensorFlow.js ops, the gradients taped and
 * the engine's Adam, all on the device. Slower than WrittenTowers on wasm (see there).
 */
class TapedTowers implements Towers {
  private readonly params: Params;
  private userTower!: TapedTower;
  private itemTower!: TapedTower;
  private optimizer!: Optimizer;
  private readonly constants: tf.Tensor[] = [];
  private run: (() => tf.Scalar) | null = null;

  constructor(
    train: Dataset,
    private readonly c: TwoTowerConfig,
    random: Random,
  ) {
    const params = new Params(random);
    this.userTower = new TapedTower(
      params,
      'user',
      train.numUsers,
      c.useFeatures ? train.userFeatures : null,
      c,
    );
    this.itemTower = new TapedTower(
      params,
      'item',
      train.numItems,
      c.useFeatures ? train.itemFeatures : null,
      c,
    );
    this.optimizer = new Optimizer(params.variables, {
      optimizer: 'adam',
      learningRate: c.learningRate,
      weightDecay: 0,
      clipNorm: 0,
      schedule: 'constant',
      warmup: 0,
    });
    this.params = params;
  }

  prepare(batches: Batches): void {
    const { size, candidates } = batches;
    const { c } = this;
    this.optimizer.plan(c.epochs * batches.steps);
    const positives = tf.eye(size, candidates) as tf.Tensor2D;
    const minusLogQ = tf.tensor1d(batches.logExpected.map((v) => -v));
    this.constants.push(positives, minusLogQ);
    const scale = c.score === 'cosine' ? 1 / c.temperature : 1;
    this.run = tapedStep(this.params, this.optimizer, () => {
      const userIds = tf.tensor1d(batches.userIds, 'int32');
      const itemIds = tf.tensor1d(batches.itemIds, 'int32');
      let users = this.userTower.apply(userIds);
      let items = this.itemTower.apply(itemIds);
      if (c.score === 'cosine') [users, items] = [l2Normalize(users), l2Normalize(items)];
      let logits = tf.matMul(users, items, false, true);
      if (scale !== 1) logits = tf.mul(logits, scale);
      if (c.logQ) logits = tf.add(logits, tf.gather(minusLogQ, itemIds).expandDims(0));
      // The user's own item appearing again (as another user's positive or as a drawn
      // negative) is not a negative: it would push the user away from what they chose.
      const same = tf.cast(tf.equal(itemIds.slice(0, size).expandDims(1), itemIds.expandDims(0)), 'float32');
      logits = tf.add(logits, tf.mul(tf.sub(same, positives), -1e9));
      return tf.div(tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), positives))), size) as tf.Scalar;
    });
  }

  step(): tf.Scalar {
    return this.run!();
  }

  embed(side: 'user' | 'item'): Embeddings {
    const tower = side === 'user' ? this.userTower : this.itemTower;
    const dim = this.c.layers[this.c.layers.length - 1];
    return embedAll(tower.count, dim, (ids) => tower.apply(tf.tensor1d(ids, 'int32')), this.c.score);
  }

  dispose(): void {
    this.userTower.dispose();
    this.itemTower.dispose();
    tf.dispose(this.constants);
    this.optimizer.dispose();
    this.params.dispose();
  }
}

/** Every entity's final vector (normalised for cosine scoring), computed in chunks by `tower` (ids → vectors). */
function embedAll(
  count: number,
  dim: number,
  tower: (ids: Int32Array) => tf.Tensor2D,
  score: TwoTowerConfig['score'],
): Embeddings {
  const data = new Float32Array(count * dim);
  for (let start = 0; start < count; start += EMBED_CHUNK) {
    const ids = Int32Array.from({ length: Math.min(EMBED_CHUNK, count - start) }, (_, k) => start + k);
    // Copied inside the tidy: a typed array returned from it would be walked element by element.
    tf.tidy(() => {
      const x = tower(ids);
      data.set((score === 'cosine' ? l2Normalize(x) : x).dataSync() as Float32Array, start * dim);
    });
  }
  return { data, dim };
}
