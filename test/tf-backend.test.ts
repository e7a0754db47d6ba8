import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initTensorFlow } from '../src/tf-backend';
import { SCATTER_ADD_KERNELS, scatterAdd } from '../src/tf-backend';
import type { KernelClient } from '../src/kernel-client';
import { run, startKernel } from './helpers/kernel';

describe('scatter-add for embedding gradients', () => {
  it('adds rows into their segments and drops ids out of range', () => {
    const out = new Float32Array(6);
    scatterAdd(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), new Int32Array([2, 0, 2, 9]), 3, out);
    expect(Array.from(out)).toEqual([3, 4, 0, 0, 6, 8]);
  });

  it('adds float rows a multiple of 4 wide as vectors on wasm, dropping ids out of range', async () => {
    await initTensorFlow('wasm');
    const x = Float32Array.from({ length: 5 * 8 }, (_, i) => Math.sin(i));
    const ids = new Int32Array([2, 0, 2, -1, 9]);
    const expected = new Float32Array(3 * 8);
    scatterAdd(x, ids, 3, expected);
    const sums = tf.unsortedSegmentSum(tf.tensor2d(x, [5, 8]), tf.tensor1d(ids, 'int32'), 3);
    expect(sums.shape).toEqual([3, 8]);
    expect(Array.from(sums.dataSync())).toEqual(Array.from(expected).map((v) => expect.closeTo(v, 6)));
    // Rows no output row receives are zeros, whatever the heap held there before.
    expect(Array.from(sums.dataSync().slice(8, 16))).toEqual(Array.from(expected.slice(8, 16)));
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`gives the gradient of tf.gather on ${backend}`, async () => {
      const report = await initTensorFlow(backend);
      expect(report.backend).toBe(backend);
      const table = tf.variable(
        tf.tensor2d([
          [1, 1],
          [2, 2],
          [3, 3],
          [4, 4],
        ]),
      );
      const ids = tf.tensor1d([3, 1, 3, 3], 'int32');
      const weights = tf.tensor2d([
        [1, 10],
        [2, 20],
        [3, 30],
        [4, 40],
      ]);
      const { grads } = tf.variableGrads(
        () => tf.gather(table, ids).mul(weights).sum() as tf.Scalar,
        [table],
      );
      expect(await grads[table.name].array()).toEqual([
        [0, 0],
        [2, 20],
        [0, 0],
        [8, 80],
      ]);
      // With several segment dimensions, as a batch of id sequences produces.
      const seq = tf.tensor2d(
        [
          [0, 1],
          [1, 1],
        ],
        [2, 2],
        'int32',
      );
      const g2 = tf.grad((t: tf.Tensor) => tf.gather(t, seq).sum())(tf.ones([3, 2]));
      expect(await g2.array()).toEqual([
        [1, 1],
        [3, 3],
        [0, 0],
      ]);
      tf.dispose([table, ids, weights, seq, g2, ...Object.values(grads)]);
    });

    it(`replaces the per-segment UnsortedSegmentSum of ${backend} with the scatter-add`, async () => {
      await initTensorFlow(backend);
      // The stock cpu kernel loops over every table row; the wasm backend has none at all.
      expect(tf.getKernel('UnsortedSegmentSum', backend)?.kernelFunc).toBe(SCATTER_ADD_KERNELS[backend]);
    });
  }
});

describe('embedding models train in the kernel', () => {
  const kernels: KernelClient[] = [];
  afterAll(() => Promise.all(kernels.map((k) => k.shutdown())));

  for (const backend of ['wasm', 'cpu']) {
    it(`trains tf.layers.embedding on ${backend}`, async () => {
      const kernel = await startKernel({ backend });
      kernels.push(kernel);
      const r = await run(
        kernel,
        `const users = 5000;
const model = tf.sequential({ layers: [
  tf.layers.embedding({ inputDim: users, outputDim: 8, inputLength: 1 }),
  tf.layers.flatten(),
  tf.layers.dense({ units: 1 }),
] });
model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
const xs = tf.tensor2d(Array.from({ length: 2048 }, (_, i) => [(i * 7) % users]), [2048, 1], 'int32');
const ys = xs.cast('float32').mod(5).div(5);
const history = await model.fit(xs, ys, { epochs: 6, batchSize: 256, verbose: 0 });
const loss = history.history.loss as number[];
[tf.getBackend(), loss[loss.length - 1] < loss[0] / 5]`,
      );
      expect(r.reply.status).toBe('ok');
      expect(r.text).toBe(`[ '${backend}', true ]`);
    });
  }
});

describe('the backend ladder', () => {
  it('says why each better backend was skipped, and names an unknown RECLAB_TF_BACKEND', async () => {
    const report = await initTensorFlow('gpu-please');
    expect(report.skipped[0]).toEqual({
      backend: 'gpu-please',
      reason: expect.stringMatching(
        /unknown backend; RECLAB_TF_BACKEND takes one of tensorflow-gpu, tensorflow, webgpu, wasm, cpu/,
      ),
    });
    // On this machine the native and WebGPU rungs are missing or find no device; each says why.
    for (const rung of report.skipped.slice(1)) expect(rung.reason).toMatch(/\S/);
    expect(report.skipped.map((s) => s.backend).slice(1)).toEqual(
      ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'].slice(0, report.skipped.length - 1),
    );
    expect(report.backend).toBe(tf.getBackend());
    expect(report.device).toMatch(/\S/);
  });
});
