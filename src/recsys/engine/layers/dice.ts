/**
 * Dice (Zhou et al., DIN, 2018): a ReLU whose kink moves with the data, p(x)·x + (1 − p(x))·α·x
 * with p(x) = sigmoid of x standardised per unit. Training standardises by the batch's
 * statistics and keeps their running averages, which scoring uses, so a single prediction
 * gets the same standardisation as the batches it was trained on.
 */
import * as tf from '@tensorflow/tfjs';
import type { Mode } from './dropout';
import type { Params } from './params';

const MOMENTUM = 0.99;
const EPSILON = 1e-8;

export class Dice {
  private readonly alpha: tf.Variable;
  private readonly mean: tf.Variable;
  private readonly variance: tf.Variable;

  constructor(params: Params, name: string, units: number) {
    this.alpha = params.create(`${name}.alpha`, [units], 'zeros');
    // Running statistics are state, not weights: no gradient reaches them.
    this.mean = params.state(`${name}.mean`, [units], 'zeros');
    this.variance = params.state(`${name}.variance`, [units], 'ones');
  }

  /** x: [batch, units]. */
  apply(x: tf.Tensor2D, mode: Mode): tf.Tensor2D {
    let mean: tf.Tensor = this.mean;
    let variance: tf.Tensor = this.variance;
    if (mode.training) {
      const moments = tf.moments(x, 0);
      mean = moments.mean;
      variance = moments.variance;
      this.mean.assign(tf.add(tf.mul(this.mean, MOMENTUM), tf.mul(mean, 1 - MOMENTUM)));
      this.variance.assign(tf.add(tf.mul(this.variance, MOMENTUM), tf.mul(variance, 1 - MOMENTUM)));
    }
    const p = tf.sigmoid(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPSILON))));
    return tf.add(tf.mul(p, x), tf.mul(tf.mul(tf.sub(1, p), this.alpha), x)) as tf.Tensor2D;
  }
}
