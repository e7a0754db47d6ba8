/**
 * A stack of dense layers (ReLU between them, the last one linear): the towers of
 * TwoTower and the encoder/decoder of AutoEncoder. The forward pass runs in TensorFlow.js;
 * the backward pass is written out rather than taped, and Adam runs on the weights in
 * typed arrays. On the wasm and cpu backends every kernel call costs microseconds of
 * bookkeeping whatever its size, and taping a small network's gradient and running
 * TensorFlow.js's Adam take several hundred calls per step; this takes a few dozen.
 * Weights start from a seeded Glorot-uniform draw and leave and enter as typed arrays.
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
  /** Gradient and optimiser state exist only once `train` is called: a loaded model only scores. */
  private grads: Float32Array[] = [];
  private tensors: tf.Tensor[];
  private adam: AdamState[] = [];

  /** `sizes`: input width, then each layer's width. */
  constructor(
    readonly sizes: readonly number[],
    random: Random,
    weights?: readonly Float32Array[],
  ) {
    if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new Error(`A dense stack needs an input width and at least one layer, all whole numbers ≥ 1; got [${sizes.join(', ')}].`);
    }
    const layers = sizes.length - 1;
    if (weights && weights.length !== 2 * layers) throw new Error(`Expected ${2 * layers} weight arrays, got ${weights.length}.`);
    this.params = [];
    for (let l = 0; l < layers; l++) {
      const [n, m] = [sizes[l], sizes[l + 1]];
      const limit = Math.sqrt(6 / (n + m));
      const kernel = weights?.[2 * l] ?? Float32Array.from({ length: n * m }, () => (2 * random.next() - 1) * limit);
      const bias = weights?.[2 * l + 1] ?? new Float32Array(m);
      if (kernel.length !== n * m || bias.length !== m) throw new Error(`Layer ${l + 1} weights do not fit ${n} → ${m}.`);
      this.params.push(kernel, bias);
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
    return this.forward(0, x, tape);
  }

  /**
   * The forward pass of inputs that are rows of ones and zeros, given as CSR rows `rows`
   * (a user's items): the first layer adds up the kernel rows of the ones in typed arrays,
   * reading only those rows where a product would read the whole kernel.
   */
  applyToSparseRows(indptr: Int32Array, indices: Int32Array, rows: Int32Array): tf.Tensor2D {
    const width = this.sizes[1];
    const [kernel, bias] = this.params;
    const h = new Float32Array(rows.length * width);
    rows.forEach((row, r) => {
      const to = r * width;
      h.set(bias, to);
      for (let p = indptr[row]; p < indptr[row + 1]; p++) {
        const from = indices[p] * width;
        for (let j = 0; j < width; j++) h[to + j] += kernel[from + j];
      }
      if (this.layers > 1) for (let j = 0; j < width; j++) h[to + j] = Math.max(0, h[to + j]);
    });
    return this.forward(1, tf.tensor2d(h, [rows.length, width]));
  }

  private forward(from: number, x: tf.Tensor2D, tape?: MlpTape): tf.Tensor2D {
    let h = x;
    for (let l = from; l < this.layers; l++) {
      const activation = l < this.layers - 1 ? 'relu' : 'linear';
      const out = tf.fused.matMul({ a: h, b: this.tensors[2 * l] as tf.Tensor2D, bias: this.tensors[2 * l + 1], activation }) as tf.Tensor2D;
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
    this.params.forEach((p, i) => this.adam[i].update(p, 0, this.grads[i], 0, p.length, this.adam[i].nextRate()));
    tf.dispose(this.tensors);
    this.tensors = this.upload();
  }

  /** Kernel and bias of each layer, in order, as copies. */
  weights(): Float32Array[] {
    return this.params.map((p) => p.slice());
  }

  dispose(): void {
    tf.dispose(this.tensors);
  }

  private requireTraining(): void {
    if (!this.adam.length) throw new Error('Mlp: call train(options) before backward and step.');
  }

  private upload(): tf.Tensor[] {
    return this.params.map((p, i) => tf.keep(i % 2 ? tf.tensor1d(p) : tf.tensor2d(p, [this.sizes[i >> 1], this.sizes[(i >> 1) + 1]])));
  }
}
