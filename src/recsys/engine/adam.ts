/**
 * Adam on weights held in typed arrays, in Kingma & Ba's efficient form (the bias
 * corrections folded into the step size, ε added to √v as TensorFlow does; PyTorch adds it
 * to √v̂, which differs only in the first steps): the
 * embedding tables update the rows a batch touched, the dense layers all their weights,
 * with one formula.
 */
export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** Moment estimates of one weight array. */
export class AdamState {
  readonly m: Float32Array;
  readonly v: Float32Array;
  private steps = 0;

  constructor(
    size: number,
    readonly options: AdamOptions,
  ) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  /** Counts a step and returns its bias-corrected step size. */
  nextRate(): number {
    const { learningRate, beta1 = 0.9, beta2 = 0.999 } = this.options;
    this.steps++;
    return (learningRate * Math.sqrt(1 - beta2 ** this.steps)) / (1 - beta1 ** this.steps);
  }

  /** Moves weights[at .. at+n) against grad[from .. from+n) at step size `rate`. */
  update(weights: Float32Array, at: number, grad: Float32Array, from: number, n: number, rate: number): void {
    const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = this.options;
    const { m, v } = this;
    for (let k = 0; k < n; k++) {
      const g = grad[from + k];
      const i = at + k;
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      weights[i] -= (rate * m[i]) / (Math.sqrt(v[i]) + epsilon);
    }
  }
}
