import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { FUSED_ADAM, initTensorFlow, registerFusedAdamKernels } from '../src/tf-backend';
import { Random } from '../src/recsys/random';
import { Params } from '../src/recsys/engine/layers';
import { Optimizer, type OptimizerSettings } from '../src/recsys/engine/optimizer';
import { runTraining, tapedStep, type TrainingPlan } from '../src/recsys/engine/trainer';
import { TrainingContext } from '../src/recsys/engine/training';

beforeAll(async () => {
  await initTensorFlow('wasm');
});

const adam: OptimizerSettings = {
  optimizer: 'adam',
  learningRate: 0.1,
  weightDecay: 0,
  clipNorm: 0,
  schedule: 'constant',
  warmup: 0,
};

function oneWeight(value: number): { params: Params; w: tf.Variable } {
  const params = new Params(new Random(1));
  const w = params.create('w', [1], 'zeros');
  w.assign(tf.tensor1d([value]));
  return { params, w };
}

describe('Optimizer', () => {
  it('takes Adam steps as Kingma & Ba write them, and AdamW decays the weights apart from the gradient', () => {
    const a = oneWeight(1);
    const opt = new Optimizer(a.params.variables, adam);
    opt.plan(10);
    tf.tidy(() => opt.apply([tf.tensor1d([0.5])]));
    // First step: m̂ = g, v̂ = g², so the weight moves by the learning rate against the gradient's sign.
    expect(a.w.dataSync()[0]).toBeCloseTo(0.9, 5);
    tf.tidy(() => opt.apply([tf.tensor1d([0.5])]));
    expect(a.w.dataSync()[0]).toBeCloseTo(0.8, 5);
    const b = oneWeight(1);
    const adamw = new Optimizer(b.params.variables, { ...adam, optimizer: 'adamw', weightDecay: 0.5 });
    adamw.plan(10);
    tf.tidy(() => adamw.apply([tf.tensor1d([0])]));
    // A zero gradient moves nothing but the decay: w − lr·λ·w.
    expect(b.w.dataSync()[0]).toBeCloseTo(1 - 0.1 * 0.5, 5);
  });

  it('takes the same steps as one fused kernel (wasm, cpu) as through TensorFlow.js ops', async () => {
    const settings: OptimizerSettings = { ...adam, optimizer: 'adamw', weightDecay: 0.01, clipNorm: 2 };
    /** Three AdamW steps on two weights; their values and moments after. */
    const steps = () => {
      const params = new Params(new Random(7));
      params.create('a', [3, 4]);
      params.create('b', [5]);
      const opt = new Optimizer(params.variables, settings);
      opt.plan(3);
      const random = new Random(3);
      for (let s = 0; s < 3; s++)
        tf.tidy(() =>
          opt.apply(
            params.variables.map((v) =>
              tf.tensor(
                Float32Array.from({ length: v.size }, () => random.normal()),
                v.shape,
              ),
            ),
          ),
        );
      const out = [
        ...params.variables.map((v) => [...v.dataSync()]),
        ...opt.export().moments.map((m) => [...m]),
      ];
      opt.dispose();
      params.dispose();
      return out.flat();
    };
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      const fused = steps();
      tf.unregisterKernel(FUSED_ADAM, backend);
      const ops = steps();
      registerFusedAdamKernels();
      expect(fused.length).toBe(ops.length);
      fused.forEach((x, i) => expect(x, `${backend} value ${i}`).toBeCloseTo(ops[i], 5));
    }
    await tf.setBackend('wasm');
  });

  it('clips by global norm and follows the schedule', () => {
    const a = oneWeight(0);
    const opt = new Optimizer(a.params.variables, { ...adam, optimizer: 'adamw', clipNorm: 1 });
    opt.plan(4);
    const clipped = oneWeight(0);
    const plain = new Optimizer(clipped.params.variables, { ...adam, optimizer: 'adamw' });
    plain.plan(4);
    // Adam is invariant to a constant gradient scale, so compare the second moment instead: clipped 100 → 1.
    tf.tidy(() => opt.apply([tf.tensor1d([100])]));
    tf.tidy(() => plain.apply([tf.tensor1d([100])]));
    const [, clippedV] = opt.export().moments;
    const [, plainV] = plain.export().moments;
    expect(clippedV[0]).toBeCloseTo(0.001 * 1, 6);
    expect(plainV[0]).toBeCloseTo(0.001 * 10000, 2);

    const rates = (settings: Partial<OptimizerSettings>) => {
      const o = new Optimizer(oneWeight(0).params.variables, { ...adam, learningRate: 1, ...settings });
      o.plan(4);
      return Array.from({ length: 4 }, () => {
        const r = o.rate;
        tf.tidy(() => o.apply([tf.tensor1d([1])]));
        return +r.toFixed(4);
      });
    };
    expect(rates({})).toEqual([1, 1, 1, 1]);
    expect(rates({ schedule: 'linear' })).toEqual([1, 0.75, 0.5, 0.25]);
    expect(rates({ schedule: 'cosine' })).toEqual([1, 0.8536, 0.5, 0.1464]);
    expect(rates({ warmup: 2 })).toEqual([0.5, 1, 1, 1]);
  });

  it('exports and imports its moments and step count', () => {
    const a = oneWeight(1);
    const opt = new Optimizer(a.params.variables, adam);
    opt.plan(3);
    tf.tidy(() => opt.apply([tf.tensor1d([0.3])]));
    const state = opt.export();
    const b = oneWeight(1);
    const copy = new Optimizer(b.params.variables, adam);
    copy.import(state);
    expect(copy.steps).toBe(1);
    expect([...copy.export().moments[0]]).toEqual([...state.moments[0]]);
    expect(() => copy.import({ steps: 1, moments: [new Float32Array(1)] })).toThrow(
      /has 1 arrays; this model needs 2/,
    );
  });
});

