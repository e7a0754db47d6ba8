/**
 * Column sums of a row-major Float32 matrix in WebAssembly SIMD, on the wasm backend's heap:
 * dst[j] = Σᵢ src[i·cols + j]. Each pass down the rows sums a strip of 16 columns (a cache
 * line) in four vector accumulators, so every byte of the matrix is read once and in order.
 */
import { I32, V128, increment, loop, moduleBytes, onMemory, op, type WasmFunction } from '../wasm';

/**
 * `sums(dst, src, rows, cols, rowLength)`: the first `cols` columns' sums (cols a multiple of the strip's
 * width) of rows `rowLength` floats long; offsets in bytes.
 */
export type ColumnSums = (dst: number, src: number, rows: number, cols: number, rowLength: number) => void;

function columnSums(name: string, vectors: number): WasmFunction {
  const [dst, src, rows, cols, rowLength] = [0, 1, 2, 3, 4];
  const [strip, strips, i, p, stride] = [5, 6, 7, 8, 9];
  const acc = (v: number) => 10 + v;
  const inner: number[] = [];
  for (let v = 0; v < vectors; v++)
    inner.push(...op.get(acc(v)), ...op.get(p), ...op.v128Load4(16 * v), ...op.f32x4Add, ...op.set(acc(v)));
  inner.push(...increment(p, op.get(stride)));
  const perStrip: number[] = [];
  for (let v = 0; v < vectors; v++) perStrip.push(...op.zero, ...op.set(acc(v)));
  perStrip.push(
    ...op.get(src),
    ...op.get(strip),
    ...op.i32(16 * vectors),
    ...op.mul,
    ...op.add,
    ...op.set(p),
  );
  perStrip.push(...op.i32(0), ...op.set(i), ...loop(i, rows, inner));
  for (let v = 0; v < vectors; v++)
    perStrip.push(
      ...[...op.get(dst), ...op.get(strip), ...op.i32(16 * vectors), ...op.mul, ...op.add],
      ...[...op.get(acc(v)), ...op.v128Store4(16 * v)],
    );
  const body = [
    ...[...op.get(rowLength), ...op.i32(4), ...op.mul, ...op.set(stride)],
    ...[...op.get(cols), ...op.i32(4 * vectors), ...op.divU, ...op.set(strips)],
    ...[...op.i32(0), ...op.set(strip)],
    ...loop(strip, strips, perStrip),
  ];
  return {
    name,
    params: 5,
    locals: [
      [5, I32],
      [vectors, V128],
    ],
    body,
  };
}

/** Column sums over a memory (the wasm backend's heap): by strips of 16 columns, and of 4. */
export const simdColumnSums = onMemory<{ sums16: ColumnSums; sums4: ColumnSums }>(() =>
  moduleBytes([columnSums('sums16', 4), columnSums('sums4', 1)], null),
);
