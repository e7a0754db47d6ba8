/**
 * DIN's local activation unit: how much each history behaviour says about this candidate,
 * from an MLP over [behaviour, candidate, behaviour − candidate, behaviour ⊙ candidate]. The
 * weights are not normalised by a softmax (the paper keeps the intensity of interest); padding
 * slots weigh 0. DIEN's AUGRU gates its updates with the same scores, normalised over the
 * history (`maskedSoftmax`). `historyAttention` is what both models' `attention(samples, s)`
 * share: one prediction's weights over its history, as an attention map.
 */
import * as tf from '@tensorflow/tfjs';
import type { RankingSamples } from '../../data/ranking-samples';
import { Dense, Dice, type Mode, type Params } from '../../engine/layers';
import { Random } from '../../random';
import type { AttentionMap } from '../attention-view';
import type { RankingModel, RankingSettings } from './ranking-model';

export class TargetAttention {
  private readonly hidden: Dense;
  private readonly dice: Dice;
  private readonly out: Dense;

  constructor(params: Params, name: string, dim: number, units = 36) {
    this.hidden = new Dense(params, `${name}.hidden`, 4 * dim, units);
    this.dice = new Dice(params, `${name}.dice`, units);
    this.out = new Dense(params, `${name}.out`, units, 1);
  }

  /** history: [batch, L, dim]; target: [batch, dim]; mask: [batch, L]. Returns weights [batch, L]. */
  weights(history: tf.Tensor3D, target: tf.Tensor2D, mask: tf.Tensor2D, mode: Mode): tf.Tensor2D {
    const [batch, length, dim] = history.shape;
    const units = this.hidden.outputs;
    // The hidden layer over [h, t, h − t, h ⊙ t] is h·(W₁ + W₃) + t·(W₂ − W₃) + (h ⊙ t)·W₄ + b, with Wᵢ
    // its kernel's row blocks: the same function and weights, without tiling the candidate along the
    // history and concatenating four [batch, L, dim] blocks (whose backward splits them again), which
    // cost more than the rest of DIN's step on the wasm backend.
    const [w1, w2, w3, w4] = tf.split(this.hidden.kernel, 4, 0) as tf.Tensor2D[];
    const rows = batch * length;
    const flat = history.reshape([rows, dim]) as tf.Tensor2D;
    const product = tf.mul(history, target.expandDims(1)).reshape([rows, dim]) as tf.Tensor2D;
    const perBehaviour = tf.add(tf.matMul(flat, tf.add(w1, w3)), tf.matMul(product, w4));
    const perCandidate = tf.matMul(target, tf.sub(w2, w3));
    const hidden = tf.add(
      perBehaviour.reshape([batch, length, units]),
      (this.hidden.bias ? tf.add(perCandidate, this.hidden.bias) : perCandidate).expandDims(1),
    );
    const h = this.dice.apply(hidden.reshape([rows, units]) as tf.Tensor2D, mode);
    return tf.mul(this.out.apply(h).reshape([batch, length]), mask) as tf.Tensor2D;
  }
}

/**
 * scores: [batch, L]; mask: [batch, L]. A softmax over each row's real slots; padding slots (and an empty
 * history's) get 0.
 */
export function maskedSoftmax(scores: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(tf.softmax(tf.add(scores, tf.mul(tf.sub(mask, 1), 1e9))), mask) as tf.Tensor2D;
}

/** The host arrays of one batch, as a ranker's `inputs` reads them. */
export type RankingBatch = Parameters<RankingModel<RankingSettings>['inputs']>[0];

const SCORING: Mode = { training: false, random: new Random(0) };

/**
 * Sample s's prediction's weights over its history: one row (the candidate), one column per
 * behaviour of its history the model reads (oldest first, named by item; padding left out).
 * `weights` gives the [1, historyLength] weights of a batch of one (inside a tidy).
 */
export function historyAttention(
  model: { readonly name: string; readonly isFitted: boolean; readonly config: RankingSettings },
  samples: RankingSamples,
  s: number,
  weights: (batch: RankingBatch, mode: Mode) => tf.Tensor,
): AttentionMap {
  if (!model.isFitted) throw new Error(`${model.name} is not fitted yet: call fit(train) first.`);
  if (!Number.isInteger(s) || s < 0 || s >= samples.size)
    throw new Error(
      `${model.name}.attention: sample ${s} is not one of the ${samples.size} samples ` +
        `of "${samples.name}" (0 … ${samples.size - 1}).`,
    );
  const L = model.config.historyLength;
  const batch: RankingBatch = {
    size: 1,
    users: Int32Array.of(samples.users[s] + 1),
    items: Int32Array.of(samples.items[s] + 1),
    categories: Int32Array.of(samples.categories[s] + 1),
    historyItems: new Int32Array(L),
    historyCategories: new Int32Array(L),
    historyBehaviours: new Int32Array(L),
    labels: { click: new Float32Array(1), cart: new Float32Array(1), buy: new Float32Array(1) },
  };
  const real = samples.history(s, L, batch.historyItems, batch.historyCategories, batch.historyBehaviours, 0);
  const all = tf.tidy(() => weights(batch, SCORING).dataSync() as Float32Array);
  const names = samples.vocabulary.items;
  return {
    user: samples.vocabulary.users[samples.users[s]],
    rows: [names[samples.items[s]]],
    columns: Array.from(batch.historyItems.subarray(L - real), (slot) => names[slot - 1]),
    values: all.slice(L - real),
  };
}
