import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initTensorFlow, registerRowGatherKernel } from '../src/tf-backend';
import { expectRegisteredOnce, onWasmAndCpu } from './helpers/wasm-kernels';

/** The same gathers and their gradients on a backend. */
function gathers(): tf.Tensor[] {
  const table = tf.tensor2d(
    Array.from({ length: 7 * 3 }, (_, i) => Math.sin(i)),
    [7, 3],
  );
  const cube = tf.tensor3d(
    Array.from({ length: 4 * 2 * 3 }, (_, i) => i),
    [4, 2, 3],
    'int32',
  );
  const grad = tf.grad((t: tf.Tensor) =>
    tf.sum(tf.mul(tf.gather(t, [[1, 6, 1]]), tf.range(1, 10).reshape([1, 3, 3]))),
  );
  return [
    tf.gather(table, [0, 6, 2, 2]),
    tf.gather(table, tf.tensor2d([1, 0, 5, 3], [2, 2], 'int32')),
    tf.gather(table, [1, 2], -2),
    tf.gather(cube, [3, 0]),
    tf.gather(table, [2, 0], 1),
    tf.gather(tf.tensor1d([5, 6, 7]), [2, 2, 0]),
    grad(table),
  ];
}

describe('wasm gather of whole rows', () => {
  it('gives the numbers and gradients of the cpu backend', async () => {
    await expectRegisteredOnce('GatherV2', 'copiesRows', registerRowGatherKernel);
    const [onWasm, onCpu] = await onWasmAndCpu(gathers);
    expect(JSON.stringify(onWasm)).toBe(JSON.stringify(onCpu));
  });

  it('refuses an id outside the table, naming it, and leaves no buffer behind', async () => {
    await initTensorFlow('wasm');
    const table = tf.zeros([3, 2]);
    const buffers = () => tf.engine().backend.numDataIds();
    const before = buffers();
    expect(() => tf.tidy(() => tf.gather(table, [0, 3]))).toThrow(
      'GatherV2: the index value 3 is not in [0, 2]',
    );
    expect(() => tf.tidy(() => tf.gather(table, [-1]))).toThrow('the index value -1 is not in [0, 2]');
    expect(buffers()).toBe(before);
  });
});
