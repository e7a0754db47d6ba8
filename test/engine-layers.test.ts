import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initTensorFlow } from '../src/tf-backend';
import { Random } from '../src/recsys/random';
import {
  Augru,
  Dense,
  DenseStack,
  Embedding,
  Gru,
  LayerNorm,
  MultiHeadAttention,
  Params,
  PositionalEmbedding,
  TransformerBlock,
  causalMask,
  dropout,
  paddingMask,
  type Mode,
} from '../src/recsys/engine/layers';
import { TargetAttention } from '../src/recsys/models/ranking/target-attention';

beforeAll(async () => {
  await initTensorFlow('wasm');
});

function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  const random = new Random(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => random.normal() * scale),
    shape,
  );
}

/**
 * Checks TensorFlow.js's taped gradient of sum(f() · W) (W fixed and random, so every output
 * matters) against central finite differences on a few entries of every weight.
 */
function expectGradientsMatch(params: Params, f: () => tf.Tensor, entries = 4): void {
  const weights = tf.tidy(() => randomTensor(f().shape, 99));
  const loss = () => tf.sum(tf.mul(f(), weights)) as tf.Scalar;
  const { grads } = tf.variableGrads(loss, params.variables);
  const random = new Random(5);
  const eps = 1e-2;
  let checked = 0;
  for (const v of params.variables) {
    const analytic = grads[v.name].dataSync();
    const values = v.dataSync().slice() as Float32Array;
    for (let e = 0; e < Math.min(entries, v.size); e++) {
      const at = random.int(v.size);
      const probe = (delta: number) => {
        const changed = values.slice();
        changed[at] += delta;
        v.assign(tf.tensor(changed, v.shape));
        return tf.tidy(() => loss().dataSync()[0]);
      };
      const numeric = (probe(eps) - probe(-eps)) / (2 * eps);
      v.assign(tf.tensor(values, v.shape));
      expect(analytic[at], `${v.name}[${at}]`).toBeCloseTo(numeric, 1);
      expect(Math.abs(analytic[at] - numeric), `${v.name}[${at}]`).toBeLessThan(
        0.02 * Math.max(1, Math.abs(numeric)),
      );
      checked++;
    }
  }
  tf.dispose([weights, ...Object.values(grads)]);
  expect(checked).toBeGreaterThan(0);
}

const scoring: Mode = { training: false, random: new Random(0) };

