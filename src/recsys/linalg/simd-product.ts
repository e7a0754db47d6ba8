/**
 * The hot loop of the SPD inverse, C −= A·B, as a WebAssembly module with 128-bit SIMD (two
 * Float64 lanes). JavaScript has no vector instructions: the same loop over Float64Arrays, its
 * tile held in sixteen locals, runs several times slower. The module is a few hundred bytes,
 * written out here (../../wasm).
 *
 * The operands are laid out so that every load is in order:
 * - A: row-major, rows of BLOCK Float64 (the first `depth` used): A[i][t] at a + (i·BLOCK + t)·8;
 * - B: packed by tiles of TILE_COLUMNS columns, B[t][jt·TILE_COLUMNS + c] at
 *   b + ((jt·depth + t)·TILE_COLUMNS + c)·8;
 * - C: row-major, `ldc` bytes from row to row.
 */
import { I32, V128, increment, loop, moduleBytes, op } from '../../wasm';

/** The tile of C the inner loop keeps in registers: 8 vectors of 2, and 3 for operands (x64 has 16). */
export const TILE_ROWS = 4;
export const TILE_COLUMNS = 4;
/** The most terms of one product (its depth), and the length of A's rows. */
export const BLOCK = 128;

/**
 * `product(c, ldc, a, b, depth, rowTileFrom, rowTileTo, columnTiles, lower)`: C −= A·B on C's row tiles
 * [rowTileFrom, rowTileTo) and column tiles [0, columnTiles); offsets in bytes. `lower` skips the tiles wholly
 * above the diagonal.
 */
export type Product = (
  c: number,
  ldc: number,
  a: number,
  b: number,
  depth: number,
  rowTileFrom: number,
  rowTileTo: number,
  columnTiles: number,
  lower: number,
) => void;

/** WebAssembly's page, and the most pages a 32-bit memory has. */
export const PAGE = 65536;
export const MAX_PAGES = 65536;

/** The module's bytes; it imports a shared memory as env.memory and exports `product`. */
export function productModule(): Uint8Array {
  const R = TILE_ROWS;
  const N = TILE_COLUMNS;
  const lanes = N / 2;
  // Parameters, then locals.
  const [c, ldc, a, b, depth, rowTileFrom, rowTileTo, columnTiles, lower] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [it, jt, t, ap, bp, cp, jtEnd] = [9, 10, 11, 12, 13, 14, 15];
  const firstVector = 16;
  const acc = (r: number, k: number) => firstVector + r * lanes + k;
  const bv = (k: number) => firstVector + R * lanes + k;
  const av = firstVector + R * lanes + lanes;
  const vectors = R * lanes + lanes + 1;

  const inner: number[] = [];
  for (let k = 0; k < lanes; k++) inner.push(...op.get(bp), ...op.v128Load(16 * k), ...op.set(bv(k)));
  for (let r = 0; r < R; r++) {
    inner.push(...op.get(ap), ...op.f64Splat(r * BLOCK * 8), ...op.set(av));
    for (let k = 0; k < lanes; k++)
      inner.push(
        ...op.get(acc(r, k)),
        ...op.get(av),
        ...op.get(bv(k)),
        ...op.f64x2Mul,
        ...op.f64x2Add,
        ...op.set(acc(r, k)),
      );
  }
  inner.push(...increment(ap, op.i32(8)), ...increment(bp, op.i32(N * 8)));

  const tile: number[] = [];
  for (let r = 0; r < R; r++) for (let k = 0; k < lanes; k++) tile.push(...op.zero, ...op.set(acc(r, k)));
  tile.push(...op.get(a), ...op.get(it), ...op.i32(R * BLOCK * 8), ...op.mul, ...op.add, ...op.set(ap));
  tile.push(...op.get(b), ...op.get(jt), ...op.get(depth), ...op.mul, ...op.i32(N * 8), ...op.mul, ...op.add);
  tile.push(...op.set(bp), ...op.i32(0), ...op.set(t), ...loop(t, depth, inner));
  tile.push(...op.get(c), ...op.get(it), ...op.i32(R), ...op.mul, ...op.get(ldc), ...op.mul, ...op.add);
  tile.push(...op.get(jt), ...op.i32(N * 8), ...op.mul, ...op.add, ...op.set(cp));
  for (let r = 0; r < R; r++) {
    for (let k = 0; k < lanes; k++)
      tile.push(
        ...op.get(cp),
        ...op.get(cp),
        ...op.v128Load(16 * k),
        ...op.get(acc(r, k)),
        ...op.f64x2Sub,
        ...op.v128Store(16 * k),
      );
    if (r < R - 1) tile.push(...increment(cp, op.get(ldc)));
  }

  // Column tiles outside, row tiles inside: a B panel stays in L1 while the call's rows of A (a few dozen
  // kilobytes) come from L2. With `lower`, column tile jt only meets row tiles from jt·N/R on, and the
  // call's rows only column tiles up to ⌈rowTileTo·R/N⌉.
  const body: number[] = [
    ...[...op.get(rowTileTo), ...op.i32(R), ...op.mul, ...op.i32(N - 1), ...op.add, ...op.i32(N), ...op.divU],
    ...op.set(jtEnd),
    ...[...op.get(jtEnd), ...op.get(columnTiles), ...op.get(jtEnd), ...op.get(columnTiles), ...op.ltU],
    ...[...op.select, ...op.set(jtEnd)],
    ...[...op.get(jtEnd), ...op.get(columnTiles), ...op.get(lower), ...op.select, ...op.set(jtEnd)],
    ...op.i32(0),
    ...op.set(jt),
    ...loop(jt, jtEnd, [
      ...[...op.get(jt), ...op.i32(N), ...op.mul, ...op.i32(R), ...op.divU, ...op.set(it)],
      ...[...op.get(it), ...op.get(rowTileFrom), ...op.get(it), ...op.get(rowTileFrom), ...op.gtU],
      ...[...op.select, ...op.set(it)],
      ...[...op.get(it), ...op.get(rowTileFrom), ...op.get(lower), ...op.select, ...op.set(it)],
      ...loop(it, rowTileTo, tile),
    ]),
  ];
  return moduleBytes(
    [
      {
        name: 'product',
        params: 9,
        locals: [
          [7, I32],
          [vectors, V128],
        ],
        body,
      },
    ],
    { shared: true, maxPages: MAX_PAGES },
  );
}
