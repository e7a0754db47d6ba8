import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initTensorFlow } from '../src/tf-backend';
import { registerTransposedMatMulKernel } from '../src/tf-backend';

describe('wasm matMul of transposed operands', () => {
  it('transposes first, giving the numbers of the cpu backend, batched and not', async () => {
    await initTensorFlow('wasm');
    const kernel = () =>
      tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc as { transposesFirst?: boolean } | undefined;
    // initTensorFlow registers it itself: the test does not do it for it.
    expect(kernel()?.transposesFirst).toBe(true);
    const registered = kernel();
    registerTransposedMatMulKernel(); // twice: still one wrapper, not a wrapper of it
    expect(kernel()).toBe(registered);
    const a = tf.tensor3d(
      Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i)),
      [2, 3, 4],
    );
    const b = tf.tensor3d(
      Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.cos(i)),
      [2, 3, 4],
    );
    const cases: [tf.Tensor, tf.Tensor, boolean, boolean][] = [
      [a, b, false, true],
      [a, b, true, false],
      [a, tf.transpose(b, [0, 2, 1]), true, true],
      [a.reshape([6, 4]), b.reshape([6, 4]), false, true],
      [a.reshape([6, 4]), b.reshape([6, 4]), true, false],
    ];
    const onWasm = cases.map(([x, y, ta, tb]) => tf.matMul(x, y, ta, tb).arraySync());
    await tf.setBackend('cpu');
    const onCpu = cases.map(([x, y, ta, tb]) =>
      tf
        .matMul(tf.tensor(x.arraySync() as number[]), tf.tensor(y.arraySync() as number[]), ta, tb)
        .arraySync(),
    );
    await tf.setBackend('wasm');
    onWasm.forEach((r, i) =>
      expect((r as number[]).flat(2)).toEqual(
        (onCpu[i] as number[]).flat(2).map((v) => expect.closeTo(v, 5)),
      ),
    );
    // The transposed copies are freed in the backend, where no tensor counts them.
    const buffers = () => tf.engine().backend.numDataIds();
    const before = buffers();
    tf.tidy(() => {
      tf.matMul(a, cases[2][1], true, true);
    });
    expect(buffers()).toBe(before);
  });
});
