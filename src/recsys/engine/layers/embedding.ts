/**
 * An embedding table. Its gradient is TensorFlow.js's own (`gather`'s, a scatter-add, which
 * RecLab supplies on the wasm and cpu backends); row 0 is padding where the model says so,
 * and the model masks it.
 */
import * as tf from '@tensorflow/tfjs';
import type { Init, Params } from './params';

export class Embedding {
  readonly table: tf.Variable;

  constructor(
    params: Params,
    name: string,
    readonly rows: number,
    readonly dim: number,
    init: Init = { normal: 1 / Math.sqrt(dim) },
  ) {
    if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(dim) || dim < 1)
      throw new Error(`Embedding "${name}": rows and dim must be whole numbers ≥ 1, got ${rows} × ${dim}.`);
    this.table = params.create(`${name}.table`, [rows, dim], init);
  }

  /** Rows for int32 `ids` of any shape: shape [...ids.shape, dim]. */
  apply(ids: tf.Tensor): tf.Tensor {
    return tf.gather(this.table, ids);
  }

  /**
   * The sum of the rows of each bag: `ids` is [n, width], id 0 being padding (left out);
   * a multi-valued attribute (genres) becomes one vector.
   */
  bag(ids: tf.Tensor2D): tf.Tensor2D {
    const rows = this.apply(ids);
    const mask = tf.cast(tf.greater(ids, 0), 'float32').expandDims(2);
    return tf.sum(tf.mul(rows, mask), 1) as tf.Tensor2D;
  }
}
