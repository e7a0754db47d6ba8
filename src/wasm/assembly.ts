/**
 * Just enough of WebAssembly's binary format to write small SIMD kernels out in TypeScript,
 * so the project needs no WebAssembly toolchain: the integer encodings, the instructions the
 * kernels use, a counted loop, and a module of functions over one imported memory.
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

export const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    const low = n & 0x7f;
    n >>>= 7;
    out.push(n ? low | 0x80 : low);
  } while (n);
  return out;
};

const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const low = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(low & 0x40)) || (n === -1 && low & 0x40)) return [...out, low];
    out.push(low | 0x80);
  }
};

const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => vector([...new TextEncoder().encode(s)].map((x) => [x]));
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** A SIMD memory access: opcode, alignment exponent, offset. */
const simdMemory = (code: number, align: number, offset: number) => [
  0xfd,
  ...uleb(code),
  align,
  ...uleb(offset),
];

export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  else: [0x05],
  end: [0x0b],
  br: (depth: number) => [0x0c, depth],
  brIf: (depth: number) => [0x0d, depth],
  select: [0x1b],
  get: (local: number) => [0x20, ...uleb(local)],
  set: (local: number) => [0x21, ...uleb(local)],
  tee: (local: number) => [0x22, ...uleb(local)],
  i32: (n: number) => [0x41, ...sleb(n)],
  i32Load: (offset: number) => [0x28, 2, ...uleb(offset)],
  f32Load: (offset: number) => [0x2a, 2, ...uleb(offset)],
  f32Store: (offset: number) => [0x38, 2, ...uleb(offset)],
  f32Zero: [0x43, 0, 0, 0, 0],
  f32Add: [0x92],
  eqz: [0x45],
  geU: [0x4f],
  ltU: [0x49],
  gtU: [0x4b],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  divU: [0x6e],
  and: [0x71],
  shrU: [0x76],
  /** memory.copy(dst, src, bytes) and memory.fill(dst, byte, bytes). */
  memoryCopy: [0xfc, 0x0a, 0x00, 0x00],
  memoryFill: [0xfc, 0x0b, 0x00],
  /** Align 8 (2³): Float64 operands are not necessarily 16-byte aligned. */
  v128Load: (offset: number) => simdMemory(0x00, 3, offset),
  v128Store: (offset: number) => simdMemory(0x0b, 3, offset),
  /** Align 4 (2²), for Float32 operands. */
  v128Load4: (offset: number) => simdMemory(0x00, 2, offset),
  v128Store4: (offset: number) => simdMemory(0x0b, 2, offset),
  f32Splat: (offset: number) => simdMemory(0x09, 2, offset),
  f64Splat: (offset: number) => simdMemory(0x0a, 3, offset),
  /** Stores one Float32 lane of the vector on the stack. */
  store32Lane: (offset: number, lane: number) => [...simdMemory(0x5a, 2, offset), lane],
  f32x4ExtractLane: (lane: number) => [0xfd, 0x1f, lane],
  zero: [0xfd, 0x0c, ...new Array<number>(16).fill(0)],
  f32x4Splat: [0xfd, 0x13],
  f32x4Sqrt: [0xfd, 0xe3, 0x01],
  f32x4Add: [0xfd, 0xe4, 0x01],
  f32x4Sub: [0xfd, 0xe5, 0x01],
  f32x4Mul: [0xfd, 0xe6, 0x01],
  f32x4Div: [0xfd, 0xe7, 0x01],
  f64x2Add: [0xfd, 0xf0, 0x01],
  f64x2Sub: [0xfd, 0xf1, 0x01],
  f64x2Mul: [0xfd, 0xf2, 0x01],
  /** A v128 constant of four i32 lanes. */
  i32x4Const: (lanes: [number, number, number, number]) => [
    0xfd,
    0x0c,
    ...new Uint8Array(Int32Array.from(lanes).buffer),
  ],
  /** A v128 constant of four f32 lanes, all `value`. */
  f32x4Const: (value: number) => [0xfd, 0x0c, ...new Uint8Array(new Float32Array(4).fill(value).buffer)],
  f32x4Lt: [0xfd, 0x43],
  f32x4Gt: [0xfd, 0x44],
  v128Andnot: [0xfd, 0x4f],
  v128Bitselect: [0xfd, 0x52],
  i32x4Shl: [0xfd, 0xab, 0x01],
  i32x4ShrS: [0xfd, 0xac, 0x01],
  i32x4Sub: [0xfd, 0xb1, 0x01],
  f32x4Abs: [0xfd, 0xe0, 0x01],
  f32x4Neg: [0xfd, 0xe1, 0x01],
  /** b < a ? b : a (minps): cheaper than f32x4.min, and a NaN in a passes. */
  f32x4Pmin: [0xfd, 0xea, 0x01],
  /** a < b ? b : a (maxps). */
  f32x4Pmax: [0xfd, 0xeb, 0x01],
  i32x4Splat: [0xfd, 0x11],
  i32x4GeU: [0xfd, 0x40],
  v128And: [0xfd, 0x4e],
  v128Or: [0xfd, 0x50],
  v128Xor: [0xfd, 0x51],
  i32x4ShrU: [0xfd, 0xad, 0x01],
  i32x4Add: [0xfd, 0xae, 0x01],
  i32x4Mul: [0xfd, 0xb5, 0x01],
};

/** `local += by` (i32), `by` an expression's instructions. */
export const increment = (local: number, by: number[]): number[] => [
  ...op.get(local),
  ...by,
  ...op.add,
  ...op.set(local),
];

/** `for (; i < end; i++) body`, with i and end locals. */
export function loop(i: number, end: number, body: number[]): number[] {
  return [
    ...op.block,
    ...op.loop,
    ...op.get(i),
    ...op.get(end),
    ...op.geU,
    ...op.brIf(1),
    ...body,
    ...op.get(i),
    ...op.i32(1),
    ...op.add,
    ...op.set(i),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
}

export interface WasmFunction {
  name: string;
  /** Its parameters: how many i32, or their types. */
  params: number | number[];
  /** Its locals after the parameters: [count, type] runs. */
  locals: [number, number][];
  body: number[];
}

/**
 * A module of void functions over an imported `env.memory`: a shared one
 * (of at most `maxPages` pages, as shared memories must declare) or, without `maxPages`, any
 * plain one, such as another module's heap.
 */
export function moduleBytes(
  functions: WasmFunction[],
  memory: { shared: true; maxPages: number } | null,
): Uint8Array {
  const types = functions.map((f) => {
    const params = typeof f.params === 'number' ? new Array<number>(f.params).fill(I32) : f.params;
    return [0x60, ...vector(params.map((t) => [t])), 0x00];
  });
  const limits = memory ? [0x03, ...uleb(1), ...uleb(memory.maxPages)] : [0x00, ...uleb(0)];
  const code = functions.map((f) => {
    const body = [...vector(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.body, ...op.end];
    return [...uleb(body.length), ...body];
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, ...limits]])),
    ...section(3, vector(functions.map((_, i) => uleb(i)))),
    ...section(7, vector(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vector(code)),
  ]);
}
