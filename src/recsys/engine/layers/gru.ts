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
   * (the reset gate on the recurrent product, bias included) and w_t as `blend` says.
   */
  protected recur(x: tf.Tensor3D, blend: Blend): tf.Tensor3D {
    const [batch, length] = x.shape;
    const u = this.units;
    // σ(−a) = 1 − σ(a): with the update gate's columns negated, its sigmoid is already the complement.
    const sign = blend.kind === 'complement' ? tf.concat([tf.fill([u], -1), tf.ones([2 * u])]) : null;
    const signed = (t: tf.Tensor) => (sign ? tf.mul(t, sign) : t);
    // Time-major, so each step's slice (and in the backward pass each step's gradient) is one
    // contiguous block: cutting [batch, length, ·] along its middle axis took 12% of GRU4Rec's step.
    const projected = signed(
      tf.fused.matMul({
        a: x.transpose([1, 0, 2]).reshape([length * batch, this.inputs]) as tf.Tensor2D,
        b: this.inputKernel as tf.Tensor2D,
        bias: this.inputBias,
      }),
    ).reshape([length, batch, 3 * u]);
    const [xz, xr, xn] = tf.split(projected, 3, 2);
    // A padding slot's gate input sinks to SHUT, where σ is exactly 0: the state stays and no gradient passes.
    const xw =
      blend.kind === 'complement' && blend.real
        ? tf.add(xz, tf.mul(tf.sub(1, blend.real.transpose()), SHUT).expandDims(2))
        : xz;
    // The update and reset gates share one add and one sigmoid a step; inputs cut apart once, not at every step.
    const xGates = tf.unstack(tf.concat([xw, xr], 2));
    const xCandidate = tf.unstack(xn);
    const recurrentKernel = signed(this.recurrentKernel) as tf.Tensor2D;
    const recurrentBias = signed(this.recurrentBias);
    const scale = blend.kind === 'scaled' ? timeSteps(blend.scale) : null;
    let h: tf.Tensor2D = tf.zeros([batch, u]);
    const states: tf.Tensor2D[] = [];
    for (let t = 0; t < length; t++) {
      const [hGates, hn] = tf.split(
        tf.fused.matMul({ a: h, b: recurrentKernel, bias: recurrentBias }),
        [2 * u, u],
        1,
      );
      const [w, r] = tf.split(tf.sigmoid(tf.add(xGates[t], hGates)), 2, 1);
      const n = tf.tanh(tf.add(xCandidate[t], tf.mul(r, hn)));
      h = tf.add(h, tf.mul(scale ? tf.mul(scale[t], w) : w, tf.sub(n, h))) as tf.Tensor2D;
      states.push(h);
    }
    return tf.stack(states).transpose([1, 0, 2]) as tf.Tensor3D;
  }
}

/** A gate input this low makes the sigmoid exactly 0 in float32. */
const SHUT = -1e9;

/**
 * How much of each step's candidate the state takes:
 * - 'complement': 1 − z_t, z_t the update gate (GRU: h' = (1 − z)·n + z·h), 0 where `real` is 0;
 * - 'scaled': scale_t · u_t, u_t the update gate (AUGRU: the candidate's share, scaled by attention).
 */
type Blend = { kind: 'complement'; real: tf.Tensor2D | null } | { kind: 'scaled'; scale: tf.Tensor2D };

export class Gru extends GatedRecurrence {
  /**
   * x: [batch, length, inputs]; real: [batch, length] 1 for an item, 0 for padding (the
   * state passes a padding slot unchanged). Returns every step's state, [batch, length, units].
   */
  apply(x: tf.Tensor3D, real: tf.Tensor2D | null): tf.Tensor3D {
    return this.recur(x, { kind: 'complement', real });
  }
}

/** [batch, length] → length tensors [batch, 1], one per step. */
function timeSteps(x: tf.Tensor2D): tf.Tensor[] {
  return tf.unstack(x.transpose().expandDims(2));
}
