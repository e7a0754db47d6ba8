/**
 * One Adam step of one weight as a single kernel on the backends whose tensors live in this
 * process (wasm, cpu): the moments and the weight in one pass over the values. Written as
 * TensorFlow.js ops the same step is about a dozen kernel calls per weight, and on wasm their
 * dispatch, not their arithmetic, is what a ranker's step spends a quarter of its time on. On
 * wasm the loop runs as SIMD (./simd-adam), the last values short of four in JavaScript.
 * GPU backends have no such kernel and keep the ops, which stay on the device.
 */
import * as tf from '@tensorflow/tfjs';
import {
  heapOffset,
  onHeap,
  registerKernels,
  runWhereRegistered,
  type CpuBackend,
  type WasmBackend,
} from './kernel-memory';
import { simdAdam } from './simd-adam';

export const FUSED_ADAM = 'ReclabFusedAdam';

export interface FusedAdamAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** The learning rate with the bias corrections folded in. */
  stepSize: number;
  /** AdamW's decoupled decay (learning rate × weight decay); 0 for Adam. */
  decay: number;
}

type Values = Float32Array;

/** Writes the step into w2, m2, v2 (which may be w, m, v themselves). */
function adamStep(
  w: Values,
  m: Values,
  v: Values,
  g: Values,
  a: FusedAdamAttrs,
  w2: Values,
  m2: Values,
  v2: Values,
): void {
  const { beta1, beta2, epsilon, stepSize, decay } = a;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const mi = beta1 * m[i] + (1 - beta1) * gi;
    const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
    m2[i] = mi;
    v2[i] = vi;
    w2[i] = w[i] - (mi / (Math.sqrt(vi) + epsilon)) * stepSize - w[i] * decay;
  }
}

interface StepInputs {
  w: tf.TensorInfo;
  m: tf.TensorInfo;
  v: tf.TensorInfo;
  g: tf.TensorInfo;
}

const wasmKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as unknown as WasmBackend;
  const { w, m, v, g } = inputs as unknown as StepInputs;
  const a = attrs as unknown as FusedAdamAttrs;
  const out = [w, m, v].map((t) => wasm.makeOutput(t.shape, 'float32'));
  const n = tf.util.sizeFromShape(w.shape);
  const vectors = Math.floor(n / 4);
  const at = (t: tf.TensorInfo) => heapOffset(wasm, t);
  onHeap(wasm, simdAdam).adam(
    ...([w, m, v, g, ...out].map(at) as [number, number, number, number, number, number, number]),
    vectors,
    a.beta1,
    1 - a.beta1,
    a.beta2,
    1 - a.beta2,
    a.epsilon,
    a.stepSize,
    a.decay,
  );
  if (vectors * 4 === n) return out;
  // The last values, fewer than 4. Views into the wasm heap are taken after the allocations, which may move it.
  const tail = (t: tf.TensorInfo) => (wasm.typedArrayFromHeap(t) as Values).subarray(vectors * 4);
  const [w2, m2, v2] = out.map(tail);
  adamStep(tail(w), tail(m), tail(v), tail(g), a, w2, m2, v2);
  return out;
};

const cpuKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as unknown as CpuBackend;
  const { w, m, v, g } = inputs as unknown as StepInputs;
  const values = (t: tf.TensorInfo) => cpu.data.get(t.dataId).values as Values;
  const n = values(w).length;
  const [w2, m2, v2] = [0, 1, 2].map(() => new Float32Array(n));
  adamStep(values(w), values(m), values(v), values(g), attrs as unknown as FusedAdamAttrs, w2, m2, v2);
  return [w2, m2, v2].map((a) => cpu.makeTensorInfo(w.shape, 'float32', a));
};

export function registerFusedAdamKernels(): void {
  registerKernels(FUSED_ADAM, { wasm: wasmKernel, cpu: cpuKernel });
}

/** The step as one kernel where this backend has it: [w, m, v] after it; null where it has not. */
export function fusedAdam(
  w: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  g: tf.Tensor,
  attrs: FusedAdamAttrs,
): [tf.Tensor, tf.Tensor, tf.Tensor] | null {
  if (g.dtype !== 'float32') return null;
  return runWhereRegistered(FUSED_ADAM, { w, m, v, g }, { ...attrs }) as
    [tf.Tensor, tf.Tensor, tf.Tensor] | null;
}
