/** Learned positions: slot p of a sequence (left-padded, so the last slot is the latest item) adds row p. */
import * as tf from '@tensorflow/tfjs';
import type { Params } from './params';

export class PositionalEmbedding {
  readonly table: tf.Variable;

  constructor(
    params: Params,
    name: string,
    readonly maxLen: number,
    readonly dim: number,
  ) {
    this.table = params.create(`${name}.table`, [maxLen, dim], { normal: 1 / Math.sqrt(dim) });
  }

  /** x: [batch, length, dim] with length ≤ maxLen; the last slots take the last positions. */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    const length = x.shape[1];
    if (length > this.maxLen)
      throw new Error(`PositionalEmbedding: sequences of ${length} exceed maxLen ${this.maxLen}.`);
    return tf.add(x, this.table.slice([this.maxLen - length, 0], [length, this.dim])) as tf.Tensor3D;
  }
}
