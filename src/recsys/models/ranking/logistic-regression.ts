/**
 * Logistic regression over one-hot features, the CTR baseline every ranking paper starts from
 * (McMahan et al., KDD 2013, "Ad Click Prediction: a View from the Trenches"; trained here with
 * the engine's Adam rather than FTRL): one learnt weight per user, per item, per category and
 * per history item (averaged over the history's real slots), plus a bias, summed into a logit.
 * Its weights are tables of its own, one number wide, not the shared field embeddings. It sees
 * each feature alone and no pair of them, so "this user's recent behaviours are in this item's
 * category" is out of its reach: the gap that DeepFM's pairwise interactions and DIN's
 * attention close. Fast, and a floor the other rankers must clear.
 */
import * as tf from '@tensorflow/tfjs';
import type { RankingVocabulary } from '../../data/ranking-samples';
import { Embedding, type Params } from '../../engine/layers';
import type { SettingsSchema } from '../../engine/settings';
import {
  RANKING_SCHEMA,
  type FieldEmbeddings,
  type RankingInputs,
  type RankingOutputs,
  type RankingSettings,
} from './ranking-model';
import { SINGLE_TASK_SCHEMA, SingleTaskModel, type SingleTaskSettings } from './single-task';

export interface LogisticRegressionConfig extends RankingSettings, SingleTaskSettings {}

const SCHEMA: SettingsSchema<LogisticRegressionConfig> = {
  ...RANKING_SCHEMA,
  ...SINGLE_TASK_SCHEMA,
};

/** First-order weights of the fields, keyed by slot ids (index + 1; 0 pads). */
export class FieldWeights {
  readonly users: Embedding;
  readonly items: Embedding;
  readonly categories: Embedding;
  readonly historyItems: Embedding;
  readonly bias: tf.Variable;

  constructor(params: Params, name: string, vocabulary: RankingVocabulary) {
    this.users = new Embedding(params, `${name}.users`, vocabulary.users.length + 1, 1, 'zeros');
    this.items = new Embedding(params, `${name}.items`, vocabulary.items.length + 1, 1, 'zeros');
    this.categories = new Embedding(
      params,
      `${name}.categories`,
      vocabulary.categories.length + 1,
      1,
      'zeros',
    );
    this.historyItems = new Embedding(
      params,
      `${name}.historyItems`,
      vocabulary.items.length + 1,
      1,
      'zeros',
    );
    this.bias = params.create(`${name}.bias`, [1], 'zeros');
  }

  /** The sum of the weights and the bias: [batch]. */
  apply(inputs: RankingInputs): tf.Tensor1D {
    const { ids, mask, size } = inputs;
    const history = tf.div(
      tf.sum(tf.mul(this.historyItems.apply(ids.historyItems).reshape(mask.shape), mask), 1),
      tf.maximum(tf.sum(mask, 1), 1),
    );
    const single = tf
      .addN([this.users.apply(ids.users), this.items.apply(ids.items), this.categories.apply(ids.categories)])
      .reshape([size]);
    return tf.add(tf.add(single, history), this.bias) as tf.Tensor1D;
  }
}

export class LogisticRegression extends SingleTaskModel<LogisticRegressionConfig> {
  private weights: FieldWeights | null = null;

  constructor(config: Partial<LogisticRegressionConfig> = {}) {
    super('LogisticRegression', SCHEMA, config);
  }

  protected build(params: Params, _fields: FieldEmbeddings, vocabulary: RankingVocabulary): void {
    this.weights = new FieldWeights(params, 'lr', vocabulary);
  }

  protected outputs(inputs: RankingInputs): RankingOutputs {
    return { logits: { [this.config.task]: this.weights!.apply(inputs) } };
  }
}
