/** Dropout for training; a no-op when scoring. Seeded from the model's stream, so a seed gives one run. */
import * as tf from '@tensorflow/tfjs';
import type { Random } from '../../random';

/** Whether a forward pass is a training step (dropout on) and where its randomness comes from. */
export interface Mode {
  training: boolean;
  random: Random;
}

export function dropout(x: tf.Tensor, rate: number, mode: Mode): tf.Tensor {
  if (!mode.training || rate <= 0) return x;
  return tf.dropout(x, rate, undefined, mode.random.int(2 ** 31));
}
