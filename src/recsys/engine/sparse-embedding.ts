/**
 * An embedding table held in a typed array and trained with lazy Adam: a step updates
 * only the rows its batch used. On TensorFlow.js the gradient of a gather is a dense
 * table-sized tensor, and Adam then rewrites every row of every table on every step; here
 * a step costs the batch's rows, whatever the table's size.
 */
import { AdamState, type AdamOptions } from './adam';
import type { Random } from '../random';

export class SparseEmbedding {
  readonly weights: Float32Array;
  private readonly adam: AdamState;
  /** Position of a row's gradient in `grad` during a step, or -1. */
  private readonly slot: Int32Array;
  private touched: Int32Array;
  private grad: Float32Array;
  private numTouched = 0;

  /**
   * `padding`: id 0 stands for "no value" (a padded multi-valued feature) and is never
   * read or trained.
   */
  constructor(
    readonly rows: number,
    readonly dim: number,
    readonly padding: boolean,
    random: Random,
    adam: AdamOptions,
  ) {
    this.weights = Float32Array.from({ length: rows * dim }, () => random.normal() * 0.1);
    if (padding) this.weights.fill(0, 0, dim);
    this.adam = new AdamState(rows * dim, adam);
    this.slot = new Int32Array(rows).fill(-1);
    this.touched = new Int32Array(64);
    this.grad = new Float32Array(64 * dim);
  }

  /**
   * For each example b with entity e = entities[b], writes into out[b·stride + offset ..]
   * the sum of the rows `lookup[e·width .. (e+1)·width)` (the values of a multi-valued
   * attribute, summed as a bag), or row e itself when there is no lookup (an ID embedding).
   */
  gather(
    entities: Int32Array,
    lookup: Int32Array | null,
    width: number,
    out: Float32Array,
    stride: number,
    offset: number,
  ): void {
    const dim = this.dim;
    for (let b = 0; b < entities.length; b++) {
      const to = b * stride + offset;
      for (let j = 0; j < dim; j++) out[to + j] = 0;
      for (let w = 0; w < width; w++) {
        const id = lookup ? lookup[entities[b] * width + w] : entities[b];
        if (this.padding && id === 0) continue;
        const from = id * dim;
        for (let j = 0; j < dim; j++) out[to + j] += this.weights[from + j];
      }
    }
  }

  /** Adds each example's gradient (grad[b·stride + offset ..]) to the rows `gather` read for it. */
  accumulate(
    entities: Int32Array,
    lookup: Int32Array | null,
    width: number,
    grad: Float32Array,
    stride: number,
    offset: number,
  ): void {
    const dim = this.dim;
    for (let b = 0; b < entities.length; b++) {
      const from = b * stride + offset;
      for (let w = 0; w < width; w++) {
        const id = lookup ? lookup[entities[b] * width + w] : entities[b];
        if (this.padding && id === 0) continue;
        const to = this.slotOf(id) * dim;
        for (let j = 0; j < dim; j++) this.grad[to + j] += grad[from + j];
      }
    }
  }

  /** One lazy Adam step on the rows accumulated since the last step. */
  step(): void {
    const dim = this.dim;
    const rate = this.adam.nextRate();
    for (let s = 0; s < this.numTouched; s++) {
      const row = this.touched[s];
      this.slot[row] = -1;
      this.adam.update(this.weights, row * dim, this.grad, s * dim, dim, rate);
    }
    this.numTouched = 0;
  }

  private slotOf(id: number): number {
    if (id < 0 || id >= this.rows)
      throw new Error(`Embedding id ${id} is outside the table's ${this.rows} rows.`);
    let s = this.slot[id];
    if (s >= 0) return s;
    s = this.numTouched++;
    if (s >= this.touched.length) {
      const touched = new Int32Array(this.touched.length * 2);
      touched.set(this.touched);
      this.touched = touched;
      const grad = new Float32Array(this.grad.length * 2);
      grad.set(this.grad);
      this.grad = grad;
    }
    this.touched[s] = id;
    this.grad.fill(0, s * this.dim, (s + 1) * this.dim);
    this.slot[id] = s;
    return s;
  }
}
