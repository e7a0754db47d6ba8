import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { registerExponentialKernels } from '../src/tf-backend';
import { expectRegisteredOnce } from './helpers/wasm-kernels';

/** -90 … 90 densely, tiny values of both signs, the edges of float32's range and the specials; 4k + 3 long. */
function inputs(): Float32Array {
  const xs = [
    ...Array.from({ length: 3601 }, (_, i) => -90 + i * 0.05),
    ...[1e-3, 1e-5, 1e-7, 1e-20].flatMap((v) => [v, -v]),
    ...[0, -0, 88.7, 88.8, -87.3, -87.4, -1e9, 1e9, Infinity, -Infinity, NaN],
  ];
  while (xs.length % 4 !== 3) xs.push(0.5);
  return Float32Array.from(xs);
}

/** Every result within `tolerance` of want(x), relative; the inputs whose results are not, with them, fail. */
function expectClose(got: Float32Array, xs: Float32Array, want: (x: number) => number, tolerance: number) {
  const off: [number, number, number][] = [];
  xs.forEach((x, i) => {
    const w = Math.fround(want(x));
    if (Number.isNaN(w) || !Number.isFinite(w) || w === 0) {
      if (!Object.is(got[i], w)) off.push([x, got[i], w]);
      return;
    }
    // Relative error, counted from the smallest normal float up so that flushed results compare with 0.
    if (Math.abs(got[i] - w) / Math.max(Math.abs(w), 1.2e-38) > tolerance) off.push([x, got[i], w]);
  });
  expect(off).toEqual([]);
}

describe('wasm Exp and Tanh in SIMD', () => {
  it('match Math.exp to 3e-7 relative, with 0 below ln(FLT_MIN) and ∞ above ln(FLT_MAX)', async () => {
    await expectRegisteredOnce('Exp', 'simdExponential', registerExponentialKernels);
    const xs = inputs();
    const got = tf.tidy(() => tf.exp(tf.tensor1d(xs)).dataSync() as Float32Array);
    // Results below FLT_MIN are flushed to 0 rather than kept subnormal.
    expectClose(got, xs, (x) => (x < -87.33654 ? 0 : Math.exp(x)), 3e-7);
    expect(got[xs.indexOf(0)]).toBe(1);
  });

  it('match Math.tanh to 3e-7 relative, near 0 too, with the sign kept', async () => {
    await expectRegisteredOnce('Tanh', 'simdExponential', registerExponentialKernels);
    const xs = inputs();
    const got = tf.tidy(() => tf.tanh(tf.tensor1d(xs)).dataSync() as Float32Array);
    expectClose(got, xs, Math.tanh, 3e-7);
    expect(Object.is(got[xs.findIndex((x) => Object.is(x, -0))], -0)).toBe(true);
  });
});
