/**
 * AUGRU, the GRU with an attentional update gate of DIEN (Zhou et al., AAAI 2019): each
 * step's update gate is scaled by that step's attention score, u'_t = a_t · u_t, and
 * h_t = (1 − u'_t)·h_{t−1} + u'_t·ñ_t, so a behaviour unrelated to the target (a_t ≈ 0)
 * barely moves the state while a related one moves it as a GRU would. Otherwise the form of
 * our `Gru` (PyTorch/cuDNN: the reset gate applies to the recurrent product including its
 * bias): the input products of every step are one matrix product before the loop, and the
 * loop does one product per step. Gradients come from TensorFlow.js's tape.
 */
import * as tf from '@tensorflow/tfjs';
import type { Params } from './params';

export class Augru {
  private readonly inputKernel: tf.Variable;
  private readonly inputBias: tf.Variable;
  private readonly recurrentKernel: tf.Variable;
  private readonly recurrentBias: tf.Variable;

  constructor(
    params: Params,
    name: string,
    readonly inputs: number,
    readonly units: number,
  ) {
    this.inputKernel = params.create(`${name}.inputKernel`, [inputs, 3 * units]);
    this.inputBias = params.create(`${name}.inputBias`, [3 * units], 'zeros');
    this.recurrentKernel = params.create(`${name}.recurrentKernel`, [units, 3 * units]);
    this.recurrentBias = params.create(`${name}.recurrentBias`, [3 * units], 'zeros');
  }

  /**
   * x: [batch, length, inputs]; scores: [batch, length], each step's attention (0 leaves the
   * state as it is); real: [batch, length] 1 for an item, 0 for padding (the state passes a
   * padding slot unchanged, whatever its score). Returns every step's state, [batch, length, units].
   */
  apply(x: tf.Tensor3D, scores: tf.Tensor2D, real: tf.Tensor2D | null): tf.Tensor3D {
    const [batch, length] = x.shape;
    const u = this.units;
    const projected = tf.fused.matMul({ a: x.reshape([batch * length, this.inputs]) as tf.Tensor2D, b: this.inputKernel as tf.Tensor2D, bias: this.inputBias }).reshape([batch, length, 3 * u]);
    const steps = tf.unstack(projected, 1);
    // A padding slot's scale is 0: its update gate is shut.
    const scale = tf.unstack((real ? tf.mul(scores, real) : scores).expandDims(2), 1);
    let h: tf.Tensor2D = tf.zeros([batch, u]);
    const states: tf.Tensor2D[] = [];
    for (let t = 0; t < length; t++) {
      const [xz, xr, xn] = tf.split(steps[t], 3, 1);
      const [hz, hr, hn] = tf.split(tf.fused.matMul({ a: h, b: this.recurrentKernel as tf.Tensor2D, bias: this.recurrentBias }), 3, 1);
      // The update gate weighs the candidate (the paper's u_t), scaled by the step's attention.
      const update = tf.mul(scale[t], tf.sigmoid(tf.add(xz, hz)));
      const r = tf.sigmoid(tf.add(xr, hr));
      const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
      // h' = (1 − u')·h + u'·n = h + u'·(n − h)
      h = tf.add(h, tf.mul(update, tf.sub(n, h))) as tf.Tensor2D;
      states.push(h);
    }
    return tf.stack(states, 1) as tf.Tensor3D;
  }
}
