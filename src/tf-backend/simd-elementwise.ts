/**
 * Elementwise Float32 formulas written once and run two ways: as a WebAssembly SIMD loop over the wasm backend's
 * heap, and as a JavaScript function of one position (the last values short of four, and the cpu backend).
 */
import {
  I32,
  V128,
  increment,
  loop,
  moduleBytes,
  onMemory,
  op,
  type WasmFunction,
  type WasmMemory,
} from '../wasm';

/** An input by its index, a constant, or an operation on two formulas. */
export type Formula = number | { value: number } | ['add' | 'sub' | 'mul', Formula, Formula];

/** A kernel as formulas: its name, how many inputs it reads, one formula per output. */
export interface FormulaKernel {
  name: string;
  inputs: number;
  outputs: Formula[];
}

/** `f(out0, …, in0, …, vectors)`: vectors × 4 values of every output from the inputs (byte offsets). */
export type SimdElementwise = (...offsetsThenVectors: number[]) => void;

const SIMD_OPS = { add: op.f32x4Add, sub: op.f32x4Sub, mul: op.f32x4Mul };

function simdFormula(f: Formula, inputLocal: (i: number) => number): number[] {
  if (typeof f === 'number') return op.get(inputLocal(f));
  if (!Array.isArray(f)) return op.f32x4Const(f.value);
  const [name, a, b] = f;
  return [...simdFormula(a, inputLocal), ...simdFormula(b, inputLocal), ...SIMD_OPS[name]];
}

function simdFunction({ name, inputs, outputs }: FormulaKernel): WasmFunction {
  const pointers = outputs.length + inputs;
  const [vectors, i] = [pointers, pointers + 1];
  const inputLocal = (k: number) => pointers + 2 + k;
  const body = [
    ...Array.from({ length: inputs }, (_, k) => [
      ...op.get(outputs.length + k),
      ...op.v128Load4(0),
      ...op.set(inputLocal(k)),
    ]).flat(),
    ...outputs.flatMap((f, o) => [...op.get(o), ...simdFormula(f, inputLocal), ...op.v128Store4(0)]),
    ...Array.from({ length: pointers }, (_, p) => increment(p, op.i32(16))).flat(),
  ];
  return {
    name,
    params: pointers + 1,
    locals: [
      [1, I32],
      [inputs, V128],
    ],
    body: [...op.i32(0), ...op.set(i), ...loop(i, vectors, body)],
  };
}

/** The formulas' SIMD loops, by name, over a memory (the wasm backend's heap). */
export function simdElementwise(
  formulas: FormulaKernel[],
): (memory: WasmMemory) => Record<string, SimdElementwise> {
  return onMemory<Record<string, SimdElementwise>>(() => moduleBytes(formulas.map(simdFunction), null));
}

/** The formula as a JavaScript function of the inputs' values at one position, rounded to float32 as SIMD rounds. */
export function scalarFormula(f: Formula): (x: ArrayLike<number>[], at: number) => number {
  if (typeof f === 'number') return (x, at) => x[f][at];
  if (!Array.isArray(f)) {
    const { value } = f;
    return () => value;
  }
  const [name, a, b] = f;
  const [fa, fb] = [scalarFormula(a), scalarFormula(b)];
  if (name === 'add') return (x, at) => Math.fround(fa(x, at) + fb(x, at));
  if (name === 'sub') return (x, at) => Math.fround(fa(x, at) - fb(x, at));
  return (x, at) => Math.fround(fa(x, at) * fb(x, at));
}
