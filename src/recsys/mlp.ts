/**
 * A stack of dense layers as TensorFlow.js variables: the towers of TwoTower and the
 * encoder/decoder of AutoEncoder. Weights start from a seeded Glorot-uniform draw, so a
 * seed fixes a model; they leave and enter as typed arrays for save/load.
 */
import * as tf from '@tensorflow/tfjs';
import type { Random } from './random';

export type Activation = 'relu' | 'sigmoid' | 'linear';

export class Mlp {
  private readonly kernels: tf.Variable[] = [];
  private readonly biases: tf.Variable[] = [];

  /**
   * `sizes`: input width, then each layer's width. Hidden layers use ReLU, the last layer
   * `output`.
   */
  constructor(
    readonly sizes: readonly number[],
    readonly output: Activation,
    random: Random,
    weights?: readonly Float32Array[],
  ) {
    if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new Error(`A dense stack needs an input width and at least one layer, all whole numbers ≥ 1; got [${sizes.join(', ')}].`);
    }
    if (weights && weights.length !== 2 * (sizes.length - 1)) throw new Error(`Expected ${2 * (sizes.length - 1)} weight arrays, got ${weights.length}.`);
    for (let l = 0; l + 1 < sizes.length; l++) {
      const [n, m] = [sizes[l], sizes[l + 1]];
      const limit = Math.sqrt(6 / (n + m));
      const kernel = weights?.[2 * l] ?? Float32Array.from({ length: n * m }, () => (2 * random.next() - 1) * limit);
      const bias = weights?.[2 * l + 1] ?? new Float32Array(m);
      if (kernel.length !== n * m || bias.length !== m) throw new Error(`Layer ${l + 1} weights do not fit ${n} → ${m}.`);
      this.kernels.push(variable(kernel, [n, m]));
      this.biases.push(variable(bias, [m]));
    }
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    let h = x;
    for (let l = 0; l < this.kernels.length; l++) {
      // Product and bias as one fused kernel with a hand-written gradient (TensorFlow.js
      // fuses only linear layers while taping gradients, so the activation stays apart).
      h = tf.fused.matMul({ a: h, b: this.kernels[l] as tf.Tensor as tf.Tensor2D, bias: this.biases[l] }) as tf.Tensor2D;
      const activation = l < this.kernels.length - 1 ? 'relu' : this.output;
      if (activation === 'relu') h = tf.relu(h);
      else if (activation === 'sigmoid') h = tf.sigmoid(h);
    }
    return h;
  }

  get variables(): tf.Variable[] {
    return [...this.kernels, ...this.biases];
  }

  /** Kernel and bias of each layer, in order, as copies. */
  weights(): Float32Array[] {
    return this.kernels.flatMap((k, l) => [k.dataSync() as Float32Array, this.biases[l].dataSync() as Float32Array].map((a) => a.slice()));
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

function variable(values: Float32Array, shape: number[]): tf.Variable {
  const initial = tf.tensor(values, shape);
  const v = tf.variable(initial);
  initial.dispose();
  return v;
}
