/**
 * A Float32 matrix product in WebAssembly SIMD that works on the wasm backend's own heap (the
 * wasm backend's BatchMatMul, ./batch-matmul). Each product packs B into panels of 8 columns,
 * then sweeps A four rows at a time with the 4 × 8 tile of C in registers.
 *
 * Operands are read through strides, so either may be transposed without a copy:
 * - A(i, t) at a + i·sAi + t·sAt (bytes);
 * - B(t, j) at b + t·sBt + j·sBj, packed as panel p, row t, column c at b' + ((p·k + t)·8 + c)·4, the
 *   last panel's columns past n zero;
 * - C: row-major, ldc bytes from row to row.
 */
import { F32, I32, V128, increment, loop, moduleBytes, onMemory, op, type WasmFunction } from '../wasm';

export const PANEL = 8;
const ROWS = 4;

/**
 * `gemm(c, a, b, m, k, n, sAi, sAt, ldc, accumulate)`: C = A·B, or C += A·B when `accumulate` is 1, with B
 * packed; offsets and strides in bytes.
 */
export type Gemm = (
  c: number,
  a: number,
  b: number,
  m: number,
  k: number,
  n: number,
  sAi: number,
  sAt: number,
  ldc: number,
  accumulate: number,
) => void;
/** `pack(b', b, k, n, sBt, sBj)`: B's panels at b'. */
export type Pack = (dst: number, src: number, k: number, n: number, sBt: number, sBj: number) => void;

const min = (x: number[], y: number[]) => [...x, ...y, ...x, ...y, ...op.ltU, ...op.select];
/** ⌈local / by⌉. */
const divideUp = (local: number, by: number) => [
  ...op.get(local),
  ...op.i32(by - 1),
  ...op.add,
  ...op.i32(by),
  ...op.divU,
];

