/**
 * A GRU layer (Cho et al. 2014, the form PyTorch and cuDNN use: the reset gate applies to
 * the recurrent product including its bias). The input products of every step are two
 * matrix products before the loop (gates, candidate); the loop does one product per step.
 */
import * as tf from '@tensorflow/tfjs';
import { addcmul, batchedAffine, lerp } from '../../../tf-backend';
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
    const negateUpdate = (t: tf.Tensor) =>
      blend.kind === 'complement'
        ? tf.mul(t, tf.concat([tf.fill([u], -1), tf.ones([t.shape[t.rank - 1] - u])]))
        : t;
    // Time-major, so each step's slice (and in the backward pass each step's gradient) is one
    // contiguous block: cutting [batch, length, ·] along its middle axis took 12% of GRU4Rec's step.
    const rows = x.transpose([1, 0, 2]).reshape([length * batch, this.inputs]) as tf.Tensor2D;
    // The gates' and the candidate's input products as two products: one product cut in three and two of the
    // pieces joined again cost two large copies forward and two backward.
    const [gatesKernel, candidateKernel] = tf.split(this.inputKernel, [2 * u, u], 1) as tf.Tensor2D[];
    const [gatesBias, candidateBias] = tf.split(this.inputBias, [2 * u, u]);
    let gates: tf.Tensor = tf.fused
      .matMul({ a: rows, b: negateUpdate(gatesKernel) as tf.Tensor2D, bias: negateUpdate(gatesBias) })
      .reshape([length, batch, 2 * u]);
    // A padding slot's update gate input sinks to SHUT, where σ is exactly 0: the state stays and no gradient passes.
    if (blend.kind === 'complement' && blend.real) {
      const shut = tf.concat([tf.fill([u], SHUT), tf.zeros([u])]);
      gates = tf.add(gates, tf.mul(tf.sub(1, blend.real.transpose()).expandDims(2), shut));
    }
    // Each step's tensors are [1, batch, ·], as the recurrent product takes and gives them (batchedAffine).
    const xGates = tf.unstack(gates.reshape([length, 1, batch, 2 * u]));
    const xCandidate = tf.unstack(
      tf.fused.matMul({ a: rows, b: candidateKernel, bias: candidateBias }).reshape([length, 1, batch, u]),
    );
    const recurrentKernel = negateUpdate(this.recurrentKernel).expandDims(0) as tf.Tensor3D;
    const recurrentBias = negateUpdate(this.recurrentBias) as tf.Tensor1D;
    const scale = blend.kind === 'scaled' ? timeSteps(blend.scale) : null;
    let h: tf.Tensor = tf.zeros([1, batch, u]);
    const states: tf.Tensor[] = [];
    for (let t = 0; t < length; t++) {
      const [hGates, hn] = tf.split(
        batchedAffine(h as tf.Tensor3D, recurrentKernel, recurrentBias),
        [2 * u, u],
        2,
      );
      // The update and reset gates share one add and one sigmoid a step.
      const [w, r] = tf.split(tf.sigmoid(tf.add(xGates[t], hGates)), 2, 2);
      const n = tf.tanh(addcmul(xCandidate[t], r, hn));
      h = lerp(h, n, scale ? tf.mul(scale[t], w) : w);
      states.push(h);
    }
    return tf.concat(states).transpose([1, 0, 2]) as tf.Tensor3D;
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

/** [batch, length] → length tensors [1, batch, 1], one per step. */
function timeSteps(x: tf.Tensor2D): tf.Tensor[] {
  const [batch, length] = x.shape;
  return tf.unstack(x.transpose().reshape([length, 1, batch, 1]));
}
