/**
 * The dense layers' fused product (A·B + bias, then ReLU or nothing) on the wasm backend: the SIMD product of
 * ./batch-matmul, then the bias and the ReLU in one SIMD pass over the output. The backend's own kernel runs
 * XNNPACK, which on these shapes took 11–41% longer than the SIMD product (GRU4Rec's recurrent step,
 * 128 × 64 · 64 × 192 + bias: 110 µs, 850 times an epoch). Other activations, PReLU weights and other types
 * keep the backend's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { simdBatchMatMul, type MatMulArgs } from './batch-matmul';
import { heapOffset, onHeap, wrapWasmKernel, type WasmBackend } from './kernel-memory';
import { simdMatMul } from './simd-matmul';

interface FusedArgs {
  inputs: MatMulArgs['inputs'] & { bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };
  attrs: MatMulArgs['attrs'] & { activation: string };
  backend: WasmBackend;
}

function fusedMatMul({ inputs, attrs, backend }: FusedArgs): tf.TensorInfo | null {
  const { bias, preluActivationWeights } = inputs;
  const relu = attrs.activation === 'relu';
  if (preluActivationWeights || (!relu && attrs.activation !== 'linear')) return null;
  if (bias && bias.dtype !== 'float32') return null;
  const out = simdBatchMatMul({ inputs: { a: inputs.a, b: inputs.b }, attrs, backend });
  if (!out || (!bias && !relu)) return out;
  const n = out.shape[out.shape.length - 1];
  const rows = tf.util.sizeFromShape(out.shape) / n;
  const vectors = Math.floor(n / 4);
  const floor = relu ? 0 : -Infinity;
  if (bias) {
    onHeap(backend, simdMatMul).bias(
      heapOffset(backend, out),
      heapOffset(backend, bias),
      rows,
      vectors,
      n * 4,
      floor,
    );
  }
  // The columns past the last vector (all of them without a bias: a ReLU alone), in JavaScript.
  const from = bias ? vectors * 4 : 0;
  if (from === n) return out;
  const [c, b] = [backend.typedArrayFromHeap(out), bias ? backend.typedArrayFromHeap(bias) : null];
  for (let i = 0; i < rows; i++)
    for (let j = from; j < n; j++) c[i * n + j] = Math.max(c[i * n + j] + (b ? b[j] : 0), floor);
  return out;
}

export function registerFusedMatMulKernel(): void {
  wrapWasmKernel(
    '_FusedMatMul',
    'simdProducts',
    (plain) => (args) => fusedMatMul(args as unknown as FusedArgs) ?? plain(args),
  );
}
