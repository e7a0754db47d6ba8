/**
 * GRU4Rec (Hidasi et al., 2016; the sampled-softmax form of Hidasi & Karatzoglou, 2018): a
 * GRU reads the user's items; its state after each item, projected to the embedding width,
 * scores the next item by inner product with the item embeddings, trained with a sampled
 * softmax over negatives shared by the batch (popularity-drawn by default, as mini-batch
 * negatives are), log-Q corrected when `logQ` says so, or (`loss: 'full'`) with the softmax over every
 * item. Reasons name the last items, which the state weighs most.
 */
import * as tf from '@tensorflow/tfjs';
import type { Sequences } from '../../data/sequences';
import { Dense, Embedding, Gru, dropout, type Mode, type Params } from '../../engine/layers';
import type { NegativeSampler } from '../../engine/negatives';
import type { SettingsSchema } from '../../engine/settings';
import { Random } from '../../random';
import { nextItemLoss, nextItemScores } from './next-item';
import {
  SEQUENCE_SCHEMA,
  SequentialModel,
  type SequenceBatch,
  type SequenceSettings,
} from './sequential-model';

export interface GRU4RecConfig extends SequenceSettings {
  /** Width of the GRU's state. */
  hidden: number;
  /** 'softmax': over `negatives` items shared by the batch; 'full': over every item. */
  loss: 'softmax' | 'full';
  logQ: boolean;
}

const SCHEMA: SettingsSchema<GRU4RecConfig> = {
  ...SEQUENCE_SCHEMA,
  negatives: { type: 'int', min: 1, default: 128 },
  sampler: { type: 'choice', values: ['uniform', 'popularity'], default: 'popularity' },
  hidden: { type: 'int', min: 1, default: 64 },
  loss: { type: 'choice', values: ['softmax', 'full'], default: 'softmax' },
  // Off by default, as in GRU4Rec's own training: on ml-latest-small (leave-last-out, 8 epochs)
  // popularity-drawn negatives gave HitRate@10 0.062 without the correction and 0.016 with it
  // (uniform with it: 0.026); the correction takes out the popularity that data rewards.
  logQ: { type: 'boolean', default: false },
};

interface Layers {
  items: Embedding;
  gru: Gru;
  project: Dense;
}

const SCORING: Mode = { training: false, random: new Random(0) };

export class GRU4Rec extends SequentialModel<GRU4RecConfig> {
  protected readonly objective = 'windows';
  private layers: Layers | null = null;

  constructor(config: Partial<GRU4RecConfig> = {}) {
    super('GRU4Rec', SCHEMA, config);
  }

  protected build(params: Params, seqs: Sequences): void {
    const { embeddingDim: d, hidden } = this.config;
    this.layers = {
      items: new Embedding(params, 'items', seqs.data.numItems + 1, d),
      gru: new Gru(params, 'gru', d, hidden),
      project: new Dense(params, 'project', hidden, d),
    };
  }

  /** The state after every slot, projected to the embedding width: [batch, L, d]. */
  private encode(inputs: tf.Tensor2D, mode: Mode): tf.Tensor3D {
    const { items, gru, project } = this.layers!;
    const real = tf.cast(tf.greater(inputs, 0), 'float32') as tf.Tensor2D;
    const x = dropout(items.apply(inputs), this.config.dropout, mode) as tf.Tensor3D;
    return project.apply(dropout(gru.apply(x, real), this.config.dropout, mode)) as tf.Tensor3D;
  }

  protected loss(batch: SequenceBatch, sampler: NegativeSampler, mode: Mode): tf.Scalar {
    const { maxLen: L, embeddingDim: d, loss, negatives, logQ } = this.config;
    const states = this.encode(
      tf.tensor2d(batch.inputs.subarray(0, batch.size * L), [batch.size, L], 'int32'),
      mode,
    );
    return nextItemLoss(
      states.reshape([batch.size * L, d]) as tf.Tensor2D,
      batch.targets.subarray(0, batch.size * L),
      this.layers!.items,
      sampler,
      { loss, negatives, logQ },
    );
  }

  protected scoreWindows(windows: Int32Array, _users: Int32Array, out: Float32Array): void {
    const L = this.config.maxLen;
    const rows = windows.length / L;
    tf.tidy(() =>
      nextItemScores(this.encode(tf.tensor2d(windows, [rows, L], 'int32'), SCORING), this.layers!.items, out),
    );
  }

  protected sequenceReason(u: number): string {
    const seqs = this.sequences;
    const n = seqs.length(u);
    const before = n > 1 ? `, and ${this.train.itemTitle(seqs.item(u, n - 2))} before it` : '';
    return `after ${this.train.itemTitle(seqs.item(u, n - 1))}${before}`;
  }
}
