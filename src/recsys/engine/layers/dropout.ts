/** Dropout for training; a no-op when scoring. Seeded from the model's stream, so a seed gives one run. */
import * as tf from '@tensorflow/tfjs';
import { dropoutMask } from '../../../tf-backend';
import type { Random } from '../../random';

/** Whether a forward pass is a training step (dropout on) and where its randomness comes from. */
export interface Mode {
  training: boolean;
  random: Random;
}

/**
 * Inverted dropout: each value kept with probability 1 − rate and scaled by 1 / (1 − rate). The product with a
 * constant mask is differentiated by TensorFlow.js like any other; the mask comes from a kernel
 * (tf-backend/dropout-mask) rather than tf.dropout, whose mask took a tenth of a SASRec step on wasm.
 */
export function dropout(x: tf.Tensor, rate: number, mode: Mode): tf.Tensor {
  if (!mode.training || rate <= 0) return x;
  return tf.mul(x, dropoutMask(x.shape, rate, mode.random.int(2 ** 31)));
}
