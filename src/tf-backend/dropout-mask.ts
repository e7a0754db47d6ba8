/**
 * Dropout's mask as a kernel: `size` values, each 0 with probability `rate`, else 1 / (1 − rate), from a
 * seed. Value i hashes the counter seed + (i + 1)·0x6d2b79f5 as mulberry32 does (the stream of `Random`), so
 * every value is independent of the others: the wasm kernel draws four at a time in SIMD straight into the
 * heap, and the JavaScript loop of the other backends draws the very same mask. tf.dropout draws its uniform
 * numbers one JavaScript call each and then spends four kernels turning them into a mask: 7.8 ms for a
 * [128, 50, 64] activation on wasm, where this kernel and the product take a fraction of a millisecond.
 */
import * as tf from '@tensorflow/tfjs';
import { F32, I32, V128, increment, loop, moduleBytes, onMemory, op, type WasmFunction } from '../wasm';
import {
  heapOffset,
  onHeap,
  registerKernels,
  runWhereRegistered,
  type CpuBackend,
  type WasmBackend,
} from './kernel-memory';

export const DROPOUT_MASK = 'ReclabDropoutMask';

const STEP = 0x6d2b79f5;

interface MaskAttrs {
  shape: number[];
  rate: number;
  seed: number;
}

/** Below this 32-bit hash a value is dropped. */
const dropBelow = (rate: number) => Math.floor(rate * 2 ** 32);

/** Values [from, mask.length) of the mask. */
function drawMask(mask: Float32Array, from: number, { rate, seed }: MaskAttrs): void {
  const kept = 1 / (1 - rate);
  const below = dropBelow(rate);
  let state = (seed + Math.imul(from, STEP)) | 0;
  for (let i = from; i < mask.length; i++) {
    state = (state + STEP) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    mask[i] = (t ^ (t >>> 14)) >>> 0 < below ? 0 : kept;
  }
}

/** `mask(out, vectors, seed, dropBelow, kept)`: the first `vectors` × 4 values at `out` (bytes). */
type SimdMask = (out: number, vectors: number, seed: number, below: number, kept: number) => void;

function maskFunction(): WasmFunction {
  const [out, vectors, seed, below, kept] = [0, 1, 2, 3, 4];
  const [i, state, t, belowV, keptV] = [5, 6, 7, 8, 9];
  /** x ^ (x >>> by) on the vector in local x. */
  const xorShift = (x: number, by: number) => [
    ...op.get(x),
    ...op.get(x),
    ...op.i32(by),
    ...op.i32x4ShrU,
    ...op.v128Xor,
  ];
  const imul = (a: number[], b: number[]) => [...a, ...b, ...op.i32x4Mul];
  const body = [
    ...[
      ...op.get(below),
      ...op.i32x4Splat,
      ...op.set(belowV),
      ...op.get(kept),
      ...op.f32x4Splat,
      ...op.set(keptV),
    ],
    // Lanes at counters 1–4; each pass moves them on by 4.
    ...[
      ...op.get(seed),
      ...op.i32x4Splat,
      ...op.i32x4Const([STEP, 2 * STEP, 3 * STEP, 4 * STEP]),
      ...op.i32x4Add,
    ],
    ...[...op.set(state), ...op.i32(0), ...op.set(i)],
    ...loop(i, vectors, [
      // t = imul(s ^ s >>> 15, s | 1)
      ...imul(xorShift(state, 15), [...op.get(state), ...op.i32(1), ...op.i32x4Splat, ...op.v128Or]),
      ...op.set(t),
      // t ^= t + imul(t ^ t >>> 7, t | 61)
      ...[...op.get(t), ...op.get(t)],
      ...imul(xorShift(t, 7), [...op.get(t), ...op.i32(61), ...op.i32x4Splat, ...op.v128Or]),
      ...[...op.i32x4Add, ...op.v128Xor, ...op.set(t)],
      // kept where t ^ t >>> 14 ≥ below (unsigned), else 0
      ...[
        ...op.get(out),
        ...xorShift(t, 14),
        ...op.get(belowV),
        ...op.i32x4GeU,
        ...op.get(keptV),
        ...op.v128And,
      ],
      ...op.v128Store4(0),
      ...increment(out, op.i32(16)),
      ...[...op.get(state), ...op.i32((4 * STEP) | 0), ...op.i32x4Splat, ...op.i32x4Add, ...op.set(state)],
    ]),
  ];
  return {
    name: 'mask',
    params: [I32, I32, I32, I32, F32],
    locals: [
      [1, I32],
      [4, V128],
    ],
    body,
  };
}

const simdMask = onMemory<{ mask: SimdMask }>(() => moduleBytes([maskFunction()], null));

const wasmKernel: tf.KernelFunc = ({ backend, attrs }) => {
  const wasm = backend as unknown as WasmBackend;
  const a = attrs as unknown as MaskAttrs;
  const out = wasm.makeOutput(a.shape, 'float32');
  const vectors = Math.floor(tf.util.sizeFromShape(a.shape) / 4);
  onHeap(wasm, simdMask).mask(
    heapOffset(wasm, out),
    vectors,
    a.seed | 0,
    dropBelow(a.rate) | 0,
    1 / (1 - a.rate),
  );
  // The last values, fewer than 4; the view is taken after the allocation, which may move the heap.
  drawMask(wasm.typedArrayFromHeap(out) as Float32Array, vectors * 4, a);
  return out;
};

/** The whole mask in JavaScript. */
function maskValues(a: MaskAttrs): Float32Array {
  const mask = new Float32Array(tf.util.sizeFromShape(a.shape));
  drawMask(mask, 0, a);
  return mask;
}

const cpuKernel: tf.KernelFunc = ({ backend, attrs }) => {
  const a = attrs as unknown as MaskAttrs;
  return (backend as unknown as CpuBackend).makeTensorInfo(a.shape, 'float32', maskValues(a));
};

export function registerDropoutMaskKernels(): void {
  registerKernels(DROPOUT_MASK, { wasm: wasmKernel, cpu: cpuKernel });
}

/**
 * The mask of `shape` for `rate` from `seed`: drawn by the kernel where this backend has it, else in
 * JavaScript and uploaded (the same values either way).
 */
export function dropoutMask(shape: number[], rate: number, seed: number): tf.Tensor {
  const attrs: MaskAttrs = { shape, rate, seed };
  return (
    (runWhereRegistered(DROPOUT_MASK, {}, { ...attrs }) as tf.Tensor | null) ??
    tf.tensor(maskValues(attrs), shape)
  );
}
