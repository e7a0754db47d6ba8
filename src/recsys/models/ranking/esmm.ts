/**
 * ESMM, the Entire Space Multi-task Model (Ma et al., SIGIR 2018): conversion (buy) is learnt
 * over every sample, not only the clicked ones. A CTR tower and a CVR tower, sharing the
 * field embeddings, read [user, candidate, mean of the history]; pCTR = σ(ctr),
 * pCVR = σ(cvr) = p(buy | click), and pCTCVR = pCTR · pCVR = p(click and buy). The loss is
 * BCE(click, pCTR) + BCE(buy, pCTCVR) over all samples, so pCVR is never fitted to the
 * clicked samples alone: that fixes the sample selection bias of a CVR model trained on
 * clicks and then used on every impression, and the CVR tower's rare labels borrow the
 * embeddings the abundant clicks train. `predict` gives click → pCTR and buy → pCTCVR;
 * `cvr(samples)` gives pCVR.
 */
import * as tf from '@tensorflow/tfjs';
import type { RankingSamples } from '../../data/ranking-samples';
import { DenseStack, dropout, type Mode, type Params } from '../../engine/layers';
import type { SettingsSchema } from '../../engine/settings';
import {
  RANKING_SCHEMA,
  RankingModel,
  meanPool,
  type FieldEmbeddings,
  type RankingInputs,
  type RankingOutputs,
  type RankingSettings,
} from './ranking-model';

export interface ESMMConfig extends RankingSettings {
  /** Widths of each tower's hidden layers (the CTR and the CVR tower alike). */
  layers: number[];
}

const SCHEMA: SettingsSchema<ESMMConfig> = {
  ...RANKING_SCHEMA,
  layers: { type: 'ints', min: 1, default: [200, 80] },
};

interface Towers {
  ctr: DenseStack;
  cvr: DenseStack;
}

export class ESMM extends RankingModel<ESMMConfig> {
  readonly tasks = ['click', 'buy'] as const;
  private towers: Towers | null = null;
  /** While `cvr()` predicts: the buy output is pCVR instead of pCTCVR. */
  private conditional = false;

  constructor(config: Partial<ESMMConfig> = {}) {
    super('ESMM', SCHEMA, config);
  }

  /** pCVR per sample: the probability of a buy given a click, p(buy | click). */
  cvr(samples: RankingSamples): Float32Array {
    this.conditional = true;
    try {
      return this.predict(samples).buy!;
    } finally {
      this.conditional = false;
    }
  }

  protected build(params: Params, fields: FieldEmbeddings): void {
    const sizes = [5 * fields.dim, ...this.config.layers, 1];
    this.towers = { ctr: new DenseStack(params, 'ctr', sizes), cvr: new DenseStack(params, 'cvr', sizes) };
  }

  protected outputs(inputs: RankingInputs, mode: Mode): RankingOutputs {
    const { ctr, cvr } = this.towers!;
    const x = dropout(
      tf.concat([inputs.user, inputs.target, meanPool(inputs)], 1),
      this.config.dropout,
      mode,
    );
    const ctrLogit = ctr.apply(x).reshape([inputs.size]) as tf.Tensor1D;
    const pCVR = tf.sigmoid(cvr.apply(x).reshape([inputs.size])) as tf.Tensor1D;
    const buy = this.conditional ? pCVR : (tf.mul(tf.sigmoid(ctrLogit), pCVR) as tf.Tensor1D);
    return { logits: { click: ctrLogit }, probabilities: { buy } };
  }
}
