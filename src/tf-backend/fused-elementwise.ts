/**
 * Elementwise ops that TensorFlow.js writes as several kernels, as one kernel each on the backends whose tensors
 * live in this process (wasm in SIMD, cpu in JavaScript), with their gradients as single kernels too:
 * - lerp(start, end, weight) = start + weight·(end − start), PyTorch's `lerp` (a GRU's state update);
 * - addcmul(x, a, b) = x + a·b, PyTorch's `addcmul` (a GRU's candidate input);
 * - the gradients of Sigmoid and Tanh from their outputs (TensorFlow's SigmoidGrad and TanhGrad).
 * Taped, a recurrent step's 128 × 64 values cost some 15–20 µs per TensorFlow.js op on wasm, forward and
 * backward, where the arithmetic takes one or two: a GRU step spent more time between kernels than in them.
 * Other backends, and operands of different shapes or types, keep TensorFlow.js's ops (same arithmetic).
 */
import * as tf from '@tensorflow/tfjs';
import {
  onHeap,
  registerKernels,
  runWhereRegistered,
  vectorsOnHeap,
  type CpuBackend,
  type WasmBackend,
} from './kernel-memory';
import { scalarFormula, simdElementwise, type FormulaKernel } from './simd-elementwise';

const one = { value: 1 };

/** Each kernel: its inputs' names, in the order of its formulas' input indices. */
const KERNELS: (FormulaKernel & { inputNames: string[] })[] = [
  {
    name: 'ReclabLerp',
    inputNames: ['start', 'end', 'weight'],
    inputs: 3,
    outputs: [['add', 0, ['mul', 2, ['sub', 1, 0]]]],
  },
  { name: 'ReclabAddcmul', inputNames: ['x', 'a', 'b'], inputs: 3, outputs: [['add', 0, ['mul', 1, 2]]] },
  {
    name: 'ReclabLerpGrad',
    inputNames: ['start', 'end', 'weight', 'dy'],
    inputs: 4,
    // d start = dy·(1 − weight), d end = dy·weight, d weight = dy·(end − start).
    outputs: [
      ['sub', 3, ['mul', 3, 2]],
      ['mul', 3, 2],
      ['mul', 3, ['sub', 1, 0]],
    ],
  },
  // TensorFlow.js's own arithmetic: dy·(y·(1 − y)) and (1 − y²)·dy.
  {
    name: 'ReclabSigmoidGrad',
    inputNames: ['y', 'dy'],
    inputs: 2,
    outputs: [['mul', 1, ['mul', 0, ['sub', one, 0]]]],
  },
  {
    name: 'ReclabTanhGrad',
    inputNames: ['y', 'dy'],
    inputs: 2,
    outputs: [['mul', ['sub', one, ['mul', 0, 0]], 1]],
  },
];

const simd = simdElementwise(KERNELS);

function kernels({ name, inputNames, outputs }: (typeof KERNELS)[number]): Record<string, tf.KernelFunc> {
  const scalars = outputs.map(scalarFormula);
  const inputsOf = (inputs: tf.NamedTensorInfoMap) => inputNames.map((n) => inputs[n] as tf.TensorInfo);
  const single = <T>(outs: T[]) => (outs.length === 1 ? outs[0] : outs);
  const wasm: tf.KernelFunc = ({ inputs, backend }) => {
    const heap = backend as unknown as WasmBackend;
    const ins = inputsOf(inputs);
    const fn = onHeap(heap, simd)[name];
    const outs = vectorsOnHeap(heap, ins[0].shape, outputs.length, ins, fn, (x, y, at) =>
      scalars.forEach((f, o) => (y[o][at] = f(x, at))),
    );
    return single(outs);
  };
  const cpu: tf.KernelFunc = ({ inputs, backend }) => {
    const store = backend as unknown as CpuBackend;
    const ins = inputsOf(inputs);
    const x = ins.map((t) => store.data.get(t.dataId).values);
    const size = tf.util.sizeFromShape(ins[0].shape);
    return single(
      scalars.map((f) => {
        const y = new Float32Array(size);
        for (let at = 0; at < size; at++) y[at] = f(x, at);
        return store.makeTensorInfo(ins[0].shape, 'float32', y);
      }),
    );
  };
  return { wasm, cpu };
}

/** The kernel `name` where the active backend has it and every operand is float32 of one shape; else null. */
function fused(name: string, inputs: Record<string, tf.Tensor>): tf.Tensor | tf.Tensor[] | null {
  const ts = Object.values(inputs);
  const fits = ts.every((t) => t.dtype === 'float32' && tf.util.arraysEqual(t.shape, ts[0].shape));
  return fits ? runWhereRegistered(name, inputs) : null;
}

/** start + weight·(end − start). */
export function lerp(start: tf.Tensor, end: tf.Tensor, weight: tf.Tensor): tf.Tensor {
  return (
    (fused('ReclabLerp', { start, end, weight }) as tf.Tensor | null) ??
    tf.add(start, tf.mul(weight, tf.sub(end, start)))
  );
}

/** x + a·b. */
export function addcmul(x: tf.Tensor, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return (fused('ReclabAddcmul', { x, a, b }) as tf.Tensor | null) ?? tf.add(x, tf.mul(a, b));
}

/** The gradient of an activation from its output y, by `kernel` where the backend has it, else by `ops`. */
const activationGradient =
  (kernel: string, ops: (y: tf.Tensor, dy: tf.Tensor) => tf.Tensor): tf.GradFunc =>
  (dy, [y]) => ({
    x: () => (fused(kernel, { y, dy: dy as tf.Tensor }) as tf.Tensor | null) ?? ops(y, dy as tf.Tensor),
  });

export const FUSED_GRADIENTS: tf.GradConfig[] = [
  {
    kernelName: 'ReclabLerp',
    inputsToSave: ['start', 'end', 'weight'],
    gradFunc: (dy, [start, end, weight]) => {
      const [dStart, dEnd, dWeight] = tf
        .engine()
        .runKernel('ReclabLerpGrad', { start, end, weight, dy: dy as tf.Tensor }) as tf.Tensor[];
      return { start: () => dStart, end: () => dEnd, weight: () => dWeight };
    },
  },
  {
    kernelName: 'ReclabAddcmul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => {
      const d = dy as tf.Tensor;
      return { x: () => tf.clone(d), a: () => tf.mul(d, b), b: () => tf.mul(d, a) };
    },
  },
  {
    kernelName: 'Sigmoid',
    outputsToSave: [true],
    gradFunc: activationGradient('ReclabSigmoidGrad', (y, dy) => tf.mul(dy, tf.mul(y, tf.sub(1, y)))),
  },
  {
    kernelName: 'Tanh',
    outputsToSave: [true],
    gradFunc: activationGradient('ReclabTanhGrad', (y, dy) => tf.mul(tf.sub(1, tf.square(y)), dy)),
  },
];

export function registerFusedElementwiseKernels(): void {
  for (const k of KERNELS) registerKernels(k.name, kernels(k));
  for (const config of FUSED_GRADIENTS) tf.registerGradient(config);
}
