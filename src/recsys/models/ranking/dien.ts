/**
 * DIEN, the Deep Interest Evolution Network (Zhou et al., AAAI 2019): a user's interests are
 * not a bag but a process that drifts, so DIEN reads the history in order. An interest
 * extractor (a GRU) gives a state per behaviour, taught by an auxiliary loss to predict the
 * next behaviour against a sampled item, so each state holds the interest of its moment rather
 * than only what the click label can teach; an interest evolution layer (AUGRU, a GRU whose
 * update gate is scaled by the state's attention to the candidate) then follows only the
 * interests that concern the candidate, so behaviours of other interests barely move it; its
 * last state, with the user and the candidate, goes through an MLP with Dice (as DIN's) to the
 * task's logit. Where DIN weighs old and new behaviours alike, DIEN sees which came last.
 * `attention(samples, s)` gives one prediction's attention over its history ("bought because
 * of X (0.35)").
 */
import * as tf from '@tensorflow/tfjs';
import type { RankingSamples, RankingVocabulary } from '../../data/ranking-samples';
import { Augru, Dense, Dice, Gru, dropout, type Mode, type Params } from '../../engine/layers';
import type { SettingsSchema } from '../../engine/settings';
import { attentionChart, type AttentionMap } from '../attention-view';
import {
  RANKING_SCHEMA,
  type FieldEmbeddings,
  type RankingInputs,
  type RankingOutputs,
  type RankingSettings,
} from './ranking-model';
import { SINGLE_TASK_SCHEMA, SingleTaskModel, type SingleTaskSettings } from './single-task';
import { TargetAttention, historyAttention, maskedSoftmax, type RankingBatch } from './target-attention';

export interface DIENConfig extends RankingSettings, SingleTaskSettings {
  /** Width of the GRUs' states (0: 2 × embeddingDim, the width of a behaviour's embedding). */
  hidden: number;
  /** Widths of the MLP's hidden layers (each followed by Dice). */
  layers: number[];
  /** Weight of the auxiliary loss (the extractor's state predicting the next behaviour) beside the task's (0: none). */
  auxiliaryWeight: number;
}

const SCHEMA: SettingsSchema<DIENConfig> = {
  ...RANKING_SCHEMA,
  ...SINGLE_TASK_SCHEMA,
  hidden: { type: 'int', min: 0, default: 0 },
  layers: { type: 'ints', min: 1, default: [200, 80] },
  auxiliaryWeight: { type: 'number', min: 0, default: 1 },
};

interface Layers {
  extractor: Gru;
  /** States to the width of a behaviour's embedding, where the state width differs. */
  project: Dense | null;
  attention: TargetAttention;
  evolution: Augru;
  hidden: { dense: Dense; dice: Dice }[];
  out: Dense;
  /** Each item's category, for the auxiliary loss's sampled items. */
  itemCategory: Int32Array;
}

/**
 * A batch's embedded fields and the behaviour codes of its history (the sampled items take those of the
 * slots they stand in for).
 */
interface DIENInputs extends RankingInputs {
  historyBehaviours: Int32Array;
}

export class DIEN extends SingleTaskModel<DIENConfig> {
  private layers: Layers | null = null;

  constructor(config: Partial<DIENConfig> = {}) {
    super('DIEN', SCHEMA, config);
  }

  protected build(params: Params, fields: FieldEmbeddings, vocabulary: RankingVocabulary): void {
    const d = fields.dim;
    const H = this.config.hidden || 2 * d;
    const widths = [d + 2 * d + H, ...this.config.layers];
    this.layers = {
      extractor: new Gru(params, 'extractor', 2 * d, H),
      project: H === 2 * d ? null : new Dense(params, 'project', H, 2 * d, 'linear', false),
      attention: new TargetAttention(params, 'attention', 2 * d),
      evolution: new Augru(params, 'evolution', H, H),
      hidden: this.config.layers.map((w, l) => ({
        dense: new Dense(params, `mlp.${l}`, widths[l], w),
        dice: new Dice(params, `mlp.${l}.dice`, w),
      })),
      out: new Dense(params, 'mlp.out', widths[widths.length - 1], 1),
      itemCategory: vocabulary.itemCategory,
    };
  }

  protected override inputs(batch: RankingBatch): DIENInputs {
    return {
      ...super.inputs(batch),
      historyBehaviours: batch.historyBehaviours.subarray(0, batch.size * this.config.historyLength),
    };
  }

