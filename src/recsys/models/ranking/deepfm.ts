/**
 * DeepFM (Guo et al., IJCAI 2017): a factorization machine and a deep MLP side by side over
 * the same field embeddings, their logits summed. The FM part is first-order weights (LR's)
 * plus every pair of fields' inner product, 0.5·((Σv)² − Σv²) summed over the width, so
 * "this user's history × this category" is learnt without anyone writing the cross feature;
 * the deep part, an MLP over the concatenated fields, learns the higher-order ones. Fields:
 * the user, the candidate item and its category, and the history's items and categories,
 * each mean-pooled over the real slots (the shared tables', behaviour embedding included).
 */
import * as tf from '@tensorflow/tfjs';
import type { RankingVocabulary } from '../../data/ranking-samples';
import { DenseStack, dropout, type Mode, type Params } from '../../engine/layers';
import type { SettingsSchema } from '../../engine/settings';
import { FieldWeights } from './logistic-regression';
import {
  RANKING_SCHEMA,
  meanPool,
  type FieldEmbeddings,
  type RankingInputs,
  type RankingOutputs,
  type RankingSettings,
} from './ranking-model';
import { SINGLE_TASK_SCHEMA, SingleTaskModel, type SingleTaskSettings } from './single-task';

export interface DeepFMConfig extends RankingSettings, SingleTaskSettings {
  /** Widths of the deep part's hidden layers. */
  layers: number[];
}

const SCHEMA: SettingsSchema<DeepFMConfig> = {
  ...RANKING_SCHEMA,
  ...SINGLE_TASK_SCHEMA,
  layers: { type: 'ints', min: 1, default: [200, 80] },
};

/** user, item, category, history items, history categories. */
const FIELDS = 5;

interface Layers {
  first: FieldWeights;
  deep: DenseStack;
}

export class DeepFM extends SingleTaskModel<DeepFMConfig> {
  private layers: Layers | null = null;

  constructor(config: Partial<DeepFMConfig> = {}) {
    super('DeepFM', SCHEMA, config);
  }

  protected build(params: Params, fields: FieldEmbeddings, vocabulary: RankingVocabulary): void {
    this.layers = {
      first: new FieldWeights(params, 'fm.first', vocabulary),
      deep: new DenseStack(params, 'deep', [FIELDS * fields.dim, ...this.config.layers, 1]),
    };
  }

  protected outputs(inputs: RankingInputs, mode: Mode): RankingOutputs {
    const { first, deep } = this.layers!;
    const d = this.config.embeddingDim;
    const [item, category] = tf.split(inputs.target, [d, d], 1);
    const [historyItems, historyCategories] = tf.split(meanPool(inputs), [d, d], 1);
    const v = tf.stack([inputs.user, item, category, historyItems, historyCategories], 1) as tf.Tensor3D;
    // Σ over pairs i < j of <v_i, v_j> = 0.5 · Σ_k ((Σ_i v_ik)² − Σ_i v_ik²).
    const pairs = tf.mul(tf.sum(tf.sub(tf.square(tf.sum(v, 1)), tf.sum(tf.square(v), 1)), 1), 0.5);
    const fm = tf.add(first.apply(inputs), pairs);
    const x = dropout(v.reshape([inputs.size, FIELDS * d]), this.config.dropout, mode);
    return {
      logits: { [this.config.task]: tf.add(fm, deep.apply(x).reshape([inputs.size])) as tf.Tensor1D },
    };
  }
}
