/**
 * DNN, the embedding-and-MLP baseline of the CTR literature (Covington et al.; the "Base
 * model" of the DIN paper): the user, the candidate and the mean of the history's
 * embeddings, concatenated, through an MLP to one task's logit. Mean pooling gives every
 * behaviour the same weight, whatever the candidate: what DIN's attention improves on.
 */
import * as tf from '@tensorflow/tfjs';
import { DenseStack, dropout, type Mode, type Params } from '../../engine/layers';
import type { SettingsSchema } from '../../engine/settings';
import {
  RANKING_SCHEMA,
  meanPool,
  type FieldEmbeddings,
  type RankingInputs,
  type RankingOutputs,
  type RankingSettings,
} from './ranking-model';
import { SINGLE_TASK_SCHEMA, SingleTaskModel, type SingleTaskSettings } from './single-task';

export interface DNNConfig extends RankingSettings, SingleTaskSettings {
  /** Widths of the MLP's hidden layers. */
  layers: number[];
}

const SCHEMA: SettingsSchema<DNNConfig> = {
  ...RANKING_SCHEMA,
  ...SINGLE_TASK_SCHEMA,
  layers: { type: 'ints', min: 1, default: [200, 80] },
};

export class DNN extends SingleTaskModel<DNNConfig> {
  private mlp: DenseStack | null = null;

  constructor(config: Partial<DNNConfig> = {}) {
    super('DNN', SCHEMA, config);
  }

  protected build(params: Params, fields: FieldEmbeddings): void {
    const d = fields.dim;
    this.mlp = new DenseStack(params, 'mlp', [d + 2 * d + 2 * d, ...this.config.layers, 1]);
  }

  protected outputs(inputs: RankingInputs, mode: Mode): RankingOutputs {
    const x = dropout(
      tf.concat([inputs.user, inputs.target, meanPool(inputs)], 1),
      this.config.dropout,
      mode,
    );
    return { logits: { [this.config.task]: this.mlp!.apply(x).reshape([inputs.size]) as tf.Tensor1D } };
  }
}
