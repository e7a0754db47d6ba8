/** Dense layers and stacks of them, over the last axis of any-rank input. */
import * as tf from '@tensorflow/tfjs';
import type { Params } from './params';

export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh';

export class Dense {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(
    params: Params,
    name: string,
    readonly inputs: number,
    readonly outputs: number,
    readonly activation: Activation = 'linear',
    useBias = true,
  ) {
    this.kernel = params.create(`${name}.kernel`, [inputs, outputs]);
    this.bias = useBias ? params.create(`${name}.bias`, [outputs], 'zeros') : null;
  }

  apply(x: tf.Tensor): tf.Tensor {
    const shape = x.shape;
    const flat = shape.length === 2 ? (x as tf.Tensor2D) : x.reshape([-1, this.inputs]).as2D(-1, this.inputs);
    // The fused product adds the bias and applies the activation in one kernel call where the backend can.
    const fusedActivation =
      this.activation === 'sigmoid' || this.activation === 'tanh' ? 'linear' : this.activation;
    let y: tf.Tensor = tf.fused.matMul({
      a: flat,
      b: this.kernel as tf.Tensor2D,
      bias: this.bias ?? undefined,
      activation: fusedActivation,
    });
    if (this.activation === 'sigmoid') y = tf.sigmoid(y);
    else if (this.activation === 'tanh') y = tf.tanh(y);
    return shape.length === 2 ? y : y.reshape([...shape.slice(0, -1), this.outputs]);
  }
}

/**
 * Dense layers of `sizes` (input width first); `activation` between them, the last one linear unless `last`
 * says otherwise.
 */
export class DenseStack {
  readonly layers: Dense[];

  constructor(
    params: Params,
    name: string,
    readonly sizes: readonly number[],
    activation: Activation = 'relu',
    last: Activation = 'linear',
  ) {
    if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new Error(
        `A dense stack needs an input width and at least one layer, all whole numbers ≥ 1; got [${sizes.join(', ')}].`,
      );
    }
    this.layers = sizes
      .slice(1)
      .map(
        (out, l) =>
          new Dense(params, `${name}.${l}`, sizes[l], out, l === sizes.length - 2 ? last : activation),
      );
  }

  apply(x: tf.Tensor): tf.Tensor {
    return this.layers.reduce((h, layer) => layer.apply(h), x);
  }
}
