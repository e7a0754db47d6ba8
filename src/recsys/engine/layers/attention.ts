/**
 * Multi-head scaled dot-product attention, and the masks sequence models need: causal (a
 * position sees only itself and earlier ones) and padding (nothing attends to a padding
 * slot). Masks are additive: 0 where attention may go, a large negative number where not.
 */
import * as tf from '@tensorflow/tfjs';
import { Dense } from './dense';
import type { Params } from './params';

/**
 * What a mask forbids is pushed this far down before the softmax: far enough to vanish, finite so a fully
 * masked row stays a number.
 */
const MASKED = -1e9;

export interface AttentionResult {
  output: tf.Tensor3D;
  /** [batch, heads, queries, keys]: each query's weights over the keys (rows sum to 1). */
  weights: tf.Tensor4D;
}

export class MultiHeadAttention {
  private readonly q: Dense;
  private readonly k: Dense;
  private readonly v: Dense;
  private readonly o: Dense;
  private readonly headDim: number;

  constructor(
    params: Params,
    name: string,
    readonly dim: number,
    readonly heads: number,
  ) {
    if (!Number.isInteger(heads) || heads < 1 || dim % heads !== 0)
      throw new Error(`Attention "${name}": heads (${heads}) must divide the width (${dim}).`);
    this.headDim = dim / heads;
    this.q = new Dense(params, `${name}.query`, dim, dim);
    this.k = new Dense(params, `${name}.key`, dim, dim);
    this.v = new Dense(params, `${name}.value`, dim, dim);
    this.o = new Dense(params, `${name}.output`, dim, dim);
  }

  /** queries: [batch, Lq, dim]; keys: [batch, Lk, dim]; mask: additive, broadcastable to [batch, 1, Lq, Lk]. */
  apply(queries: tf.Tensor3D, keys: tf.Tensor3D, mask: tf.Tensor | null): AttentionResult {
    const [batch, lq] = queries.shape;
    const split = (x: tf.Tensor, length: number) =>
      x.reshape([batch, length, this.heads, this.headDim]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
    const lk = keys.shape[1];
    const q = split(this.q.apply(queries), lq);
    const k = split(this.k.apply(keys), lk);
    const v = split(this.v.apply(keys), lk);
    let logits = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(this.headDim));
    if (mask) logits = tf.add(logits, mask);
    const weights = tf.softmax(logits) as tf.Tensor4D;
    const merged = tf.matMul(weights, v).transpose([0, 2, 1, 3]).reshape([batch, lq, this.dim]);
    return { output: this.o.apply(merged) as tf.Tensor3D, weights };
  }

  /**
   * Each of T queries per row attends to the row's L keys and to itself (BST's target
   * item: it sees the history, the history does not see it), so a history's keys and
   * values serve every candidate. queries: [batch, T, dim]; keys: [batch, L, dim]; mask:
   * additive over the keys, broadcastable to [batch, 1, 1, L]. Weights: [batch, heads, T, L + 1], self last.
   */
  attendWithSelf(queries: tf.Tensor3D, keys: tf.Tensor3D, mask: tf.Tensor | null): AttentionResult {
    const [batch, t] = queries.shape;
    const l = keys.shape[1];
    const split = (x: tf.Tensor, length: number) =>
      x.reshape([batch, length, this.heads, this.headDim]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
    const scale = 1 / Math.sqrt(this.headDim);
    const q = split(this.q.apply(queries), t);
    const k = split(this.k.apply(keys), l);
    const v = split(this.v.apply(keys), l);
    const selfKey = split(this.k.apply(queries), t);
    const selfValue = split(this.v.apply(queries), t);
    let logits = tf.mul(tf.matMul(q, k, false, true), scale);
    if (mask) logits = tf.add(logits, mask);
    const selfLogit = tf.mul(tf.sum(tf.mul(q, selfKey), 3, true), scale);
    const weights = tf.softmax(tf.concat([logits, selfLogit], 3)) as tf.Tensor4D;
    const [toKeys, toSelf] = tf.split(weights, [l, 1], 3);
    const attended = tf.add(tf.matMul(toKeys, v), tf.mul(toSelf, selfValue));
    const merged = attended.transpose([0, 2, 1, 3]).reshape([batch, t, this.dim]);
    return { output: this.o.apply(merged) as tf.Tensor3D, weights };
  }
}

/** [length, length]: 0 on and below the diagonal, MASKED above (a position may not see later ones). */
export function causalMask(length: number): tf.Tensor2D {
  return tf.tidy(
    () => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([length, length]), -1, 0)), MASKED) as tf.Tensor2D,
  );
}

/**
 * [batch, 1, 1, length] from a [batch, length] 0/1 mask of real (1) and padding (0) slots: keys that are
 * padding get MASKED.
 */
export function paddingMask(real: tf.Tensor2D): tf.Tensor4D {
  const [batch, length] = real.shape;
  return tf.mul(tf.sub(1, real), MASKED).reshape([batch, 1, 1, length]) as tf.Tensor4D;
}
