/**
 * A stack of dense layers (ReLU between them, the last one linear): the towers of
 * TwoTower's written-out step. The forward pass runs in TensorFlow.js; the backward pass
 * is written out rather than taped, and Adam runs on the weights in typed arrays. On the
 * wasm and cpu backends every kernel call costs microseconds of bookkeeping whatever its
 * size, and taping a small network's gradient and running TensorFlow.js's Adam take
 * several hundred calls per step; this takes a few dozen. Weights start from a seeded
 * Glorot-uniform draw.
 */
import * as tf from '@tensorflow/tfjs';
import { AdamState, type AdamOptions } from './adam';
import type { Random } from '../random';

/** What a taped forward pass keeps for the backward pass: each layer's input and output. */
export interface MlpTape {
  inputs: tf.Tensor2D[];
  outputs: tf.Tensor2D[];
}

export class Mlp {
  /** Kernel (in × out, row-major) and bias of each layer, in order. */
  private readonly params: Float32Array[];
  /** Gradient and optimiser state exist once `train` is called. */
  private grads: Float32Array[] = [];
  private tensors: tf.Tensor[];
  private adam: AdamState[] = [];

  /** `sizes`: input width, then each layer's width. */
  constructor(
    readonly sizes: readonly number[],
    random: Random,
  ) {
    if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new Error(
        `A dense stack needs an input width and at least one layer, all whole numbers ≥ 1; got [${sizes.join(', ')}].`,
      );
    }
    const layers = sizes.length - 1;
    this.params = [];
    for (let l = 0; l < layers; l++) {
      const [n, m] = [sizes[l], sizes[l + 1]];
      const limit = Math.sqrt(6 / (n + m));
      this.params.push(
        Float32Array.from({ length: n * m }, () => (2 * random.next() - 1) * limit),
        new Float32Array(m),
      );
    }
    this.tensors = this.upload();
  }

  get layers(): number {
    return this.sizes.length - 1;
  }

  /** Sets the optimiser for `step`; its moments start at zero. */
  train(options: AdamOptions): void {
    this.grads = this.params.map((p) => new Float32Array(p.length));
    this.adam = this.params.map((p) => new AdamState(p.length, options));
  }

  /** The forward pass; with a `tape`, records what `backward` needs. */
  apply(x: tf.Tensor2D, tape?: MlpTape): tf.Tensor2D {
    let h = x;
    for (let l = 0; l < this.layers; l++) {
      const activation = l < this.layers - 1 ? 'relu' : 'linear';
      const out = tf.fused.matMul({
        a: h,
        b: this.tensors[2 * l] as tf.Tensor2D,
        bias: this.tensors[2 * l + 1],
        activation,
      }) as tf.Tensor2D;
      tape?.inputs.push(h);
      tape?.outputs.push(out);
      h = out;
    }
    return h;
  }

  /**
   * From the loss gradient with respect to the taped pass's output, computes the weight
   * gradients (kept for `step`) and returns the gradient with respect to its input when
   * asked. Call inside the tidy that holds the tape.
   */
  backward(tape: MlpTape, dOutput: tf.Tensor2D, inputGradient: boolean): tf.Tensor2D | null {
    this.requireTraining();
    let dy = dOutput;
    const pending: tf.Tensor[] = [];
    // The bias gradient sums the rows; as a product with a row of ones it is one fast
    // kernel, where the wasm backend's column sum transposes first.
    const ones = tf.ones([1, dOutput.shape[0]]) as tf.Tensor2D;
    for (let l = this.layers - 1; l >= 0; l--) {
      const dz = l === this.layers - 1 ? dy : (tf.mul(dy, tf.step(tape.outputs[l])) as tf.Tensor2D);
      pending[2 * l] = tf.matMul(tape.inputs[l], dz, true, false);
      pending[2 * l + 1] = tf.matMul(ones, dz);
      if (l > 0 || inputGradient) dy = tf.matMul(dz, this.tensors[2 * l] as tf.Tensor2D, false, true);
    }
    pending.forEach((t, i) => this.grads[i].set(t.dataSync() as Float32Array));
    return inputGradient ? dy : null;
  }

  /** One Adam step with the gradients of the last `backward`. Call outside a tidy. */
  step(): void {
    this.requireTraining();
    this.params.forEach((p, i) =>
      this.adam[i].update(p, 0, this.grads[i], 0, p.length, this.adam[i].nextRate()),
    );
    tf.dispose(this.tensors);
    this.tensors = this.upload();
  }

  dispose(): void {
    tf.dispose(this.tensors);
  }

  private requireTraining(): void {
    if (!this.adam.length) throw new Error('Mlp: call train(options) before backward and step.');
  }

  private upload(): tf.Tensor[] {
    return this.params.map((p, i) =>
      tf.keep(i % 2 ? tf.tensor1d(p) : tf.tensor2d(p, [this.sizes[i >> 1], this.sizes[(i >> 1) + 1]])),
    );
  }
}
