import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { registerSharedCopyKernels } from '../src/tf-backend';
import { expectRegisteredOnce } from './helpers/wasm-kernels';

describe('wasm clones and same-type casts', () => {
  it('share the values, which outlive the original', async () => {
    await expectRegisteredOnce('Identity', 'shares', registerSharedCopyKernels);
    await expectRegisteredOnce('Cast', 'shares', registerSharedCopyKernels);
    const buffers = () => tf.engine().backend.numDataIds();
    const x = tf.tensor1d([1.5, -2, 3]);
    const before = buffers();
    const copies = [tf.clone(x), tf.cast(x, 'float32')];
    expect(buffers()).toBe(before);
    for (const c of copies) expect(c.dataId).toBe(x.dataId);
    x.dispose();
    for (const c of copies) expect(Array.from(c.dataSync())).toEqual([1.5, -2, 3]);
    tf.dispose(copies);
    expect(buffers()).toBe(before - 1);
  });

  it('still converts a cast to another type', async () => {
    await expectRegisteredOnce('Cast', 'shares', registerSharedCopyKernels);
    const x = tf.tensor1d([1.7, -2.2, 0]);
    const asInt = tf.cast(x, 'int32');
    const back = tf.cast(asInt, 'float32');
    expect([asInt.dtype, Array.from(asInt.dataSync())]).toEqual(['int32', [1, -2, 0]]);
    expect([back.dtype, Array.from(back.dataSync())]).toEqual(['float32', [1, -2, 0]]);
    expect(asInt.dataId).not.toBe(x.dataId);
  });

  it('leave a taped gradient as it was', async () => {
    await expectRegisteredOnce('Identity', 'shares', registerSharedCopyKernels);
    const w = tf.variable(tf.tensor1d([0.5, -1, 2]));
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(tf.square(w), tf.tensor1d([1, 2, 3]))),
      [w],
    );
    expect(value.dataSync()[0]).toBeCloseTo(0.25 + 2 + 12, 5);
    expect(Array.from(grads[w.name].dataSync())).toEqual([1, -4, 12]);
    // A variable takes new values by swapping them, so what was shared before stays as it was.
    const before = tf.clone(w);
    w.assign(tf.tensor1d([9, 9, 9]));
    expect(Array.from(before.dataSync())).toEqual([0.5, -1, 2]);
    tf.dispose([w, value, grads[w.name], before]);
  });
});
