/**
 * SASRec (Kang & McAuley, 2018): causal self-attention over the user's items with learned
 * positions; the state at each slot scores the next item by inner product with the item
 * embeddings (shared with the input). Two losses: the paper's binary cross-entropy with
 * one sampled negative per slot, or a sampled softmax over `negatives` items shared by the
 * batch with the log-Q correction. Reasons name the history items the prediction attends to.
 */
import * as tf from '@tensorflow/tfjs';
import type { Sequences } from '../../data/sequences';
import {
  Embedding,
  LayerNorm,
  PositionalEmbedding,
  TransformerBlock,
  causalMask,
  dropout,
  paddingMask,
  type Mode,
  type Params,
} from '../../engine/layers';
import type { NegativeSampler } from '../../engine/negatives';
import type { SettingsSchema } from '../../engine/settings';
import { Random } from '../../random';
import { attentionChart, attentionReason, type AttentionMap } from '../attention-view';
import { nextItemLoss, nextItemScores } from './next-item';
import {
  SEQUENCE_SCHEMA,
  SequentialModel,
  type SequenceBatch,
  type SequenceSettings,
} from './sequential-model';

export interface SASRecConfig extends SequenceSettings {
  blocks: number;
  heads: number;
  /**
   * 'bce': one sampled negative per slot (the paper); 'softmax': `negatives` shared negatives, log-Q
   * corrected when `logQ`; 'full': the softmax over every item.
   */
  loss: 'bce' | 'softmax' | 'full';
  logQ: boolean;
}

const SCHEMA: SettingsSchema<SASRecConfig> = {
  ...SEQUENCE_SCHEMA,
  blocks: { type: 'int', min: 1, max: 12, default: 2 },
  heads: { type: 'int', min: 1, default: 1 },
  loss: { type: 'choice', values: ['bce', 'softmax', 'full'], default: 'bce' },
  logQ: { type: 'boolean', default: true },
};

interface Layers {
  items: Embedding;
  positions: PositionalEmbedding;
  blocks: TransformerBlock[];
  norm: LayerNorm;
}

const SCORING: Mode = { training: false, random: new Random(0) };

export class SASRec extends SequentialModel<SASRecConfig> {
  protected readonly objective = 'windows';
  private layers: Layers | null = null;

  constructor(config: Partial<SASRecConfig> = {}) {
    super('SASRec', SCHEMA, config);
  }

  protected build(params: Params, seqs: Sequences): void {
    const { embeddingDim: d, maxLen, blocks, heads, dropout: rate } = this.config;
    if (d % heads !== 0) throw new Error(`SASRec: heads (${heads}) must divide embeddingDim (${d}).`);
    this.layers = {
      items: new Embedding(params, 'items', seqs.data.numItems + 1, d),
      positions: new PositionalEmbedding(params, 'positions', maxLen, d),
      blocks: Array.from(
        { length: blocks },
        (_, b) => new TransformerBlock(params, `block${b}`, d, heads, rate),
      ),
      norm: new LayerNorm(params, 'norm', d),
    };
  }

  /** Every slot's state [batch, L, d] and the last block's attention weights. */
  private encode(inputs: tf.Tensor2D, mode: Mode): { states: tf.Tensor3D; weights: tf.Tensor4D } {
    const { items, positions, blocks, norm } = this.layers!;
    const d = this.config.embeddingDim;
    const real = tf.cast(tf.greater(inputs, 0), 'float32') as tf.Tensor2D;
    const keep = real.expandDims(2);
    let x = positions.apply(tf.mul(items.apply(inputs), Math.sqrt(d)) as tf.Tensor3D);
    x = tf.mul(dropout(x, this.config.dropout, mode), keep) as tf.Tensor3D;
    const mask = tf.add(causalMask(inputs.shape[1]), paddingMask(real));
    let weights: tf.Tensor4D | null = null;
    for (const block of blocks) {
      const out = block.apply(x, mask, mode);
      x = tf.mul(out.output, keep) as tf.Tensor3D;
      weights = out.weights;
    }
    return { states: norm.apply(x) as tf.Tensor3D, weights: weights! };
  }

  protected loss(batch: SequenceBatch, sampler: NegativeSampler, mode: Mode): tf.Scalar {
    const L = this.config.maxLen;
    const inputs = tf.tensor2d(batch.inputs.subarray(0, batch.size * L), [batch.size, L], 'int32');
    const { states } = this.encode(inputs, mode);
    const c = this.config;
    return nextItemLoss(
      states.reshape([batch.size * L, c.embeddingDim]) as tf.Tensor2D,
      batch.targets.subarray(0, batch.size * L),
      this.layers!.items,
      sampler,
      {
        loss: c.loss,
        negatives: c.loss === 'bce' ? 1 : c.negatives,
        logQ: c.logQ,
      },
    );
  }

  protected scoreWindows(windows: Int32Array, _users: Int32Array, out: Float32Array): void {
    const L = this.config.maxLen;
    const rows = windows.length / L;
    tf.tidy(() =>
      nextItemScores(
        this.encode(tf.tensor2d(windows, [rows, L], 'int32'), SCORING).states,
        this.layers!.items,
        out,
      ),
    );
  }

  /**
   * The last block's attention (mean over heads) among the user's latest items: row p is
   * what the prediction after item p reads; the last row is the one recommendations use.
   */
  attention(user: string | number, last = 15): AttentionMap {
    return this.attentionOf(this.train.userIndex(user), last);
  }

  private attentionOf(u: number, last: number): AttentionMap {
    const seqs = this.sequences;
    const L = seqs.maxLen;
    const length = Math.min(seqs.length(u), L);
    const shown = Math.min(length, last);
    const weights = tf.tidy(() => {
      const { weights } = this.encode(this.userWindow(u), SCORING);
      return tf
        .mean(weights, 1)
        .slice([0, L - shown, L - shown], [1, shown, shown])
        .dataSync() as Float32Array;
    });
    const titles = Array.from({ length: shown }, (_, p) =>
      this.train.itemTitle(seqs.item(u, seqs.length(u) - shown + p)),
    );
    return {
      user: this.train.userNames[u],
      rows: titles.map((t) => `after ${t}`),
      columns: titles,
      values: weights,
    };
  }

  /** The attention map as a heatmap chart (interactive, static SVG and text). */
  attentionChart(user: string | number, last = 15) {
    return attentionChart(this.name, this.attention(user, last));
  }

  private reasonCache: { user: number; weights: number; text: string } | null = null;

  protected sequenceReason(u: number): string {
    const cache = this.reasonCache;
    if (cache?.user === u && cache.weights === this.weightsVersion) return cache.text;
    const map = this.attentionOf(u, this.config.maxLen);
    const n = map.columns.length;
    // The prediction reads the last row; its weights are the same for every recommended item.
    const text = attentionReason(map.columns, map.values.subarray((n - 1) * n, n * n));
    this.reasonCache = { user: u, weights: this.weightsVersion, text };
    return text;
  }
}
