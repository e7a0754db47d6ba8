/**
 * Float32 add, subtract, multiply and divide in WebAssembly SIMD on the wasm backend's heap (./binary-ops),
 * for operands of one shape, or one of them a single value (splat once).
 */
import { I32, V128, increment, loop, moduleBytes, onMemory, op, type WasmFunction } from '../wasm';

/** `f(dst, a, b, vectors)`: dst = a ∘ b over vectors × 4 values (byte offsets). */
export type Binary = (dst: number, a: number, b: number, vectors: number) => void;

const OPS = { add: op.f32x4Add, sub: op.f32x4Sub, mul: op.f32x4Mul, div: op.f32x4Div };
export type BinaryOp = keyof typeof OPS;
/** Which operand, if either, is a single value. */
export type Layout = 'same' | 'aScalar' | 'bScalar';
const LAYOUTS: Layout[] = ['same', 'aScalar', 'bScalar'];

function binary(name: BinaryOp, layout: Layout): WasmFunction {
  const [dst, a, b, vectors] = [0, 1, 2, 3];
  const [i, held] = [4, 5];
  const scalar = layout === 'aScalar' ? a : layout === 'bScalar' ? b : -1;
  const operand = (p: number) => (p === scalar ? op.get(held) : [...op.get(p), ...op.v128Load4(0)]);
  const inner = [
    ...[...op.get(dst), ...operand(a), ...operand(b), ...OPS[name], ...op.v128Store4(0)],
    ...[dst, a, b].filter((p) => p !== scalar).flatMap((p) => increment(p, op.i32(16))),
  ];
  const body = [
    ...(scalar < 0 ? [] : [...op.get(scalar), ...op.f32Splat(0), ...op.set(held)]),
    ...[...op.i32(0), ...op.set(i), ...loop(i, vectors, inner)],
  ];
  return {
    name: `${name}_${layout}`,
    params: 4,
    locals: [
      [1, I32],
      [1, V128],
    ],
    body,
  };
}

const NAMES = (Object.keys(OPS) as BinaryOp[]).flatMap((name) => LAYOUTS.map((l) => [name, l] as const));

/** Every op in every layout, as `${op}_${layout}`, over a memory (the wasm backend's heap). */
export const simdBinary = onMemory<Record<`${BinaryOp}_${Layout}`, Binary>>(() =>
  moduleBytes(
    NAMES.map(([name, layout]) => binary(name, layout)),
    null,
  ),
);
