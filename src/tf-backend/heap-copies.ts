/**
 * The copies that slicing, concatenating, gathering rows and scatter-adding rows come down
 * to, as WebAssembly on the wasm backend's heap. Written in JavaScript, each row is a
 * `subarray` and a `set`, or a loop over elements of a typed array of any of three types; for
 * the 16- and 32-float rows of a ranker's embeddings that costs more than the copy itself
 * (1.2 ms to split a 512 × 20 × 32 history in two). Here a row is one `memory.copy`, or
 * vector adds. A row of whole vectors under 1 KiB is copied vector by vector: `memory.copy` is
 * a call out of WebAssembly, and splitting a GRU step's 128 × 192 gate products row by row
 * with it took 26 µs, 15 µs as vectors.
 */
import { I32, increment as step, loop, moduleBytes, onMemory, op, type WasmFunction } from '../wasm';

export interface HeapCopies {
  /** `rows` runs of `runBytes`, `srcStride` bytes apart at src, `dstStride` apart at dst. */
  copyRuns(
    dst: number,
    src: number,
    rows: number,
    runBytes: number,
    srcStride: number,
    dstStride: number,
  ): void;
  /** Row r of dst = row ids[r] of table (int32 ids, checked by the caller). */
  gatherRows(dst: number, table: number, ids: number, count: number, rowBytes: number): void;
  /**
   * out (segments rows of `rowFloats`, a multiple of 4) = Σ over r with ids[r] = s of row r of x; ids outside
   * [0, segments) are dropped.
   */
  scatterAddRows(
    out: number,
    x: number,
    ids: number,
    count: number,
    rowFloats: number,
    segments: number,
  ): void;
}

function copyRuns(): WasmFunction {
  const [dst, src, rows, runBytes, srcStride, dstStride, r] = [0, 1, 2, 3, 4, 5, 6];
  const [v, vectors, at] = [7, 8, 9];
  const rowLoop = (copy: number[]) =>
    loop(r, rows, [...copy, ...step(dst, op.get(dstStride)), ...step(src, op.get(srcStride))]);
  const offset = (base: number) => [...op.get(base), ...op.get(at), ...op.add];
  const byVectors = [
    ...[...op.i32(0), ...op.set(v), ...op.i32(0), ...op.set(at)],
    ...loop(v, vectors, [
      ...[...offset(dst), ...offset(src), ...op.v128Load4(0), ...op.v128Store4(0)],
      ...step(at, op.i32(16)),
    ]),
  ];
  const wholeVectors = [...op.get(runBytes), ...op.i32(15), ...op.and, ...op.eqz];
  const short = [...op.get(runBytes), ...op.i32(1024), ...op.ltU];
  const body = [
    ...[...op.i32(0), ...op.set(r), ...op.get(runBytes), ...op.i32(4), ...op.shrU, ...op.set(vectors)],
    ...[...wholeVectors, ...short, ...op.and, ...op.if],
    ...rowLoop(byVectors),
    ...op.else,
    ...rowLoop([...op.get(dst), ...op.get(src), ...op.get(runBytes), ...op.memoryCopy]),
    ...op.end,
  ];
  return { name: 'copyRuns', params: 6, locals: [[4, I32]], body };
}

function gatherRows(): WasmFunction {
  const [dst, table, ids, count, rowBytes, r] = [0, 1, 2, 3, 4, 5];
  const body = [
    ...[...op.i32(0), ...op.set(r)],
    ...loop(r, count, [
      ...[...op.get(dst), ...op.get(table), ...op.get(ids), ...op.i32Load(0), ...op.get(rowBytes), ...op.mul],
      ...[...op.add, ...op.get(rowBytes), ...op.memoryCopy],
      ...step(dst, op.get(rowBytes)),
      ...step(ids, op.i32(4)),
    ]),
  ];
  return { name: 'gatherRows', params: 5, locals: [[1, I32]], body };
}

function scatterAddRows(): WasmFunction {
  const [out, x, ids, count, rowFloats, segments] = [0, 1, 2, 3, 4, 5];
  const [r, j, vectors, p, s] = [6, 7, 8, 9, 10];
  const rowBytes = [...op.get(rowFloats), ...op.i32(4), ...op.mul];
  const add = [
    ...[...op.get(p), ...op.get(p), ...op.v128Load4(0), ...op.get(x), ...op.v128Load4(0), ...op.f32x4Add],
    ...op.v128Store4(0),
    ...step(p, op.i32(16)),
    ...step(x, op.i32(16)),
  ];
  const body = [
    ...[...op.get(out), ...op.i32(0), ...op.get(segments), ...rowBytes, ...op.mul, ...op.memoryFill],
    ...[...op.get(rowFloats), ...op.i32(4), ...op.divU, ...op.set(vectors)],
    ...[...op.i32(0), ...op.set(r)],
    ...loop(r, count, [
      ...[...op.get(ids), ...op.i32Load(0), ...op.set(s)],
      // Unsigned, so a negative id is past `segments` too.
      ...[...op.get(s), ...op.get(segments), ...op.ltU, ...op.if],
      ...[...op.get(out), ...op.get(s), ...rowBytes, ...op.mul, ...op.add, ...op.set(p)],
      ...[...op.i32(0), ...op.set(j), ...loop(j, vectors, add)],
      ...op.else,
      ...step(x, rowBytes),
      ...op.end,
      ...step(ids, op.i32(4)),
    ]),
  ];
  return { name: 'scatterAddRows', params: 6, locals: [[5, I32]], body };
}

/** The copies over a memory (the wasm backend's heap). */
export const heapCopies = onMemory<HeapCopies>(() =>
  moduleBytes([copyRuns(), gatherRows(), scatterAddRows()], null),
);
