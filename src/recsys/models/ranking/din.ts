/**
 * DIN, the Deep Interest Network (Zhou et al., KDD 2018): the history is pooled with weights
 * that depend on the candidate (target attention), so a user's many interests do not blur
 * into one mean; the MLP uses Dice activations. The MLP reads [user, candidate, attended
 * history, attended history ⊙ candidate, mean of the history]: the product is what the DIN
 * authors' code feeds it beside the two (it makes "how well does what the user attended to match
 * this candidate" one layer away), and the mean is the DNN baseline's own input, so attention adds
 * to mean pooling rather than having to relearn it (an epoch or two is not always enough for it).
 * `attention(samples, s)` gives one prediction's weights over its history ("bought because
 * of X (0.35)").
 */
import * as tf from '@tensorflow/tfjs';
import type { RankingSamples } from '../../data/ranking-samples';
import { Dense, Dice, dropout, type Mode, type Params } from '../../engine/layers';
import type { SettingsSchema } from '../../engine/settings';
import { attentionChart, type AttentionMap } from '../attention-view';
import {
  RANKING_SCHEMA,
  meanPool,
  type FieldEmbeddings,
  type RankingInputs,
  type RankingOutputs,
  type RankingSettings,
} from './ranking-model';
import { SINGLE_TASK_SCHEMA, SingleTaskModel, type SingleTaskSettings } from './single-task';
import { TargetAttention, historyAttention } from './target-attention';

export interface DINConfig extends RankingSettings, SingleTaskSettings {
  /** Widths of the MLP's hidden layers (each followed by Dice). */
  layers: number[];
}

const SCHEMA: SettingsSchema<DINConfig> = {
  ...RANKING_SCHEMA,
  ...SINGLE_TASK_SCHEMA,
  layers: { type: 'ints', min: 1, default: [200, 80] },
};

interface Layers {
  attention: TargetAttention;
  hidden: { dense: Dense; dice: Dice }[];
  out: Dense;
}

export class DIN extends SingleTaskModel<DINConfig> {
  private layers: Layers | null = null;

  constructor(config: Partial<DINConfig> = {}) {
    super('DIN', SCHEMA, config);
  }

  protected build(params: Params, fields: FieldEmbeddings): void {
    const d = fields.dim;
    // user d; candidate, attended history, their product and the history's mean 2d each.
    const widths = [d + 8 * d, ...this.config.layers];
    this.layers = {
      attention: new TargetAttention(params, 'attention', 2 * d),
      hidden: this.config.layers.map((w, l) => ({
        dense: new Dense(params, `mlp.${l}`, widths[l], w),
        dice: new Dice(params, `mlp.${l}.dice`, w),
      })),
      out: new Dense(params, 'mlp.out', widths[widths.length - 1], 1),
    };
  }

  protected outputs(inputs: RankingInputs, mode: Mode): RankingOutputs {
    const { attention, hidden, out } = this.layers!;
    const weights = attention.weights(inputs.history, inputs.target, inputs.mask, mode);
    const interest = tf.sum(tf.mul(inputs.history, weights.expandDims(2)), 1);
    let h = dropout(
      tf.concat([inputs.user, inputs.target, interest, tf.mul(interest, inputs.target), meanPool(inputs)], 1),
      this.config.dropout,
      mode,
    ) as tf.Tensor2D;
    for (const { dense, dice } of hidden) h = dice.apply(dense.apply(h) as tf.Tensor2D, mode);
    return { logits: { [this.config.task]: out.apply(h).reshape([inputs.size]) as tf.Tensor1D } };
  }

  /**
   * Sample s's prediction's weights over its history (the candidate is the one row; the
   * history's behaviours, oldest first, the columns): the weights DIN pools the history with,
   * not normalised (the paper's intensity of interest), so they need not sum to 1.
   */
  attention(samples: RankingSamples, s: number): AttentionMap {
    return historyAttention(this, samples, s, (batch, mode) => {
      const inputs = this.inputs(batch);
      return this.layers!.attention.weights(inputs.history, inputs.target, inputs.mask, mode);
    });
  }

  /** The attention map as a heatmap chart (interactive, static SVG and text). */
  attentionChart(samples: RankingSamples, s: number) {
    return attentionChart(this.name, this.attention(samples, s));
  }
}
