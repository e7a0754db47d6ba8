/** Layer normalisation over the last axis, with a learned scale and shift. */
import * as tf from '@tensorflow/tfjs';
import type { Params } from './params';

export class LayerNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;

  constructor(
    params: Params,
    name: string,
    dim: number,
    readonly epsilon = 1e-6,
  ) {
    this.gamma = params.create(`${name}.gamma`, [dim], 'ones');
    this.beta = params.create(`${name}.beta`, [dim], 'zeros');
  }

  apply(x: tf.Tensor): tf.Tensor {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(
      tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.epsilon))), this.gamma),
      this.beta,
    );
  }
}
