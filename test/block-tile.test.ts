import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initTensorFlow, registerBlockTileKernel } from '../src/tf-backend';

/** The same tiles, broadcasts and a gradient through a tile on a backend, as plain arrays. */
function tiles(): unknown[] {
  const cube = tf.tensor3d(
    Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i)),
    [2, 3, 4],
  );
  const grad = tf.grad((x: tf.Tensor) =>
    tf.sum(tf.mul(tf.tile(x, [2, 1, 3]), tf.range(0, 144).reshape([4, 3, 12]))),
  );
  return [
    tf.tile(cube, [1, 1, 1]),
    tf.tile(cube, [3, 1, 1]),
    tf.tile(cube, [2, 3, 2]),
    tf.tile(tf.tensor1d([1, 2, 3], 'int32'), [4]),
    tf.tile(tf.tensor2d([true, false], [1, 2], 'bool'), [3, 2]),
    tf.tile(tf.zeros([0, 2]), [3, 2]),
    tf.broadcastTo(tf.tensor3d([1, 2, 3], [1, 1, 3]), [2, 4, 3]),
    grad(cube),
  ].map((t) => [t.shape, t.dtype, t.arraySync()]);
}

describe('wasm tile by blocks', () => {
  it('gives the tensors and gradients of the cpu backend', async () => {
    await initTensorFlow('wasm');
    const kernel = () => tf.getKernel('Tile', 'wasm')?.kernelFunc as { copiesBlocks?: boolean } | undefined;
    // initTensorFlow registers it itself: the test does not do it for it.
    expect(kernel()?.copiesBlocks).toBe(true);
    const registered = kernel();
    registerBlockTileKernel(); // twice: still one wrapper, not a wrapper of it
    expect(kernel()).toBe(registered);
    const onWasm = tiles();
    await tf.setBackend('cpu');
    const onCpu = tiles();
    await tf.setBackend('wasm');
    expect(JSON.stringify(onWasm)).toBe(JSON.stringify(onCpu));
  });
});
