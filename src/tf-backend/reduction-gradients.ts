/**
 * The gradients of Sum and Mean as TensorFlow.js defines them, dy spread back over the reduced axes, with the
 * spreading tensor made by the backend (`onesLike`) instead of in JavaScript. TensorFlow.js's own gradients call
 * `ones(x.shape)`, which fills an array on the host and uploads it: for a [128, 50, 64] layer norm that took
 * 4–7 ms on wasm where `onesLike` takes 0.06 ms, and a SASRec step takes about a dozen of them (each layer
 * norm's two means, the loss's sums). Same arithmetic, so every backend gets the same gradients as before.
 */
import * as tf from '@tensorflow/tfjs';

/** dy, reduced over `axis` of x, shaped back to x: dy · 1 over every reduced position. */
function spread(dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): tf.Tensor {
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const expanded = x.shape.map((n, d) => (axes.includes(d) ? 1 : n));
  const ones = x.dtype === 'float32' ? tf.onesLike(x) : tf.ones(x.shape, 'float32');
  return tf.mul(tf.reshape(dy, expanded), ones);
}

const axisOf = (attrs: tf.NamedAttrMap) => attrs.axis as number | number[];

export const REDUCTION_GRADIENTS: tf.GradConfig[] = [
  {
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({ x: () => spread(dy as tf.Tensor, x, axisOf(attrs)) }),
  },
  {
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const axes = tf.util.parseAxisParam(axisOf(attrs), x.shape);
      const size = axes.reduce((n, d) => n * x.shape[d], 1);
      return { x: () => tf.div(spread(dy as tf.Tensor, x, axes), size) };
    },
  },
];

export function registerReductionGradients(): void {
  for (const config of REDUCTION_GRADIENTS) tf.registerGradient(config);
}