/** A plan that fits w to a target by squared error; validation reports a made-up series. */
function quadraticPlan(
  params: Params,
  w: tf.Variable,
  opt: Optimizer,
  metrics: number[],
  losses?: () => tf.Scalar,
): TrainingPlan {
  let epoch = 0;
  return {
    epochs: metrics.length,
    stepsPerEpoch: 3,
    startEpoch: (e) => (epoch = e),
    step: tapedStep(params, opt, losses ?? (() => tf.sum(tf.square(tf.sub(w, 3))) as tf.Scalar)),
    validate: async () => ({ score: metrics[epoch] }),
    earlyStopping: { metric: 'score', patience: 2 },
    params,
  };
}

describe('runTraining', () => {
  it('stops once the metric has not improved for `patience` epochs and keeps the best epoch’s weights', async () => {
    const { params, w } = oneWeight(0);
    const opt = new Optimizer(params.variables, adam);
    const seen: number[] = [];
    const ctx = new TrainingContext('toy', { progress: false, onEpoch: () => seen.push(w.dataSync()[0]) });
    const outcome = await runTraining(ctx, quadraticPlan(params, w, opt, [0.1, 0.5, 0.4, 0.3, 0.9, 1]));
    expect(outcome).toMatchObject({ epochs: 4, bestEpoch: 2, best: 0.5 });
    expect(seen).toHaveLength(4);
    expect(w.dataSync()[0]).toBeCloseTo(seen[1], 6);
    expect(ctx.finish().epochs.map((e) => e.metrics.score)).toEqual([0.1, 0.5, 0.4, 0.3]);
  });

  it('stops a fit whose loss turns NaN, naming the epoch', async () => {
    const { params, w } = oneWeight(0);
    const opt = new Optimizer(params.variables, adam);
    let calls = 0;
    const loss = () => (calls++ < 4 ? tf.sum(tf.square(w)) : tf.sum(tf.log(tf.sub(w, 1e6)))) as tf.Scalar;
    const ctx = new TrainingContext('toy', { progress: false });
    await expect(runTraining(ctx, quadraticPlan(params, w, opt, [1, 2, 3], loss))).rejects.toThrow(
      /toy: the loss became NaN in epoch 2; training diverged/,
    );
  });

  it('continues the epochs of an earlier fit when resumed', async () => {
    const { params, w } = oneWeight(0);
    const opt = new Optimizer(params.variables, adam);
    const first = new TrainingContext('toy', { progress: false });
    await runTraining(first, { ...quadraticPlan(params, w, opt, [1, 2]), earlyStopping: undefined });
    const resumed = new TrainingContext('toy', { progress: false });
    resumed.continueFrom(first.loggedEpochs());
    await runTraining(resumed, { ...quadraticPlan(params, w, opt, [3, 4]), earlyStopping: undefined });
    const history = resumed.finish();
    expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(history.epochs[2].loss).toBeLessThan(history.epochs[1].loss);
  });
});
