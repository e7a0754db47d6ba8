/**
 * Two-tower retrieval: a user tower and an item tower (ID and attribute embeddings, then an
 * MLP) trained so that a user's vector scores the items they interacted with above the
 * other items of the batch (in-batch softmax), optionally above uniformly drawn items too
 * (mixed negatives), with the logQ correction for how often an item is drawn as a
 * negative. Recommending is one inner product per item, so the item vectors can go into a
 * ClusterIndex.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/dataset';
import { Model, type Embeddings } from '../../model';
import { Mlp, type MlpTape } from '../../engine/mlp';
import { Random } from '../../random';
import { l2Normalize, sampledSoftmax } from '../../engine/sampled-softmax';
import { NegativeSampler, candidateLogQ } from '../../engine/negatives';
import type { ModelState } from '../../store';
import { TowerInput } from '../../engine/tower-input';
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

export class TwoTower extends Model<TwoTowerConfig> {
  private users: Embeddings = { data: new Float32Array(0), dim: 0 };
  private items: Embeddings = { data: new Float32Array(0), dim: 0 };

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
    const random = new Random(c.seed);
    const adam = { learningRate: c.learningRate };
    const userInput = new TowerInput(train.numUsers, c.useFeatures ? train.userFeatures : null, c.embeddingDim, random, adam);
    const itemInput = new TowerInput(train.numItems, c.useFeatures ? train.itemFeatures : null, c.embeddingDim, random, adam);
    const userTower = new Mlp([userInput.width, ...c.layers], random);
    const itemTower = new Mlp([itemInput.width, ...c.layers], random);
    userTower.train(adam);
    itemTower.train(adam);
    const towers = { userInput, itemInput, userTower, itemTower };
    try {
      await new Trainer(train, c, towers, random).run(ctx);
      this.users = embedAll(train.numUsers, userInput, userTower, c.score);
      this.items = embedAll(train.numItems, itemInput, itemTower, c.score);
    } finally {
      userTower.dispose();
      itemTower.dispose();
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
    return { config: { ...this.config }, arrays: { userEmbeddings: this.users.data, itemEmbeddings: this.items.data } };
  }

  protected restore(state: ModelState): void {
    const dim = state.arrays.itemEmbeddings.length / this.train.numItems;
    this.users = { data: state.arrays.userEmbeddings as Float32Array, dim };
    this.items = { data: state.arrays.itemEmbeddings as Float32Array, dim };
  }
}

interface Towers {
  userInput: TowerInput;
  itemInput: TowerInput;
  userTower: Mlp;
  itemTower: Mlp;
}

/**
 * The training loop. Each step sends one user-input and one item-input matrix into
 * TensorFlow.js, which runs the towers, the sampled softmax and the gradients (written out,
 * see Mlp and sampledSoftmax), and returns the gradients for the input rows; the tower weights and the
 * embedding rows then take their Adam steps in typed arrays.
 */
class Trainer {
  private readonly batch: number;
  private readonly candidates: number;
  private readonly userIds: Int32Array;
  private readonly itemIds: Int32Array;
  private readonly userRows: Float32Array;
  private readonly itemRows: Float32Array;
  private readonly userGrad: Float32Array;
  private readonly itemGrad: Float32Array;
  private readonly logitBias: Float32Array;
  /** Per batch position, the next position holding the same item, or -1 (see fillBatch). */
  private readonly sameItem: Int32Array;
  /** Per item, its first position in the batch, or -1; all -1 between batches. */
  private readonly firstAt: Int32Array;
  /** log of the expected number of times each item is a candidate in one batch. */
  private readonly logExpected: Float32Array;
  /** The uniform negatives; it shares `random` with the shuffles, so a seed draws what it did before. */
  private readonly negatives: NegativeSampler;

  constructor(
    private readonly train: Dataset,
    private readonly c: TwoTowerConfig,
    private readonly towers: Towers,
    private readonly random: Random,
  ) {
    this.batch = Math.min(c.batchSize, train.numInteractions);
    this.candidates = this.batch + c.uniformNegatives;
    this.userIds = new Int32Array(this.batch);
    this.itemIds = new Int32Array(this.candidates);
    this.userRows = new Float32Array(this.batch * towers.userInput.width);
    this.itemRows = new Float32Array(this.candidates * towers.itemInput.width);
    this.userGrad = new Float32Array(this.userRows.length);
    this.itemGrad = new Float32Array(this.itemRows.length);
    this.logitBias = new Float32Array(this.batch * this.candidates);
    this.sameItem = new Int32Array(this.batch);
    this.firstAt = new Int32Array(train.numItems).fill(-1);
    const counts = new Float64Array(train.numItems);
    for (const i of train.items) counts[i]++;
    this.negatives = new NegativeSampler(counts, { strategy: 'uniform', random });
    this.logExpected = candidateLogQ(counts, { inBatch: this.batch, sampled: c.uniformNegatives, sampler: this.negatives });
  }