function gemm(): WasmFunction {
  const [c, a, b, m, k, n, sAi, sAt, ldc, accumulate] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [jp, panels, it, rowTiles, i, t, bp, cp, w] = [10, 11, 12, 13, 14, 15, 16, 17, 18];
  const row = (r: number) => 19 + r;
  const acc = (r: number, h: number) => 19 + ROWS + r * 2 + h;
  const [b0, b1, av] = [19 + 3 * ROWS, 20 + 3 * ROWS, 21 + 3 * ROWS];

  const inner: number[] = [
    ...[...op.get(bp), ...op.v128Load4(0), ...op.set(b0), ...op.get(bp), ...op.v128Load4(16), ...op.set(b1)],
  ];
  for (let r = 0; r < ROWS; r++) {
    inner.push(...op.get(row(r)), ...op.f32Splat(0), ...op.set(av));
    for (const [h, bv] of [
      [0, b0],
      [1, b1],
    ])
      inner.push(...op.get(acc(r, h)), ...op.get(av), ...op.get(bv), ...op.f32x4Mul, ...op.f32x4Add);
    inner.push(...op.set(acc(r, 1)), ...op.set(acc(r, 0)));
    inner.push(...increment(row(r), op.get(sAt)));
  }
  inner.push(...increment(bp, op.i32(PANEL * 4)));

  const tile: number[] = [...op.get(it), ...op.i32(ROWS), ...op.mul, ...op.set(i)];
  // Rows past m read row m − 1 and are not stored, so every tile runs the same loop.
  for (let r = 0; r < ROWS; r++) {
    const index = min([...op.get(i), ...op.i32(r), ...op.add], [...op.get(m), ...op.i32(1), ...op.sub]);
    tile.push(...op.get(a), ...index, ...op.get(sAi), ...op.mul, ...op.add, ...op.set(row(r)));
    tile.push(...op.zero, ...op.set(acc(r, 0)), ...op.zero, ...op.set(acc(r, 1)));
  }
  tile.push(...op.get(b), ...op.get(jp), ...op.get(k), ...op.mul, ...op.i32(PANEL * 4), ...op.mul, ...op.add);
  tile.push(...op.set(bp), ...op.i32(0), ...op.set(t), ...loop(t, k, inner));
  tile.push(...op.get(c), ...op.get(i), ...op.get(ldc), ...op.mul, ...op.add);
  tile.push(...op.get(jp), ...op.i32(PANEL * 4), ...op.mul, ...op.add, ...op.set(cp));
  for (let r = 0; r < ROWS; r++) {
    const added = [0, 1].flatMap((h) => [
      ...[...op.get(acc(r, h)), ...op.get(cp), ...op.v128Load4(16 * h), ...op.f32x4Add, ...op.set(acc(r, h))],
    ]);
    const full = [
      ...[...op.get(accumulate), ...op.if, ...added, ...op.end],
      ...[0, 1].flatMap((h) => [...op.get(cp), ...op.get(acc(r, h)), ...op.v128Store4(16 * h)]),
    ];
    // The last panel's columns one by one, those before n only.
    const lanes = (store: (col: number) => number[]) => {
      const out: number[] = [];
      for (let col = 0; col < PANEL; col++)
        out.push(...op.get(w), ...op.i32(col), ...op.gtU, ...op.if, ...store(col), ...op.end);
      return out;
    };
    const lane = (col: number) => [...op.get(acc(r, col >> 2)), ...op.f32x4ExtractLane(col & 3)];
    const partial = [
      ...[...op.get(accumulate), ...op.if],
      ...lanes((col) => [
        ...op.get(cp),
        ...op.get(cp),
        ...op.f32Load(col * 4),
        ...lane(col),
        ...op.f32Add,
        ...op.f32Store(col * 4),
      ]),
      ...op.else,
      ...lanes((col) => [...op.get(cp), ...op.get(acc(r, col >> 2)), ...op.store32Lane(col * 4, col & 3)]),
      ...op.end,
    ];
    const store = [
      ...op.get(w),
      ...op.i32(PANEL),
      ...op.geU,
      ...op.if,
      ...full,
      ...op.else,
      ...partial,
      ...op.end,
    ];
    tile.push(...op.get(i), ...op.i32(r), ...op.add, ...op.get(m), ...op.ltU, ...op.if, ...store, ...op.end);
    tile.push(...increment(cp, op.get(ldc)));
  }

  // Panels outside, row tiles inside: a panel of B (k·32 bytes) stays in L1 while A's rows stream by.
  const body = [
    ...[...divideUp(n, PANEL), ...op.set(panels)],
    ...[...divideUp(m, ROWS), ...op.set(rowTiles)],
    ...[...op.i32(0), ...op.set(jp)],
    ...loop(jp, panels, [
      ...[...op.get(n), ...op.get(jp), ...op.i32(PANEL), ...op.mul, ...op.sub, ...op.set(w)],
      ...[...op.i32(0), ...op.set(it)],
      ...loop(it, rowTiles, tile),
    ]),
  ];
  return {
    name: 'gemm',
    params: 10,
    locals: [
      [9 + ROWS, I32],
      [2 * ROWS + 3, V128],
    ],
    body,
  };
}

function pack(): WasmFunction {
  const [dst, src, k, n, sBt, sBj] = [0, 1, 2, 3, 4, 5];
  const [jp, panels, t, rowStart, col] = [6, 7, 8, 9, 10];
  const inner: number[] = [
    ...op.get(src),
    ...op.get(t),
    ...op.get(sBt),
    ...op.mul,
    ...op.add,
    ...op.set(rowStart),
  ];
  for (let c = 0; c < PANEL; c++) {
    const inside = [...op.get(col), ...op.get(n), ...op.ltU];
    const address = [...op.get(rowStart), ...op.get(col), ...op.get(sBj), ...op.mul, ...op.add];
    // Past n the address falls back to src, which is in bounds, and the value to 0.
    inner.push(
      ...[
        ...op.get(jp),
        ...op.i32(PANEL),
        ...op.mul,
        ...op.i32(c),
        ...op.add,
        ...op.set(col),
        ...op.get(dst),
      ],
      ...[...address, ...op.get(src), ...inside, ...op.select, ...op.f32Load(0), ...op.f32Zero, ...inside],
      ...[...op.select, ...op.f32Store(c * 4)],
    );
  }
  inner.push(...increment(dst, op.i32(PANEL * 4)));
  const body = [
    ...[...divideUp(n, PANEL), ...op.set(panels)],
    ...[...op.i32(0), ...op.set(jp)],
    ...loop(jp, panels, [...op.i32(0), ...op.set(t), ...loop(t, k, inner)]),
  ];
  return { name: 'pack', params: 6, locals: [[5, I32]], body };
}

