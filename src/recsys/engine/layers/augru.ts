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
import { GatedRecurrence } from './gru';

export class Augru extends GatedRecurrence {
  /**
   * x: [batch, length, inputs]; scores: [batch, length], each step's attention (0 leaves the
   * state as it is); real: [batch, length] 1 for an item, 0 for padding (the state passes a
   * padding slot unchanged, whatever its score). Returns every step's state, [batch, length, units].
   */
  apply(x: tf.Tensor3D, scores: tf.Tensor2D, real: tf.Tensor2D | null): tf.Tensor3D {
    // A padding slot's scale is 0: its update gate is shut.
    return this.recur(x, { kind: 'scaled', scale: real ? tf.mul(scores, real) : scores });
  }
}