  protected outputs(inputs: RankingInputs, mode: Mode): RankingOutputs {
    const { evolution, hidden, out } = this.layers!;
    const B = inputs.size;
    const H = evolution.units;
    const L = this.config.historyLength;
    const { states, interests, scores } = this.interests(inputs, mode);
    const evolved = evolution.apply(states, scores, inputs.mask);
    const last = evolved.slice([0, L - 1, 0], [B, 1, H]).reshape([B, H]);
    let h = dropout(
      tf.concat([inputs.user, inputs.target, last], 1),
      this.config.dropout,
      mode,
    ) as tf.Tensor2D;
    for (const { dense, dice } of hidden) h = dice.apply(dense.apply(h) as tf.Tensor2D, mode);
    const logits = { [this.config.task]: out.apply(h).reshape([B]) as tf.Tensor1D };
    const w = this.config.auxiliaryWeight;
    if (!mode.training || w <= 0 || L < 2) return { logits };
    return {
      logits,
      auxiliary: tf.mul(w, this.auxiliaryLoss(inputs as DIENInputs, interests, mode)) as tf.Scalar,
    };
  }

  /**
   * The extractor's states [B, L, H], the same in a behaviour's embedding space [B, L, 2d],
   * and each state's attention to the candidate, a softmax over the real slots [B, L].
   */
  private interests(
    inputs: RankingInputs,
    mode: Mode,
  ): { states: tf.Tensor3D; interests: tf.Tensor3D; scores: tf.Tensor2D } {
    const { extractor, project, attention } = this.layers!;
    const states = extractor.apply(inputs.history, inputs.mask);
    const interests = project ? (project.apply(states) as tf.Tensor3D) : states;
    const scores = maskedSoftmax(attention.weights(interests, inputs.target, inputs.mask, mode), inputs.mask);
    return { states, interests, scores };
  }

  /**
   * The paper's auxiliary loss: the state after behaviour t scores behaviour t + 1 above an
   * item drawn uniformly (embedded as the history is, with the behaviour of the slot it stands
   * in for, so only the item tells them apart); BCE averaged over the pairs of real slots.
   */
  private auxiliaryLoss(inputs: DIENInputs, interests: tf.Tensor3D, mode: Mode): tf.Scalar {
    const fields = this.fields!;
    const { itemCategory } = this.layers!;
    const [B, L, width] = interests.shape;
    const P = L - 1;
    const items = new Int32Array(B * P);
    const categories = new Int32Array(B * P);
    const behaviours = new Int32Array(B * P);
    const n = itemCategory.length;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < P; t++) {
        const i = mode.random.int(n);
        items[b * P + t] = i + 1;
        categories[b * P + t] = itemCategory[i] + 1;
        behaviours[b * P + t] = inputs.historyBehaviours[b * L + t + 1];
      }
    }
    const shape: [number, number] = [B, P];
    const negative = tf.add(
      tf.concat(
        [
          fields.items.apply(tf.tensor2d(items, shape, 'int32')),
          fields.categories.apply(tf.tensor2d(categories, shape, 'int32')),
        ],
        2,
      ),
      fields.behaviours.apply(tf.tensor2d(behaviours, shape, 'int32')),
    );
    const h = interests.slice([0, 0, 0], [B, P, width]);
    const next = inputs.history.slice([0, 1, 0], [B, P, width]);
    const pairs = tf.mul(inputs.mask.slice([0, 0], shape), inputs.mask.slice([0, 1], shape));
    const positive = tf.sum(tf.mul(h, next), 2);
    const sampled = tf.sum(tf.mul(h, negative), 2);
    // −log σ(p) − log(1 − σ(n)) = softplus(−p) + softplus(n) (tf.logSigmoid's gradient fails on the tape here).
    const bce = tf.add(tf.softplus(tf.neg(positive)), tf.softplus(sampled));
    return tf.div(tf.sum(tf.mul(bce, pairs)), tf.maximum(tf.sum(pairs), 1)) as tf.Scalar;
  }

  /**
   * Sample s's prediction's attention over its history (the candidate is the one row; the
   * history's behaviours, oldest first, the columns): the scale of each behaviour's update in
   * the interest evolution, a softmax over the history (≥ 0, summing to 1).
   */
  attention(samples: RankingSamples, s: number): AttentionMap {
    return historyAttention(
      this,
      samples,
      s,
      (batch, mode) => this.interests(this.inputs(batch), mode).scores,
    );
  }

  /** The attention map as a heatmap chart (interactive, static SVG and text). */
  attentionChart(samples: RankingSamples, s: number) {
    return attentionChart(this.name, this.attention(samples, s));
  }
}