/**
 * `packRows(b', b, k, panels, sBt)`: `pack` for B whose rows are contiguous (sBj = 4 bytes) and n = panels × 8,
 * each panel's row two vector copies where `pack` moves its values one at a time.
 */
export type PackRows = (dst: number, src: number, k: number, panels: number, sBt: number) => void;

function packRows(): WasmFunction {
  const [dst, src, k, panels, sBt] = [0, 1, 2, 3, 4];
  const [jp, t, from] = [5, 6, 7];
  const copy = (at: number) => [...op.get(dst), ...op.get(from), ...op.v128Load4(at), ...op.v128Store4(at)];
  const body = [
    ...[...op.i32(0), ...op.set(jp)],
    ...loop(jp, panels, [
      ...[...op.get(src), ...op.get(jp), ...op.i32(PANEL * 4), ...op.mul, ...op.add, ...op.set(from)],
      ...[...op.i32(0), ...op.set(t)],
      ...loop(t, k, [
        ...copy(0),
        ...copy(16),
        ...increment(dst, op.i32(PANEL * 4)),
        ...increment(from, op.get(sBt)),
      ]),
    ]),
  ];
  return { name: 'packRows', params: 5, locals: [[3, I32]], body };
}

/**
 * `bias(c, bias, rows, vectors, ldc, floor)`: C(i, j) = max(C(i, j) + bias(j), floor) over the first
 * `vectors` × 4 columns of `rows` rows, ldc bytes apart (floor 0: a ReLU after the bias; −∞: none).
 */
export type Bias = (
  c: number,
  bias: number,
  rows: number,
  vectors: number,
  ldc: number,
  floor: number,
) => void;

function bias(): WasmFunction {
  const [c, b, rows, vectors, ldc, floor] = [0, 1, 2, 3, 4, 5];
  const [i, j, cp, bp, floorV] = [6, 7, 8, 9, 10];
  const body = [
    ...[...op.get(floor), ...op.f32x4Splat, ...op.set(floorV), ...op.i32(0), ...op.set(i)],
    ...loop(i, rows, [
      ...[...op.get(c), ...op.get(i), ...op.get(ldc), ...op.mul, ...op.add, ...op.set(cp)],
      ...[...op.get(b), ...op.set(bp), ...op.i32(0), ...op.set(j)],
      ...loop(j, vectors, [
        ...[
          ...op.get(cp),
          ...op.get(cp),
          ...op.v128Load4(0),
          ...op.get(bp),
          ...op.v128Load4(0),
          ...op.f32x4Add,
        ],
        ...[...op.get(floorV), ...op.f32x4Pmax, ...op.v128Store4(0)],
        ...increment(cp, op.i32(16)),
        ...increment(bp, op.i32(16)),
      ]),
    ]),
  ];
  return {
    name: 'bias',
    params: [I32, I32, I32, I32, I32, F32],
    locals: [
      [4, I32],
      [1, V128],
    ],
    body,
  };
}

/** The product's functions over a memory (the wasm backend's heap). */
export const simdMatMul = onMemory<{ gemm: Gemm; pack: Pack; packRows: PackRows; bias: Bias }>(() =>
  moduleBytes([gemm(), pack(), packRows(), bias()], null),
);
