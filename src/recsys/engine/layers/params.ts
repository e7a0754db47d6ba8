/**
 * The weights of one model as TensorFlow.js variables, by name: layers register theirs
 * here, the trainer differentiates with respect to all of them (taped autodiff, so a new
 * layer needs no backward pass of its own), and save/load, resume and best-epoch restore
 * copy them as a whole.
 */
import * as tf from '@tensorflow/tfjs';
import type { Random } from '../../random';

export type Init = 'glorot' | 'zeros' | 'ones' | { normal: number };

export class Params {
  private readonly byName = new Map<string, tf.Variable>();

  constructor(private readonly random: Random) {}

  /**
   * A new weight; initial values are drawn on the host from the seeded stream, so a seed gives one model
   * everywhere.
   */
  create(name: string, shape: number[], init: Init = 'glorot'): tf.Variable {
    return this.add(name, shape, init, true);
  }

  /**
   * State that is not a weight (running statistics): saved, restored and freed with the
   * weights, but no gradient or optimiser step touches it.
   */
  state(name: string, shape: number[], init: Init): tf.Variable {
    return this.add(name, shape, init, false);
  }

  private add(name: string, shape: number[], init: Init, trainable: boolean): tf.Variable {
    if (this.byName.has(name)) throw new Error(`Params: "${name}" is registered twice.`);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (init === 'ones') values.fill(1);
    else if (init === 'glorot') {
      // Fan in and out of the last two axes, as Keras counts them for a kernel.
      const fanIn = shape.length > 1 ? shape[shape.length - 2] : shape[0];
      const fanOut = shape[shape.length - 1];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < size; i++) values[i] = (2 * this.random.next() - 1) * limit;
    } else if (init !== 'zeros')
      for (let i = 0; i < size; i++) values[i] = this.random.normal() * init.normal;
    // The initial tensor is copied into the variable: a tidy frees it.
    const v = tf.tidy(() => tf.variable(tf.tensor(values, shape), trainable));
    this.byName.set(name, v);
    return v;
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  /** The weights: what the trainer differentiates and the optimiser steps. */
  get variables(): tf.Variable[] {
    return [...this.byName.values()].filter((v) => v.trainable);
  }

  get size(): number {
    let n = 0;
    for (const v of this.byName.values()) n += v.size;
    return n;
  }

  /** Copies of every weight, by name (a readback: for save, never inside a step). */
  export(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const [name, v] of this.byName) out[name] = v.dataSync() as Float32Array;
    return out;
  }

  /** Sets every weight from `weights`, which must hold each by name with its size. */
  import(weights: Record<string, Float32Array>): void {
    for (const [name, v] of this.byName) {
      const w = weights[name];
      if (!w || w.length !== v.size)
        throw new Error(
          `The saved weights have ${w ? `${w.length} values` : 'nothing'} for "${name}", ` +
            `which needs ${v.size} (shape [${v.shape.join(', ')}]). Were they saved with other settings?`,
        );
      tf.tidy(() => v.assign(tf.tensor(w, v.shape)));
    }
  }

  /** Copies of the weights on the device (no readback): the best epoch's, for early stopping. */
  snapshot(): tf.Tensor[] {
    return [...this.byName.values()].map((v) => tf.keep(v.clone()));
  }

  restore(snapshot: readonly tf.Tensor[]): void {
    [...this.byName.values()].forEach((v, i) => v.assign(snapshot[i]));
  }

  dispose(): void {
    for (const v of this.byName.values()) v.dispose();
    this.byName.clear();
  }
}
