/**
 * The loss of in-batch (and mixed) negative sampling for a two-tower model, with its
 * gradient written out: row b of the users scores every candidate item, its own item
 * (candidate b) should win. With p = softmax(s·u·iᵀ + bias), the gradient with respect to
 * the logits is (p − one-hot) / batch, and the chain rule through the products (and the
 * normalisation, for cosine scores) gives the towers' output gradients. Written out, it is a
 * dozen kernel calls; taped, several times that.
 */
import * as tf from '@tensorflow/tfjs';

export interface SampledSoftmaxOptions {
  /** Normalise both sides' vectors first (cosine score). */
  cosine: boolean;
  /** Multiplies the scores (1 / temperature). */
  scale: number;
}

export interface SampledSoftmaxResult {
  /** Mean over users of −log p(own item). */
  loss: tf.Scalar;
  dUsers: tf.Tensor2D;
  dItems: tf.Tensor2D;
}

/**
 * `users`: batch × d tower outputs; `items`: candidates × d, the first `batch` of them the
 * users' own items; `logitBias`: batch × candidates, added to the scores (logQ correction,
 * −1e9 for masked candidates); `positives`: batch × candidates, ones on the diagonal.
 */
export function sampledSoftmax(
  users: tf.Tensor2D,
  items: tf.Tensor2D,
  logitBias: tf.Tensor2D,
  positives: tf.Tensor2D,
  options: SampledSoftmaxOptions,
): SampledSoftmaxResult {
  const batch = users.shape[0];
  const u = options.cosine ? l2Normalize(users) : users;
  const i = options.cosine ? l2Normalize(items) : items;
  const p = tf.softmax(tf.add(tf.matMul(tf.mul(u, options.scale), i, false, true), logitBias));
  const loss = tf.div(tf.neg(tf.sum(tf.log(tf.sum(tf.mul(p, positives), 1)))), batch) as tf.Scalar;
  const g = tf.mul(tf.sub(p, positives), options.scale / batch) as tf.Tensor2D;
  let dUsers = tf.matMul(g, i) as tf.Tensor2D;
  // gᵀ·u as (uᵀ·g)ᵀ: the wasm backend then transposes two narrow matrices, not g.
  let dItems = tf.transpose(tf.matMul(u, g, true, false)) as tf.Tensor2D;
  if (options.cosine) {
    dUsers = l2NormalizeGradient(dUsers, u, users);
    dItems = l2NormalizeGradient(dItems, i, items);
  }
  return { loss, dUsers, dItems };
}

/** x / ‖x‖ per row. */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, rowNorms(x)) as tf.Tensor2D;
}

/** The gradient through y = x / ‖x‖: (dy − y·Σ(dy∘y)) / ‖x‖. */
function l2NormalizeGradient(dy: tf.Tensor2D, y: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(tf.sub(dy, tf.mul(y, tf.sum(tf.mul(dy, y), 1, true))), rowNorms(x)) as tf.Tensor2D;
}

function rowNorms(x: tf.Tensor2D): tf.Tensor {
  return tf.sqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-12));
}
