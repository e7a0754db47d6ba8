/**
 * A denoising autoencoder over each user's row of the interaction matrix (AutoRec with the
 * input corruption of CDAE), the autoencoder of the design: two encoder and two decoder
 * layers, sigmoid output. Items the user has are dropped out of the input at random, and
 * the network learns to give every item the user has a high output, so what it gives a
 * high output among the items the user lacks is what the user's co-raters chose.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/dataset';
import { Model, type Embeddings } from '../../model';
import { Mlp, type MlpTape } from '../../engine/mlp';
import { Random } from '../../random';
import type { ModelState } from '../../store';
import type { TrainingContext } from '../../engine/training';
import type { SettingsSchema } from '../../engine/settings';

export interface AutoEncoderConfig {
  /** Widths of the two encoder layers; the decoder mirrors them back to the item count. */
  hidden: [number, number];
  /** Probability of dropping each of the user's items from the input while training. */
  corruption: number;
  /** Users per step. */
  batchSize: number;
  epochs: number;
  learningRate: number;
  seed: number;
}

const SCHEMA: SettingsSchema<AutoEncoderConfig> = {
  hidden: { type: 'ints', min: 1, length: 2, default: [128, 64] },
  // A corruption of 1 would drop every item: the network would never see an input.
  corruption: { type: 'number', min: 0, max: 1, open: 'max', default: 0.5 },
  batchSize: { type: 'int', min: 1, default: 64 },
  epochs: { type: 'int', min: 1, default: 30 },
  learningRate: { type: 'number', min: 0, open: true, default: 0.003 },
  seed: { type: 'int', default: 42 },
};

export class AutoEncoder extends Model<AutoEncoderConfig> {
  private net: Mlp | undefined;
  private itemVectors: Embeddings | null = null;

  constructor(config: Partial<AutoEncoderConfig> = {}) {
    super('AutoEncoder', SCHEMA, config);
  }

  protected async fitModel(train: Dataset, ctx: TrainingContext): Promise<void> {
    const c = this.config;
    if (train.numInteractions === 0) throw new Error('AutoEncoder: the training data has no interactions.');
    const random = new Random(c.seed);
    const n = train.numItems;
    const net = new Mlp([n, c.hidden[0], c.hidden[1], c.hidden[0], n], random);
    net.train({ learningRate: c.learningRate });
    const batch = Math.min(c.batchSize, train.numUsers);
    const users = Int32Array.from({ length: train.numUsers }, (_, u) => u);
    const input = new Float32Array(batch * n);
    const target = new Float32Array(batch * n);
    const keep = 1 - c.corruption;
    ctx.begin(c.epochs, 'AutoEncoder epochs');
    try {
      for (let epoch = 0; epoch < c.epochs; epoch++) {
        random.shuffle(users);
        let lossSum: tf.Scalar = tf.scalar(0);
        let steps = 0;
        for (let start = 0; start < users.length; start += batch) {
          const part = users.subarray(start, Math.min(users.length, start + batch));
          const rows = part.length;
          this.rows(train, part, target);
          // Dropped items are zeroed and kept ones scaled by 1/keep, so the input's
          // expected value is the user's row whatever the corruption.
          for (let at = 0; at < rows * n; at++) input[at] = target[at] > 0 && random.next() < keep ? target[at] / keep : 0;
          const next = tf.tidy(() => {
            const tape: MlpTape = { inputs: [], outputs: [] };
            const logits = net.apply(tf.tensor2d(input.subarray(0, rows * n), [rows, n]), tape);
            const y = tf.tensor2d(target.subarray(0, rows * n), [rows, n]);
            // Cross-entropy of sigmoid(logits) against the row, summed over items, averaged
            // over users; its gradient with respect to the logits is (sigmoid − row) / users.
            const loss = tf.div(tf.sum(tf.losses.sigmoidCrossEntropy(y, logits, undefined, 0, tf.Reduction.NONE)), rows) as tf.Scalar;
            net.backward(tape, tf.div(tf.sub(tf.sigmoid(logits), y), rows) as tf.Tensor2D, false);
            return tf.add(lossSum, loss) as tf.Scalar;
          });
          lossSum.dispose();
          lossSum = next;
          net.step();
          steps++;
          await ctx.pause();
        }
        const loss = (await lossSum.data())[0] / steps;
        lossSum.dispose();
        await ctx.epoch(loss);
      }
    } catch (e) {
      net.dispose();
      throw e;
    }
    this.use(net);
  }

  protected scoreUser(u: number, out: Float32Array): void {
    this.scoreUsers(Int32Array.of(u), out);
  }

  override scoreUsers(users: Int32Array, out: Float32Array): void {
    const net = this.network();
    const { indptr, indices } = this.train.byUser;
    // The scores are copied out inside the tidy: returned from it, a typed array would be
    // walked element by element in search of tensors.
    tf.tidy(() => out.set(tf.sigmoid(net.applyToSparseRows(indptr, indices, users)).dataSync() as Float32Array));
  }

  /** Each item's vector in the last decoder layer: items the network raises together lie close. */
  override itemEmbeddings(): Embeddings | null {
    return this.itemVectors;
  }

  protected state(): ModelState {
    const arrays: ModelState['arrays'] = {};
    this.network().weights().forEach((w, i) => (arrays[`layer${i >> 1}.${i % 2 ? 'bias' : 'kernel'}`] = w));
    return { config: { ...this.config }, arrays };
  }

  protected restore(state: ModelState): void {
    const n = this.train.numItems;
    const { hidden } = this.config;
    const weights = Array.from({ length: 8 }, (_, i) => state.arrays[`layer${i >> 1}.${i % 2 ? 'bias' : 'kernel'}`] as Float32Array);
    this.use(new Mlp([n, hidden[0], hidden[1], hidden[0], n], new Random(0), weights));
  }

  private use(net: Mlp): void {
    this.net?.dispose();
    this.net = net;
    // The last kernel is hidden × items; item i's vector is its column.
    const kernel = net.weights()[6];
    const dim = this.config.hidden[0];
    const n = kernel.length / dim;
    const data = new Float32Array(n * dim);
    for (let h = 0; h < dim; h++) for (let i = 0; i < n; i++) data[i * dim + h] = kernel[h * n + i];
    this.itemVectors = { data, dim };
  }

  private network(): Mlp {
    void this.train; // throws when not fitted
    return this.net!;
  }

  /** Users' rows of the interaction matrix, 1 where they have the item, into `out`. */
  private rows(train: Dataset, users: Int32Array, out: Float32Array): void {
    const { indptr, indices } = train.byUser;
    const n = train.numItems;
    out.fill(0, 0, users.length * n);
    users.forEach((u, r) => {
      for (let p = indptr[u]; p < indptr[u + 1]; p++) out[r * n + indices[p]] = 1;
    });
  }
}
