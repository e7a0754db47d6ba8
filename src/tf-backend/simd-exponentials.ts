/**
 * exp and tanh over Float32 values in WebAssembly SIMD, on the wasm backend's heap (./exponentials). The
 * backend computes both with the C library one value at a time: 5–7 ns a value, so a full softmax's
 * 6,400 × 9,724 exponentials took about 0.4 s a step.
 *
 * Both reduce y to y = n·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 split in two parts, so r keeps its low bits), take
 * e^r − 1 as its Taylor polynomial to r⁷ (error below 6e-9) and 2^n from exponent bits:
 * - exp(x) = (2^a·(e^r − 1) + 2^a)·2^b with a + b = n, so that 2^128 is never formed; 0 below ln(FLT_MIN)
 *   (flushed, as GPUs do) and ∞ above ln(FLT_MAX);
 * - tanh(x) = −t / (2 + t), t = e^(−2|x|) − 1 = 2^n·(e^r − 1) + (2^n − 1), the sign of x put back: for small
 *   |x|, n = 0 and t is the polynomial itself, so tanh keeps its relative precision near 0.
 */
import { I32, V128, increment, loop, moduleBytes, onMemory, op, type WasmFunction } from '../wasm';

const LOG2E = Math.LOG2E;
const LN2_HI = 0.693359375;
const LN2_LO = -2.1219444e-4;
/** ln(FLT_MAX) and ln(FLT_MIN). */
const HI = 88.72283935546875;
const LO = -87.33654022216797;
/** 1.5·2^23 and its bits. */
const ROUNDER = 12582912;
const ROUNDER_BITS = 0x4b400000;

/** `f(dst, src, vectors)`: vectors × 4 values from src to dst (byte offsets). */
export type Elementwise = (dst: number, src: number, vectors: number) => void;

const [DST, SRC, VECTORS] = [0, 1, 2];
const I = 3;
const [X, Y, N, R, Q, S, S2] = [4, 5, 6, 7, 8, 9, 10];
const f = op.f32x4Const;
const i = (value: number) => op.i32x4Const([value, value, value, value]);

/** 2^n from whole-valued n (i32 lanes on the stack) within [−126, 127]: the exponent bits. */
const powerOfTwo = [...i(127), ...op.i32x4Add, ...op.i32(23), ...op.i32x4Shl];

/**
 * From y in Y (within [LO, HI]): e^r − 1 in Q and 2^n as two factors, 2^⌊n/2⌋ in S and 2^(n − ⌊n/2⌋) in S2, so
 * that n from −126 to 128 needs no exponent outside the normal floats.
 */
const reduce = (): number[] => [
  // n = y·log2(e) to the nearest whole number: added to 1.5·2^23, where floats are 1 apart, the sum rounds it
  // and its low bits hold it. n as a float into Q for now, r into R.
  ...[...op.get(Y), ...f(LOG2E), ...op.f32x4Mul, ...f(ROUNDER), ...op.f32x4Add, ...op.set(N)],
  ...[...op.get(N), ...f(ROUNDER), ...op.f32x4Sub, ...op.set(Q)],
  ...[...op.get(Y), ...op.get(Q), ...f(LN2_HI), ...op.f32x4Mul, ...op.f32x4Sub],
  ...[...op.get(Q), ...f(LN2_LO), ...op.f32x4Mul, ...op.f32x4Sub, ...op.set(R)],
  // Horner: r·(1 + r·(1/2 + r·(1/6 + … + r/5040)))
  ...f(1 / 5040),
  ...[1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1].flatMap((c) => [
    ...op.get(R),
    ...op.f32x4Mul,
    ...f(c),
    ...op.f32x4Add,
  ]),
  ...[...op.get(R), ...op.f32x4Mul, ...op.set(Q)],
  // N's lanes as the integer n from here on; the halves' powers of two.
  ...[...op.get(N), ...i(ROUNDER_BITS), ...op.i32x4Sub, ...op.set(N)],
  ...[...op.get(N), ...op.i32(1), ...op.i32x4ShrS, ...op.set(R)],
  ...[...op.get(R), ...powerOfTwo, ...op.set(S)],
  ...[...op.get(N), ...op.get(R), ...op.i32x4Sub, ...powerOfTwo, ...op.set(S2)],
];

/** A loop over the vectors: load x into X, run `value` (which pushes dst and the result and stores). */
function elementwise(name: string, value: number[]): WasmFunction {
  const inner = [
    ...[...op.get(SRC), ...op.v128Load4(0), ...op.set(X)],
    ...value,
    ...increment(DST, op.i32(16)),
    ...increment(SRC, op.i32(16)),
  ];
  return {
    name,
    params: 3,
    locals: [
      [1, I32],
      [7, V128],
    ],
    body: [...op.i32(0), ...op.set(I), ...loop(I, VECTORS, inner)],
  };
}

function exp(): WasmFunction {
  return elementwise('exp', [
    ...[...op.get(X), ...f(HI), ...op.f32x4Pmin, ...f(LO), ...op.f32x4Pmax, ...op.set(Y)],
    ...reduce(),
    ...op.get(DST),
    ...f(Infinity),
    ...[
      ...op.get(S),
      ...op.get(Q),
      ...op.f32x4Mul,
      ...op.get(S),
      ...op.f32x4Add,
      ...op.get(S2),
      ...op.f32x4Mul,
    ],
    ...[...op.get(X), ...f(HI), ...op.f32x4Gt, ...op.v128Bitselect],
    ...[...op.get(X), ...f(LO), ...op.f32x4Lt, ...op.v128Andnot],
    ...op.v128Store4(0),
  ]);
}

function tanh(): WasmFunction {
  return elementwise('tanh', [
    ...[...op.get(X), ...op.f32x4Abs, ...f(-2), ...op.f32x4Mul, ...f(LO), ...op.f32x4Pmax, ...op.set(Y)],
    ...reduce(),
    // S = 2^n (n ≤ 0 here, so one factor does); t = S·(e^r − 1) + (S − 1) into Q.
    ...[...op.get(S), ...op.get(S2), ...op.f32x4Mul, ...op.set(S)],
    ...[...op.get(S), ...op.get(Q), ...op.f32x4Mul, ...op.get(S), ...f(1), ...op.f32x4Sub, ...op.f32x4Add],
    ...op.set(Q),
    ...op.get(DST),
    // −t = |t| (t ≤ 0), which keeps tanh(0) at +0.
    ...[...op.get(Q), ...op.f32x4Abs, ...f(2), ...op.get(Q), ...op.f32x4Add, ...op.f32x4Div],
    ...[...op.get(X), ...i(1 << 31), ...op.v128And, ...op.v128Or],
    ...op.v128Store4(0),
  ]);
}

/** The functions over a memory (the wasm backend's heap). */
export const simdExponentials = onMemory<{ exp: Elementwise; tanh: Elementwise }>(() =>
  moduleBytes([exp(), tanh()], null),
);