describe('engine layers: taped gradients match finite differences', () => {
  it('Embedding (lookup and bag with padding)', () => {
    const params = new Params(new Random(1));
    const e = new Embedding(params, 'e', 6, 3);
    const ids = tf.tensor2d(
      [
        [1, 2, 0],
        [3, 3, 5],
      ],
      [2, 3],
      'int32',
    );
    expectGradientsMatch(params, () => tf.add(e.apply(ids).sum(1), e.bag(ids)));
    // The bag leaves padding (id 0) out.
    const bag = tf.tidy(() => e.bag(tf.tensor2d([[2, 0]], [1, 2], 'int32')).arraySync());
    const row = tf.tidy(() => (e.apply(tf.tensor1d([2], 'int32')) as tf.Tensor2D).arraySync());
    expect(bag[0].map((v) => +v.toFixed(5))).toEqual(row[0].map((v) => +v.toFixed(5)));
    params.dispose();
  });

  it('Dense and DenseStack (relu, sigmoid, tanh) over rank-3 input', () => {
    const params = new Params(new Random(2));
    const x = randomTensor([2, 3, 4], 3);
    const stack = new DenseStack(params, 's', [4, 5, 3], 'tanh');
    const sigmoid = new Dense(params, 'd', 3, 2, 'sigmoid');
    const relu = new Dense(params, 'r', 4, 2, 'relu');
    expectGradientsMatch(params, () => tf.add(sigmoid.apply(stack.apply(x)), relu.apply(x)));
    params.dispose();
  });

  it('LayerNorm, PositionalEmbedding and seeded dropout', () => {
    const params = new Params(new Random(3));
    const x = randomTensor([2, 4, 6], 4) as tf.Tensor3D;
    const norm = new LayerNorm(params, 'n', 6);
    const positions = new PositionalEmbedding(params, 'p', 5, 6);
    // The same seed draws the same mask each time, so the function is deterministic.
    const f = () => dropout(norm.apply(positions.apply(x)), 0.3, { training: true, random: new Random(11) });
    expectGradientsMatch(params, f);
    const normed = tf.tidy(() => norm.apply(x).arraySync() as number[][][]);
    const mean = normed[0][0].reduce((a, b) => a + b, 0) / 6;
    expect(mean).toBeCloseTo(0, 4);
    expect(tf.tidy(() => dropout(x, 0.5, scoring).arraySync())).toEqual(x.arraySync());
    params.dispose();
  });

  it('MultiHeadAttention with causal and padding masks', () => {
    const params = new Params(new Random(4));
    const attention = new MultiHeadAttention(params, 'a', 4, 2);
    const x = randomTensor([2, 3, 4], 5) as tf.Tensor3D;
    const real = tf.tensor2d([
      [0, 1, 1],
      [1, 1, 1],
    ]);
    const mask = tf.add(causalMask(3), paddingMask(real));
    // A padding query sees only masked keys; models zero its output (its weights are float32 noise around −1e9).
    expectGradientsMatch(params, () => tf.mul(attention.apply(x, x, mask).output, real.expandDims(2)));
    const weights = tf.tidy(() => attention.apply(x, x, mask).weights.arraySync());
    // Causal: position 0 sees only itself; padding: nobody attends to the first user's slot 0.
    expect(weights[1][0][0][1]).toBeCloseTo(0, 6);
    expect(weights[0][1][2][0]).toBeCloseTo(0, 6);
    expect(weights[0][0][2].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    params.dispose();
  });

  it('TransformerBlock, and its targets pass equals a full pass with the target hidden from the history', () => {
    const params = new Params(new Random(6));
    const block = new TransformerBlock(params, 'b', 4, 2, 0);
    const history = randomTensor([2, 3, 4], 7) as tf.Tensor3D;
    const targets = randomTensor([2, 2, 4], 8) as tf.Tensor3D;
    const real = tf.tensor2d([
      [0, 1, 1],
      [1, 1, 1],
    ]);
    expectGradientsMatch(params, () =>
      tf.add(
        block.apply(history, paddingMask(real), scoring).output.sum(1),
        block.applyTargets(targets, history, paddingMask(real), scoring).output.sum(1),
      ),
    );
    // Each target alone appended to the history, which may not see it: the target row must match.
    for (let t = 0; t < 2; t++) {
      const full = tf.tidy(() => {
        const sequence = tf.concat([history, targets.slice([0, t, 0], [2, 1, 4])], 1) as tf.Tensor3D;
        // History rows (0–2) may not see the target (column 3); the target sees everything real.
        const hideTarget = tf.tensor4d(
          [0, 0, 0, -1e9, 0, 0, 0, -1e9, 0, 0, 0, -1e9, 0, 0, 0, 0],
          [1, 1, 4, 4],
        );
        const mask = tf.add(hideTarget, paddingMask(tf.concat([real, tf.ones([2, 1])], 1) as tf.Tensor2D));
        return block.apply(sequence, mask, scoring).output.slice([0, 3, 0], [2, 1, 4]).arraySync();
      });
      const fast = tf.tidy(() =>
        block
          .applyTargets(targets, history, paddingMask(real), scoring)
          .output.slice([0, t, 0], [2, 1, 4])
          .arraySync(),
      );
      expect(fast.flat(2)).toEqual(full.flat(2).map((v) => expect.closeTo(v, 4)));
    }
    params.dispose();
  });

  it('Gru, whose state passes padding slots unchanged', () => {
    const params = new Params(new Random(9));
    const gru = new Gru(params, 'g', 3, 4);
    const x = randomTensor([2, 3, 3], 10) as tf.Tensor3D;
    const real = tf.tensor2d([
      [0, 1, 1],
      [1, 1, 1],
    ]);
    expectGradientsMatch(params, () => gru.apply(x, real), 6);
    const states = tf.tidy(() => gru.apply(x, real).arraySync());
    expect(states[0][0]).toEqual([0, 0, 0, 0]);
    // A padding slot after an item keeps the state too.
    const gapped = tf.tidy(() =>
      gru
        .apply(
          x,
          tf.tensor2d([
            [1, 0, 1],
            [1, 1, 1],
          ]),
        )
        .arraySync(),
    );
    expect(gapped[0][1]).toEqual(gapped[0][0]);
    expect(gapped[0][2]).not.toEqual(gapped[0][1]);
    params.dispose();
  });

  it('Gru computes PyTorch’s cell: h = (1 − z)·n + z·h, the reset gate on the recurrent product with its bias', () => {
    const params = new Params(new Random(21));
    const [inputs, units, length] = [3, 2, 4];
    const gru = new Gru(params, 'g', inputs, units);
    const weights = params.export();
    // Biases that are not zero, so each one's place in the cell shows.
    for (const name of ['g.inputBias', 'g.recurrentBias'])
      weights[name] = Float32Array.from(weights[name], (_, i) => Math.sin(i + name.length) / 2);
    params.import(weights);
    const xs = Array.from({ length: length * inputs }, (_, i) => Math.cos(i * 1.7));
    const got = tf.tidy(() => gru.apply(tf.tensor3d(xs, [1, length, inputs]), null).arraySync())[0];
    const [W, b, U, c] = ['inputKernel', 'inputBias', 'recurrentKernel', 'recurrentBias'].map(
      (w) => weights[`g.${w}`],
    );
    // Gate g's column j of [z | r | n] in a kernel of 3·units columns.
    const product = (v: number[], K: Float32Array, g: number, j: number) =>
      v.reduce((sum, vi, i) => sum + vi * K[i * 3 * units + g * units + j], 0);
    const sigmoid = (a: number) => 1 / (1 + Math.exp(-a));
    let h = new Array<number>(units).fill(0);
    for (let t = 0; t < length; t++) {
      const x = xs.slice(t * inputs, (t + 1) * inputs);
      const gate = (g: number, j: number) => product(x, W, g, j) + b[g * units + j];
      const recurrent = (g: number, j: number) => product(h, U, g, j) + c[g * units + j];
      h = h.map((hj, j) => {
        const z = sigmoid(gate(0, j) + recurrent(0, j));
        const r = sigmoid(gate(1, j) + recurrent(1, j));
        const n = Math.tanh(gate(2, j) + r * recurrent(2, j));
        return (1 - z) * n + z * hj;
      });
      expect(got[t]).toEqual(h.map((v) => expect.closeTo(v, 5)));
    }
    params.dispose();
  });

  it('Augru, whose attention scales the update gate: a score of 0 or a padding slot keeps the state', () => {
    const params = new Params(new Random(12));
    const augru = new Augru(params, 'a', 3, 4);
    const x = randomTensor([2, 4, 3], 13) as tf.Tensor3D;
    const real = tf.tensor2d([
      [0, 1, 1, 1],
      [1, 1, 1, 1],
    ]);
    // Scores as a masked softmax gives them, and one step of the second row ignored (score 0).
    const scores = tf.tensor2d([
      [0, 0.2, 0.5, 0.3],
      [0.4, 0, 0.35, 0.25],
    ]);
    // The scores as a weight too, so the gradient that reaches the attention is checked.
    const scored = params.create('scores', [2, 4]);
    scored.assign(
      tf.tensor2d([
        [0.1, 0.2, 0.5, 0.3],
        [0.4, 0.1, 0.35, 0.25],
      ]),
    );
    expectGradientsMatch(params, () => augru.apply(x, scored as tf.Tensor2D, real), 6);
    const states = tf.tidy(() => augru.apply(x, scores, real).arraySync());
    expect(states[0][0]).toEqual([0, 0, 0, 0]);
    expect(states[1][1]).toEqual(states[1][0]);
    expect(states[1][2]).not.toEqual(states[1][1]);
    params.dispose();
  });
});

describe('DIN’s target attention', () => {
  it('is the MLP over [h, t, h − t, h ⊙ t] it stands for, and its gradients match finite differences', () => {
    const params = new Params(new Random(4));
    const attention = new TargetAttention(params, 'att', 3, 5);
    const history = randomTensor([2, 4, 3], 11) as tf.Tensor3D;
    const target = randomTensor([2, 3], 12) as tf.Tensor2D;
    const mask = tf.tensor2d([1, 1, 1, 0, 0, 1, 1, 1], [2, 4]);
    // The formula written out with a tile and a concat, over the attention's own layers.
    const { hidden, out } = attention as unknown as { hidden: Dense; out: Dense };
    const reference = tf.tidy(() => {
      const t = tf.tile(target.expandDims(1), [1, 4, 1]);
      const features = tf.concat([history, t, tf.sub(history, t), tf.mul(history, t)], 2).reshape([8, 12]);
      const pre = hidden.apply(features);
      // Dice in scoring mode with fresh statistics (mean 0, variance 1) and alpha 0 gates by sigmoid(x / √(1 + ε)).
      const gated = tf.mul(pre, tf.sigmoid(tf.div(pre, Math.sqrt(1 + 1e-8))));
      const scores = out.apply(gated);
      return tf.mul(scores.reshape([2, 4]), mask).arraySync() as number[][];
    });
    const got = tf.tidy(() => attention.weights(history, target, mask, scoring).arraySync());
    got.flat().forEach((v, i) => expect(v).toBeCloseTo(reference.flat()[i], 5));
    expectGradientsMatch(params, () => attention.weights(history, target, mask, scoring));
  });
});

describe('Params', () => {
  it('exports, imports, snapshots and restores the weights, and refuses weights of another shape', () => {
    const params = new Params(new Random(1));
    const d = new Dense(params, 'd', 2, 3);
    const saved = params.export();
    const snapshot = params.snapshot();
    d.kernel.assign(tf.zeros([2, 3]));
    params.restore(snapshot);
    expect([...d.kernel.dataSync()]).toEqual([...saved['d.kernel']]);
    d.kernel.assign(tf.zeros([2, 3]));
    params.import(saved);
    expect([...d.kernel.dataSync()]).toEqual([...saved['d.kernel']]);
    expect(() => params.import({ ...saved, 'd.kernel': new Float32Array(5) })).toThrow(
      /5 values for "d.kernel", which needs 6 \(shape \[2, 3\]\)/,
    );
    expect(() => params.create('d.kernel', [1])).toThrow(/registered twice/);
    tf.dispose(snapshot);
    params.dispose();
  });
});
