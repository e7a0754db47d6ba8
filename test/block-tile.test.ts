import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { registerBlockTileKernel } from '../src/tf-backend';
import { expectRegisteredOnce, onWasmAndCpu } from './helpers/wasm-kernels';

/** The same tiles, broadcasts and a gradient through a tile on a backend. */
function tiles(): tf.Tensor[] {
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
  ];
}

describe('wasm tile by blocks', () => {
  it('gives the tensors and gradients of the cpu backend', async () => {
    await expectRegisteredOnce('Tile', 'copiesBlocks', registerBlockTileKernel);
    const [onWasm, onCpu] = await onWasmAndCpu(tiles);
    expect(JSON.stringify(onWasm)).toBe(JSON.stringify(onCpu));
  });
});
