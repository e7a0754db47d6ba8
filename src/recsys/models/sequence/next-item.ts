/**
 * The next item from the states of a sequence model whose state scores items by inner product
 * with the item embeddings (SASRec, GRU4Rec): every item's score after the last slot, and the
 * losses over the slots that have a next item: binary cross-entropy against sampled negatives
 * (SASRec's), a sampled softmax over negatives shared by the batch, log-Q corrected so that
 * it estimates the full softmax (GRU4Rec's, SASRec's option), or the full softmax over every item
 * (RecBole's default for SASRec, 'CE').
 */
import * as tf from '@tensorflow/tfjs';
import type { Embedding } from '../../engine/layers';
import { logSumExpRows } from '../../engine/log-sum-exp';
import type { NegativeSampler } from '../../engine/negatives';

export interface NextItemLossOptions {
  loss: 'bce' | 'softmax' | 'full';
  /** 'bce': negatives per slot; 'softmax': negatives shared by the batch. */
  negatives: number;
  logQ: boolean;
}

/** Pushes an accidental hit (a drawn negative that is the slot's own next item) out of the softmax. */
const MASKED = -1e9;

/** states: [slots, d]; targets: the slots' next items as slot values (item + 1; 0: the slot predicts nothing). */
export function nextItemLoss(
  states: tf.Tensor2D,
  targets: Int32Array,
  items: Embedding,
  sampler: NegativeSampler,
  options: NextItemLossOptions,
): tf.Scalar {
  let count = 0;
  for (const t of targets) if (t > 0) count++;
  const rows = new Int32Array(count);
  const positives = new Int32Array(count);
  for (let p = 0, r = 0; p < targets.length; p++) {
    if (targets[p] <= 0) continue;
    rows[r] = p;
    positives[r++] = targets[p];
  }
  const h = tf.gather(states, tf.tensor1d(rows, 'int32'));
  const positive = tf.sum(tf.mul(h, items.apply(tf.tensor1d(positives, 'int32'))), 1);
  if (options.loss === 'full')
    return tf.mean(tf.sub(logSumExpRows(tf.matMul(h, itemRows(items), false, true)), positive)) as tf.Scalar;
  const k = options.negatives;
  if (options.loss === 'bce') {
    const drawn = new Int32Array(count * k);
    sampler.draw(drawn);
    const negative = tf.sum(
      tf.mul(h.expandDims(1), items.apply(tf.tensor2d(slotsOf(drawn), [count, k], 'int32'))),
      2,
    );
    // −log σ(s⁺) − Σ log(1 − σ(s⁻)) = softplus(−s⁺) + Σ softplus(s⁻), averaged over slots.
    return tf.div(
      tf.add(tf.sum(tf.softplus(tf.neg(positive))), tf.sum(tf.softplus(negative))),
      count,
    ) as tf.Scalar;
  }
  const drawn = new Int32Array(k);
  sampler.draw(drawn);
  let negative = tf.matMul(h, items.apply(tf.tensor1d(slotsOf(drawn), 'int32')) as tf.Tensor2D, false, true);
  let positiveLogit: tf.Tensor = positive;
  if (options.logQ) {
    negative = tf.sub(
      negative,
      tf.tensor1d(Float32Array.from(drawn, (i) => Math.log(k) + sampler.logProbability(i))),
    );
    positiveLogit = tf.sub(
      positive,
      tf.tensor1d(Float32Array.from(positives, (slot) => Math.log(k) + sampler.logProbability(slot - 1))),
    );
  }
  const hits = new Float32Array(count * k);
  for (let r = 0; r < count; r++)
    for (let j = 0; j < k; j++) if (drawn[j] === positives[r] - 1) hits[r * k + j] = MASKED;
  const logits = tf.concat([positiveLogit.expandDims(1), tf.add(negative, tf.tensor2d(hits, [count, k]))], 1);
  return tf.mean(tf.sub(logSumExpRows(logits as tf.Tensor2D), positiveLogit)) as tf.Scalar;
}

/** The embedding rows of the items, item i at row i: the table without its padding row 0. */
function itemRows(items: Embedding): tf.Tensor2D {
  return items.table.slice([1, 0], [-1, -1]) as tf.Tensor2D;
}

/** Item indices as slot values (the embedding's row 0 is padding). */
function slotsOf(items: Int32Array): Int32Array {
  return Int32Array.from(items, (i) => i + 1);
}

/**
 * Scores of every item after each row's last slot: states [rows, L, d] · item embeddings (padding row left
 * out), into `out` (rows × items).
 */
export function nextItemScores(states: tf.Tensor3D, items: Embedding, out: Float32Array): void {
  const [rows, length, d] = states.shape;
  const last = states.slice([0, length - 1, 0], [rows, 1, d]).reshape([rows, d]) as tf.Tensor2D;
  out.set(tf.matMul(last, itemRows(items), false, true).dataSync() as Float32Array);
}
