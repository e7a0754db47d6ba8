/**
 * BST, the Behavior Sequence Transformer (Chen et al., 2019, Alibaba): a transformer over
 * the user's history plus the target item (each token its item's embedding plus its
 * attributes' and its position's), then the target's output, the pooled history and the
 * user's attributes through an MLP to the probability that the user takes the target next.
 * It is trained as a classifier on each next item against sampled negatives, and ranks
 * every item. The target attends to the history and the history not to the target, so one
 * pass over a history serves every candidate: ranking the whole catalogue costs one token
 * per item, not one transformer pass per item. Reasons name the history items the target
 * attends to.
 */
import * as tf from '@tensorflow/tfjs';
import type { CodedGroup, Sequences } from '../../data/sequences';
import {
  DenseStack,
  Embedding,
  PositionalEmbedding,
  TransformerBlock,
  dropout,
  paddingMask,
  type Mode,
  type Params,
} from '../../engine/layers';
import type { NegativeSampler } from '../../engine/negatives';
import type { SettingsSchema } from '../../engine/settings';
import { Random } from '../../random';
import { attentionChart, attentionReason, type AttentionMap } from '../attention-view';
import {
  SEQUENCE_SCHEMA,
  SequentialModel,
  type SequenceBatch,
  type SequenceSettings,
} from './sequential-model';

export interface BSTConfig extends SequenceSettings {
  heads: number;
  /** Widths of the MLP's hidden layers (its output is one logit). */
  layers: number[];
  /** Embed item attributes into each token and user attributes into the MLP's input. */
  useFeatures: boolean;
}

const SCHEMA: SettingsSchema<BSTConfig> = {
  ...SEQUENCE_SCHEMA,
  maxLen: { type: 'int', min: 1, max: 1000, default: 20 },
  embeddingDim: { type: 'int', min: 1, default: 32 },
  negatives: { type: 'int', min: 1, default: 4 },
  heads: { type: 'int', min: 1, default: 2 },
  layers: { type: 'ints', min: 1, default: [64, 32] },
  useFeatures: { type: 'boolean', default: true },
};

interface Layers {
  items: Embedding;
  itemGroups: { group: CodedGroup; table: Embedding }[];
  userGroups: { group: CodedGroup; table: Embedding }[];
  positions: PositionalEmbedding;
  block: TransformerBlock;
  mlp: DenseStack;
}

/** Candidates scored per pass when ranking the catalogue for one user. */
const CANDIDATES = 2048;

const SCORING: Mode = { training: false, random: new Random(0) };

export class BST extends SequentialModel<BSTConfig> {
  protected readonly objective = 'positions';
  private layers: Layers | null = null;

  constructor(config: Partial<BSTConfig> = {}) {
    super('BST', SCHEMA, config);
  }

  protected build(params: Params, seqs: Sequences): void {
    const { embeddingDim: d, maxLen, heads, dropout: rate, layers, useFeatures } = this.config;
    if (d % heads !== 0) throw new Error(`BST: heads (${heads}) must divide embeddingDim (${d}).`);
    const tables = (groups: CodedGroup[], prefix: string) =>
      (useFeatures ? groups : []).map((group) => ({
        group,
        table: new Embedding(params, `${prefix}.${group.name}`, group.cardinality, d),
      }));
    const userGroups = tables(seqs.userFeatures, 'user');
    this.layers = {
      items: new Embedding(params, 'items', seqs.data.numItems + 1, d),
      itemGroups: tables(seqs.itemFeatures, 'item'),
      userGroups,
      positions: new PositionalEmbedding(params, 'positions', maxLen + 1, d),
      block: new TransformerBlock(params, 'block', d, heads, rate),
      mlp: new DenseStack(params, 'mlp', [d * (2 + userGroups.length), ...layers, 1]),
    };
  }

  /** Token embeddings of slot values (any shape): the item's, plus each item attribute's (its values summed). */
  private tokens(slots: Int32Array, shape: number[]): tf.Tensor {
    const { items, itemGroups } = this.layers!;
    let x = items.apply(tf.tensor(slots, shape, 'int32'));
    for (const { group, table } of itemGroups)
      x = tf.add(
        x,
        table.bag(tf.tensor2d(lookup(group, slots), [slots.length, group.width], 'int32')).reshape(x.shape),
      );
    return x;
  }

  /**
   * Logits [rows, T] of T targets per history. history: rows × L slot values; targets:
   * rows × T slot values; users: the rows' users (for their attributes).
   */
  private logits(
    history: Int32Array,
    targets: Int32Array,
    users: Int32Array,
    rows: number,
    mode: Mode,
  ): { logits: tf.Tensor2D; weights: tf.Tensor4D } {
    const { positions, block, mlp, userGroups } = this.layers!;
    const { maxLen: L, embeddingDim: d } = this.config;
    const t = targets.length / rows;
    const table = positions.table;
    const real = tf.cast(tf.greater(tf.tensor2d(history, [rows, L], 'int32'), 0), 'float32') as tf.Tensor2D;
    const keep = real.expandDims(2);
    const h0 = tf.mul(
      dropout(
        tf.add(this.tokens(history, [rows, L]), table.slice([0, 0], [L, d])),
        this.config.dropout,
        mode,
      ),
      keep,
    ) as tf.Tensor3D;
    const t0 = dropout(
      tf.add(this.tokens(targets, [rows, t]), table.slice([L, 0], [1, d])),
      this.config.dropout,
      mode,
    ) as tf.Tensor3D;
    const mask = paddingMask(real);
    const historyOut = tf.mul(block.apply(h0, mask, mode).output, keep);
    const pooled = tf.div(tf.sum(historyOut, 1), tf.maximum(tf.sum(real, 1, true), 1));
    const { output, weights } = block.applyTargets(t0, h0, mask, mode);
    const parts: tf.Tensor[] = [output, tf.tile(pooled.expandDims(1), [1, t, 1])];
    for (const { group, table: embed } of userGroups) {
      const codes = new Int32Array(rows * group.width);
      for (let r = 0; r < rows; r++)
        codes.set(
          group.codes.subarray(users[r] * group.width, (users[r] + 1) * group.width),
          r * group.width,
        );
      parts.push(
        tf.tile(embed.bag(tf.tensor2d(codes, [rows, group.width], 'int32')).expandDims(1), [1, t, 1]),
      );
    }
    return { logits: mlp.apply(tf.concat(parts, 2)).reshape([rows, t]) as tf.Tensor2D, weights };
  }

