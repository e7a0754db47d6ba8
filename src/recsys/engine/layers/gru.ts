/**
 * A GRU layer (Cho et al. 2014, the form PyTorch and cuDNN use: the reset gate applies to
 * the recurrent product including its bias). The input products of every step are one
 * matrix product before the loop; the loop does one product per step.
 */
import * as tf from '@tensorflow/tfjs';
import type { Params } from './params';

/** The weights and the recurrence GRU and AUGRU share; they differ in how much of each step's candidate they take. */
export abstract class GatedRecurrence {
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
   * Every step's state, [batch, length, units], from h ← h + w_t·(n_t − h): n_t the candidate
   * (the reset gate on the recurrent product, bias included), w_t = take(t, g_t) with g_t the
   * step's update gate.
   */
  protected recur(x: tf.Tensor3D, take: (t: number, gate: tf.Tensor) => tf.Tensor): tf.Tensor3D {
    const [batch, length] = x.shape;
    const u = this.units;
    // Time-major, so each step's slice (and in the backward pass each step's gradient) is one
    // contiguous block: cutting [batch, length, ·] along its middle axis took 12% of GRU4Rec's step.
    const projected = tf.fused.matMul({
      a: x.transpose([1, 0, 2]).reshape([length * batch, this.inputs]) as tf.Tensor2D,
      b: this.inputKernel as tf.Tensor2D,
      bias: this.inputBias,
    });
    // The three gates' inputs cut apart once, not at every step (and joined again at every step backward).
    const [xz, xr, xn] = tf.split(projected.reshape([length, batch, 3 * u]), 3, 2).map((p) => tf.unstack(p));
    let h: tf.Tensor2D = tf.zeros([batch, u]);
    const states: tf.Tensor2D[] = [];
    for (let t = 0; t < length; t++) {
      const [hz, hr, hn] = tf.split(
        tf.fused.matMul({ a: h, b: this.recurrentKernel as tf.Tensor2D, bias: this.recurrentBias }),
        3,
        1,
      );
      const gate = tf.sigmoid(tf.add(xz[t], hz));
      const r = tf.sigmoid(tf.add(xr[t], hr));
      const n = tf.tanh(tf.add(xn[t], tf.mul(r, hn)));
      h = tf.add(h, tf.mul(take(t, gate), tf.sub(n, h))) as tf.Tensor2D;
      states.push(h);
    }
    return tf.stack(states).transpose([1, 0, 2]) as tf.Tensor3D;
  }
}

export class Gru extends GatedRecurrence {
  /**
   * x: [batch, length, inputs]; real: [batch, length] 1 for an item, 0 for padding (the
   * state passes a padding slot unchanged). Returns every step's state, [batch, length, units].
   */
  apply(x: tf.Tensor3D, real: tf.Tensor2D | null): tf.Tensor3D {
    const keep = real ? timeSteps(real) : null;
    // The update gate z keeps the old state: h' = (1 − z)·n + z·h.
    return this.recur(x, (t, z) => (keep ? tf.mul(keep[t], tf.sub(1, z)) : tf.sub(1, z)));
  }
}

/** [batch, length] → length tensors [batch, 1], one per step. */
export function timeSteps(x: tf.Tensor2D): tf.Tensor[] {
  return tf.unstack(x.transpose().expandDims(2));
}