  async run(ctx: TrainingContext): Promise<void> {
    const { batch, train, c, towers } = this;
    const steps = Math.floor(train.numInteractions / batch);
    const order = Int32Array.from({ length: train.numInteractions }, (_, i) => i);
    const positives = tf.eye(batch, this.candidates) as tf.Tensor2D;
    ctx.begin(c.epochs, 'TwoTower epochs');
    try {
      for (let epoch = 0; epoch < c.epochs; epoch++) {
        this.random.shuffle(order);
        // Summed on the device, read once an epoch.
        let lossSum: tf.Scalar = tf.scalar(0);
        for (let s = 0; s < steps; s++) {
          this.fillBatch(order, s * batch);
          const next = tf.tidy(() => tf.add(lossSum, this.gradients(positives)) as tf.Scalar);
          lossSum.dispose();
          lossSum = next;
          towers.userTower.step();
          towers.itemTower.step();
          towers.userInput.update(this.userIds, this.userGrad);
          towers.itemInput.update(this.itemIds, this.itemGrad);
          await ctx.pause();
        }
        const loss = (await lossSum.data())[0] / steps;
        lossSum.dispose();
        await ctx.epoch(loss);
      }
    } finally {
      positives.dispose();
    }
  }

  /**
   * The batch's loss; leaves the gradients for the tower inputs in userGrad and itemGrad
   * and those for the tower weights in the towers.
   */
  private gradients(positives: tf.Tensor2D): tf.Scalar {
    const { batch, candidates, c, towers } = this;
    const userTape: MlpTape = { inputs: [], outputs: [] };
    const itemTape: MlpTape = { inputs: [], outputs: [] };
    const userOut = towers.userTower.apply(tf.tensor2d(this.userRows, [batch, towers.userInput.width]), userTape);
    const itemOut = towers.itemTower.apply(tf.tensor2d(this.itemRows, [candidates, towers.itemInput.width]), itemTape);
    const cosine = c.score === 'cosine';
    const bias = tf.tensor2d(this.logitBias, [batch, candidates]);
    const { loss, dUsers, dItems } = sampledSoftmax(userOut, itemOut, bias, positives, { cosine, scale: cosine ? 1 / c.temperature : 1 });
    this.userGrad.set(towers.userTower.backward(userTape, dUsers, true)!.dataSync() as Float32Array);
    this.itemGrad.set(towers.itemTower.backward(itemTape, dItems, true)!.dataSync() as Float32Array);
    return loss;
  }

  /** Users, positive items, uniform negatives and the logit corrections of one batch. */
  private fillBatch(order: Int32Array, start: number): void {
    const { batch, candidates, train, userIds, itemIds, logitBias, sameItem, firstAt } = this;
    for (let b = 0; b < batch; b++) {
      userIds[b] = train.users[order[start + b]];
      itemIds[b] = train.items[order[start + b]];
    }
    this.negatives.draw(itemIds, batch, candidates);
    const row = logitBias.subarray(0, candidates);
    for (let n = 0; n < candidates; n++) row[n] = this.c.logQ ? -this.logExpected[itemIds[n]] : 0;
    for (let b = 1; b < batch; b++) logitBias.copyWithin(b * candidates, 0, candidates);
    // The user's own item appearing again (as another user's positive or as a drawn
    // negative) is not a negative: it would push the user away from what they chose.
    for (let b = batch - 1; b >= 0; b--) {
      sameItem[b] = firstAt[itemIds[b]];
      firstAt[itemIds[b]] = b;
    }
    for (let n = 0; n < candidates; n++) {
      for (let b = firstAt[itemIds[n]]; b >= 0; b = sameItem[b]) if (b !== n) logitBias[b * candidates + n] = -1e9;
    }
    for (let b = 0; b < batch; b++) firstAt[itemIds[b]] = -1;
    this.towers.userInput.fill(userIds, this.userRows);
    this.towers.itemInput.fill(itemIds, this.itemRows);
  }
}

/** Every entity's final vector (normalised for cosine scoring), computed in chunks. */
function embedAll(count: number, input: TowerInput, tower: Mlp, score: TwoTowerConfig['score']): Embeddings {
  const dim = tower.sizes[tower.sizes.length - 1];
  const data = new Float32Array(count * dim);
  for (let start = 0; start < count; start += EMBED_CHUNK) {
    const ids = Int32Array.from({ length: Math.min(EMBED_CHUNK, count - start) }, (_, k) => start + k);
    const rows = new Float32Array(ids.length * input.width);
    input.fill(ids, rows);
    // Copied inside the tidy: a typed array returned from it would be walked element by element.
    tf.tidy(() => {
      const x = tower.apply(tf.tensor2d(rows, [ids.length, input.width]));
      data.set((score === 'cosine' ? l2Normalize(x) : x).dataSync() as Float32Array, start * dim);
    });
  }
  return { data, dim };
}
