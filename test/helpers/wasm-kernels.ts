/** What the tests of RecLab's own wasm kernels share. */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { initTensorFlow } from '../../src/tf-backend';

/**
 * initTensorFlow('wasm') registers the wrapper marked `flag` for `kernelName` itself, and
 * registering it again keeps that one wrapper rather than wrapping it twice.
 */
export async function expectRegisteredOnce(
  kernelName: string,
  flag: string,
  register: () => void,
): Promise<void> {
  await initTensorFlow('wasm');
  const kernel = () =>
    tf.getKernel(kernelName, 'wasm')?.kernelFunc as unknown as Record<string, unknown> | undefined;
  expect(kernel()?.[flag]).toBe(true);
  const registered = kernel();
  register();
  expect(kernel()).toBe(registered);
}

/** `f`'s tensors as [shape, dtype, values] on the wasm backend and then on the cpu backend. */
export async function onWasmAndCpu(f: () => tf.Tensor[]): Promise<[unknown[], unknown[]]> {
  const run = () => f().map((t) => [t.shape, t.dtype, t.arraySync()]);
  await tf.setBackend('wasm');
  const wasm = run();
  await tf.setBackend('cpu');
  const cpu = run();
  await tf.setBackend('wasm');
  return [wasm, cpu];
}