  protected loss(batch: SequenceBatch, sampler: NegativeSampler, mode: Mode): tf.Scalar {
    const { maxLen: L, negatives: k } = this.config;
    const rows = batch.size;
    const targets = new Int32Array(rows * (1 + k));
    const drawn = new Int32Array(rows * k);
    sampler.draw(drawn);
    for (let r = 0; r < rows; r++) {
      targets[r * (1 + k)] = batch.targets[r] + 1;
      for (let j = 0; j < k; j++) targets[r * (1 + k) + 1 + j] = drawn[r * k + j] + 1;
    }
    const { logits } = this.logits(
      batch.inputs.subarray(0, rows * L),
      targets,
      batch.users.subarray(0, rows),
      rows,
      mode,
    );
    const [positive, negative] = tf.split(logits, [1, k], 1);
    // Binary cross-entropy: softplus(−s⁺) + Σ softplus(s⁻), averaged over samples.
    return tf.div(
      tf.add(tf.sum(tf.softplus(tf.neg(positive))), tf.sum(tf.softplus(negative))),
      rows,
    ) as tf.Scalar;
  }

  protected scoreWindows(windows: Int32Array, users: Int32Array, out: Float32Array): void {
    const L = this.config.maxLen;
    const n = this.sequences.data.numItems;
    for (let r = 0; r < users.length; r++) {
      const history = windows.subarray(r * L, (r + 1) * L);
      for (let from = 0; from < n; from += CANDIDATES) {
        const count = Math.min(CANDIDATES, n - from);
        const targets = Int32Array.from({ length: count }, (_, j) => from + j + 1);
        tf.tidy(() => {
          const { logits } = this.logits(history, targets, users.subarray(r, r + 1), 1, SCORING);
          out.set(tf.sigmoid(logits).dataSync() as Float32Array, r * n + from);
        });
      }
    }
  }

  /**
   * What the prediction of each of `items` (default: the user's top 10) attends to among
   * the user's latest items (mean over heads): one row per candidate item.
   */
  attention(user: string | number, items?: readonly (string | number)[], last = 15): AttentionMap {
    const u = this.train.userIndex(user);
    const picked = items
      ? items.map((i) => this.train.itemIndex(i))
      : Array.from(this.recommendBatch(Int32Array.of(u), { k: 10 }).items).filter((i) => i >= 0);
    const seqs = this.sequences;
    const shown = Math.min(seqs.length(u), this.config.maxLen, last);
    const weights = this.targetAttention(u, Int32Array.from(picked), shown);
    const titles = Array.from({ length: shown }, (_, p) =>
      this.train.itemTitle(seqs.item(u, seqs.length(u) - shown + p)),
    );
    return {
      user: this.train.userNames[u],
      rows: picked.map((i) => this.train.itemTitle(i)),
      columns: titles,
      values: weights,
    };
  }

  attentionChart(user: string | number, items?: readonly (string | number)[], last = 15) {
    return attentionChart(this.name, this.attention(user, items, last));
  }

  protected sequenceReason(u: number, item: number): string {
    const seqs = this.sequences;
    const shown = Math.min(seqs.length(u), this.config.maxLen);
    const titles = Array.from({ length: shown }, (_, p) =>
      this.train.itemTitle(seqs.item(u, seqs.length(u) - shown + p)),
    );
    return attentionReason(titles, this.targetAttention(u, Int32Array.of(item), shown));
  }

  /** Candidates × the last `shown` history slots: each candidate's attention weights over them. */
  private targetAttention(u: number, items: Int32Array, shown: number): Float32Array {
    const L = this.config.maxLen;
    const window = this.sequences.windows.subarray(u * L, (u + 1) * L);
    return tf.tidy(() => {
      const { weights } = this.logits(
        window,
        Int32Array.from(items, (i) => i + 1),
        Int32Array.of(u),
        1,
        SCORING,
      );
      return tf
        .mean(weights, 1)
        .slice([0, 0, L - shown], [1, items.length, shown])
        .dataSync() as Float32Array;
    });
  }
}

/** The codes of each slot's item in `group`, slot after slot. */
function lookup(group: CodedGroup, slots: Int32Array): Int32Array {
  const out = new Int32Array(slots.length * group.width);
  for (let s = 0; s < slots.length; s++)
    out.set(group.codes.subarray(slots[s] * group.width, (slots[s] + 1) * group.width), s * group.width);
  return out;
}
