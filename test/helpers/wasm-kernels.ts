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

/** A float32 tensor of `shape` whose value i (row-major) is f(i). */
export const filled = (shape: number[], f: (i: number) => number = Math.sin): tf.Tensor =>
  tf.tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i)),
    shape,
  );

/**
 * `f(true)` (RecLab's kernels) equals `f(false)` (TensorFlow.js's ops) to the last bit on wasm and on cpu.
 * Returns f(true)'s results on each, as onWasmAndCpu does.
 */
export async function expectSameAsOps(f: (ours: boolean) => tf.Tensor[]): Promise<[unknown[], unknown[]]> {
  await initTensorFlow('wasm');
  const [oursOnWasm, oursOnCpu] = await onWasmAndCpu(() => f(true));
  const [opsOnWasm, opsOnCpu] = await onWasmAndCpu(() => f(false));
  expect(oursOnWasm).toEqual(opsOnWasm);
  expect(oursOnCpu).toEqual(opsOnCpu);
  return [oursOnWasm, oursOnCpu];
}

const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);

/**
 * `onWasm`'s results (from onWasmAndCpu) have the shapes and types of `onCpu`'s, and their values to `digits`
 * decimal digits: float32 sums in another order.
 */
export function expectLikeCpu(onWasm: unknown[], onCpu: unknown[], digits: number): void {
  expect(onWasm.length).toBe(onCpu.length);
  onWasm.forEach((r, i) => {
    const [shape, dtype, values] = r as [number[], string, unknown];
    const [cpuShape, cpuDtype, cpuValues] = onCpu[i] as [number[], string, unknown];
    expect([shape, dtype]).toEqual([cpuShape, cpuDtype]);
    expect(flat(values)).toEqual(flat(cpuValues).map((v) => expect.closeTo(v, digits)));
  });
}
