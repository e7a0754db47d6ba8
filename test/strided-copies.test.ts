import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { registerStridedCopyKernels } from '../src/tf-backend';
import { expectRegisteredOnce, onWasmAndCpu } from './helpers/wasm-kernels';

const cube = (dtype: 'float32' | 'int32' | 'bool') =>
  tf.tensor(
    Array.from({ length: 3 * 4 * 5 }, (_, i) => (dtype === 'bool' ? i % 3 : i)),
    [3, 4, 5],
    dtype,
  );

/** Slices, unstacks, splits and concatenations along every axis, whole runs and strided, and their gradients. */
function slices(): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const dtype of ['float32', 'int32', 'bool'] as const) {
    const x = cube(dtype);
    out.push(
      tf.slice(x, [1, 0, 0], [2, 4, 5]),
      tf.slice(x, [0, 1, 2], [3, 2, -1]),
      tf.slice(x, [2, 3, 4], [1, 1, 1]),
      tf.slice(x.reshape([60]), [7], [11]),
    );
    for (const axis of [0, 1, 2, -1])
      out.push(...tf.unstack(x, axis), ...tf.split(x, [1, x.shape.at(axis)! - 1], axis));
  }
  // Runs of whole vectors (16-byte multiples) over several rows, copied vector by vector when short.
  const wide = tf.tensor(
    Array.from({ length: 3 * 8 * 72 }, (_, i) => Math.sin(i)),
    [3, 8, 72],
  );
  out.push(...tf.split(wide, [2, 6], 1), ...tf.split(wide, [4, 68], 2), tf.concat([wide, wide], 2));
  const x = cube('float32');
  out.push(tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.slice(t, [0, 1, 1], [2, 2, 3]))))(x));
  out.push(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.unstack(t, 1)[2], 3)))(x));
  out.push(tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.concat([t, tf.mul(t, 2)], 2))))(x));
  return out;
}

describe('wasm slices and concatenations copied as runs on the heap', () => {
  it('give the values of the cpu backend', async () => {
    for (const kernel of ['Slice', 'Unpack', 'SplitV', 'Concat'])
      await expectRegisteredOnce(kernel, 'copiesRuns', registerStridedCopyKernels);
    const [onWasm, onCpu] = await onWasmAndCpu(slices);
    expect(JSON.stringify(onWasm)).toBe(JSON.stringify(onCpu));
  });

  it('copy the slice alone, never the whole input first', async () => {
    await expectRegisteredOnce('Slice', 'copiesRuns', registerStridedCopyKernels);
    const backend = tf.engine().backend as unknown as { readSync: (...args: unknown[]) => unknown };
    const readSync = backend.readSync;
    let reads = 0;
    backend.readSync = (...args) => {
      reads++;
      return readSync.apply(backend, args);
    };
    try {
      tf.tidy(() => {
        const x = cube('float32');
        tf.slice(x, [0, 1, 0], [3, 2, 5]);
        tf.unstack(x, 1);
        tf.split(x, 5, 2);
        tf.concat([x, x], 1);
      });
    } finally {
      backend.readSync = readSync;
    }
    expect(reads).toBe(0);
  });
});
