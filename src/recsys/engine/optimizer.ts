/**
 * Adam and AdamW (Loshchilov & Hutter's decoupled weight decay) over TensorFlow.js
 * variables, with clipping by global norm and a learning-rate schedule. Everything runs on
 * the device: the clip factor is a tensor, the step size a number the host knows, so a
 * step reads nothing back. The moments are variables too, so a fit can stop, be saved, and
 * resume where it was.
 */
import * as tf from '@tensorflow/tfjs';
import type { SettingsSchema } from './settings';
import { fusedAdam } from '../../tf-backend';

export interface OptimizerSettings {
  optimizer: 'adam' | 'adamw';
  learningRate: number;
  /** AdamW's decoupled decay (a fraction of the weights per unit of learning rate); ignored by Adam. */
  weightDecay: number;
  /** Scale the gradients down when their global norm exceeds this (0: no clipping). */
  clipNorm: number;
  /** constant; linear decay to 0; cosine decay to 0 — over the fit's steps, after `warmup` steps rising linearly. */
  schedule: 'constant' | 'linear' | 'cosine';
  warmup: number;
}

/** The optimiser's settings as a model declares them; a family overrides the learning rate's default. */
export const OPTIMIZER_SCHEMA: SettingsSchema<OptimizerSettings> = {
  learningRate: { type: 'number', min: 0, open: true, default: 0.001 },
  optimizer: { type: 'choice', values: ['adam', 'adamw'], default: 'adam' },
  weightDecay: { type: 'number', min: 0, default: 0 },
  clipNorm: { type: 'number', min: 0, default: 0 },
  schedule: { type: 'choice', values: ['constant', 'linear', 'cosine'], default: 'constant' },
  warmup: { type: 'int', min: 0, default: 0 },
};

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

export class Optimizer {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  /** Steps taken, over every fit of the model (Adam's bias correction counts them). */
  steps = 0;
  /** The schedule's step counter and length: one fit's steps. */
  private scheduled = 0;
  private planned = 1;

  constructor(
    private readonly variables: readonly tf.Variable[],
    private settings: OptimizerSettings,
  ) {
    this.m = variables.map((w) => tf.tidy(() => tf.variable(tf.zerosLike(w), false)));
    this.v = variables.map((w) => tf.tidy(() => tf.variable(tf.zerosLike(w), false)));
  }

  /**
   * Starts a fit of `steps` steps: the schedule runs over these (a resumed fit starts its own schedule, the
   * moments go on).
   */
  plan(steps: number, settings: OptimizerSettings = this.settings): void {
    this.settings = settings;
    this.planned = Math.max(1, steps);
    this.scheduled = 0;
  }

  /** The learning rate of the next step. */
  get rate(): number {
    const { learningRate, schedule, warmup } = this.settings;
    const t = this.scheduled;
    if (t < warmup) return (learningRate * (t + 1)) / warmup;
    const progress = Math.min(1, (t - warmup) / Math.max(1, this.planned - warmup));
    if (schedule === 'linear') return learningRate * (1 - progress);
    if (schedule === 'cosine') return learningRate * 0.5 * (1 + Math.cos(Math.PI * progress));
    return learningRate;
  }

  /**
   * One step against `grads` (one per variable, in order; undefined where a variable took no part). Call
   * inside a tidy.
   */
  apply(grads: readonly (tf.Tensor | undefined)[]): void {
    const lr = this.rate;
    this.steps++;
    this.scheduled++;
    const { clipNorm, optimizer, weightDecay } = this.settings;
    let scale: tf.Scalar | null = null;
    if (clipNorm > 0) {
      const squares = grads.filter((g): g is tf.Tensor => g !== undefined).map((g) => tf.sum(tf.square(g)));
      const norm = tf.sqrt(tf.addN(squares));
      scale = tf.div(clipNorm, tf.maximum(norm, clipNorm)) as tf.Scalar;
    }
    // Kingma & Ba's efficient form: the bias corrections folded into the step size.
    const stepSize = (lr * Math.sqrt(1 - BETA2 ** this.steps)) / (1 - BETA1 ** this.steps);
    const decay = optimizer === 'adamw' ? lr * weightDecay : 0;
    this.variables.forEach((w, i) => {
      let g = grads[i];
      if (!g) return;
      if (scale) g = tf.mul(g, scale);
      const fused = fusedAdam(w, this.m[i], this.v[i], g, {
        beta1: BETA1,
        beta2: BETA2,
        epsilon: EPSILON,
        stepSize,
        decay,
      });
      if (fused) {
        w.assign(fused[0]);
        this.m[i].assign(fused[1]);
        this.v[i].assign(fused[2]);
        return;
      }
      const m = tf.add(tf.mul(this.m[i], BETA1), tf.mul(g, 1 - BETA1));
      const v = tf.add(tf.mul(this.v[i], BETA2), tf.mul(tf.square(g), 1 - BETA2));
      this.m[i].assign(m);
      this.v[i].assign(v);
      let next = tf.sub(w, tf.mul(tf.div(m, tf.add(tf.sqrt(v), EPSILON)), stepSize));
      if (decay > 0) next = tf.sub(next, tf.mul(w, decay));
      w.assign(next);
    });
  }

  /** The moments and step count, as arrays (a readback: for save). */
  export(): { steps: number; moments: Float32Array[] } {
    return { steps: this.steps, moments: [...this.m, ...this.v].map((t) => t.dataSync() as Float32Array) };
  }

  import(state: { steps: number; moments: readonly Float32Array[] }): void {
    const all = [...this.m, ...this.v];
    if (state.moments.length !== all.length)
      throw new Error(
        `The saved optimiser state has ${state.moments.length} arrays; this model needs ${all.length}.`,
      );
    all.forEach((t, i) => tf.tidy(() => t.assign(tf.tensor(state.moments[i], t.shape))));
    this.steps = state.steps;
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}
