/**
 * A transformer block, pre-norm (as SASRec's implementation normalises the queries before
 * attention): x + attention(norm(x)), then + feed-forward(norm(·)), dropout on both branches.
 */
import * as tf from '@tensorflow/tfjs';
import { MultiHeadAttention } from './attention';
import { Dense } from './dense';
import { dropout, type Mode } from './dropout';
import { LayerNorm } from './layer-norm';
import type { Params } from './params';

export class TransformerBlock {
  readonly attention: MultiHeadAttention;
  private readonly norm1: LayerNorm;
  private readonly norm2: LayerNorm;
  private readonly inner: Dense;
  private readonly outer: Dense;

  constructor(
    params: Params,
    name: string,
    dim: number,
    heads: number,
    readonly dropoutRate: number,
    hidden = dim,
  ) {
    this.norm1 = new LayerNorm(params, `${name}.norm1`, dim);
    this.attention = new MultiHeadAttention(params, `${name}.attention`, dim, heads);
    this.norm2 = new LayerNorm(params, `${name}.norm2`, dim);
    this.inner = new Dense(params, `${name}.ffn1`, dim, hidden, 'relu');
    this.outer = new Dense(params, `${name}.ffn2`, hidden, dim);
  }

  /** x: [batch, length, dim]; mask: additive (see attention.ts). Returns the output and the attention weights. */
  apply(x: tf.Tensor3D, mask: tf.Tensor | null, mode: Mode): { output: tf.Tensor3D; weights: tf.Tensor4D } {
    const normed = this.norm1.apply(x) as tf.Tensor3D;
    const { output, weights } = this.attention.apply(normed, normed, mask);
    return {
      output: this.feedForward(tf.add(x, dropout(output, this.dropoutRate, mode)) as tf.Tensor3D, mode),
      weights,
    };
  }

  /**
   * The block's output for `targets` ([batch, T, dim]) that attend to the block's input
   * `history` ([batch, L, dim]) and to themselves, the history not attending to them: the
   * same as running [history; target] through the block with the target hidden from the
   * history, for T targets at the cost of one history.
   */
  applyTargets(
    targets: tf.Tensor3D,
    history: tf.Tensor3D,
    mask: tf.Tensor | null,
    mode: Mode,
  ): { output: tf.Tensor3D; weights: tf.Tensor4D } {
    const { output, weights } = this.attention.attendWithSelf(
      this.norm1.apply(targets) as tf.Tensor3D,
      this.norm1.apply(history) as tf.Tensor3D,
      mask,
    );
    return {
      output: this.feedForward(tf.add(targets, dropout(output, this.dropoutRate, mode)) as tf.Tensor3D, mode),
      weights,
    };
  }

  private feedForward(h: tf.Tensor3D, mode: Mode): tf.Tensor3D {
    const ffn = this.outer.apply(dropout(this.inner.apply(this.norm2.apply(h)), this.dropoutRate, mode));
    return tf.add(h, dropout(ffn, this.dropoutRate, mode)) as tf.Tensor3D;
  }
}
