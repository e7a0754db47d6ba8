/**
 * The Barnes–Hut tree t-SNE's repulsion runs on: a quadtree (2-D) or octree (3-D) over the
 * map's points, rebuilt every iteration. A cell far enough from a point stands in for all
 * the points inside it, at their centre of mass, which turns the O(n²) sum into O(n log n).
 */

/** Points a leaf may hold; below this, splitting further costs more than it saves. */
const LEAF_SIZE = 4;
/** Splitting stops this many halvings below the root: points closer than that are treated as one place. */
const MAX_DEPTH = 40;
/** A cell stands in for its points when its side is below θ times its distance; 0.5 as in van der Maaten's bhtsne. */
const THETA = 0.5;

export class BarnesHutTree {
  private capacity = 0;
  private size = 0;
  /** Per node: half its side. */
  private half = new Float64Array(0);
  /** Per node × dims: the centre of mass of its points. */
  private mass = new Float64Array(0);
  private count = new Int32Array(0);
  /** Per node: its first child (children are contiguous), or -1 for a leaf. */
  private firstChild = new Int32Array(0);
  private childCount = new Uint8Array(0);
  /** Per node: its points, as a range of `order`. */
  private start = new Int32Array(0);
  private end = new Int32Array(0);
  private readonly order: Int32Array;
  private readonly scratch: Int32Array;
  private readonly codes: Uint8Array;
  private readonly stack = new Int32Array(MAX_DEPTH * 8 + 8);
  private y: Float64Array = new Float64Array(0);

  constructor(
    private readonly n: number,
    private readonly dims: 2 | 3,
  ) {
    this.order = new Int32Array(n);
    this.scratch = new Int32Array(n);
    this.codes = new Uint8Array(n);
    this.grow(Math.max(16, 2 * n));
  }

  /** Rebuilds the tree over `y` (n × dims, row-major); `y` must not change until the next build. */
  build(y: Float64Array): void {
    const { n, dims } = this;
    this.y = y;
    this.size = 0;
    const lo = new Float64Array(dims).fill(Infinity);
    const hi = new Float64Array(dims).fill(-Infinity);
    for (let i = 0; i < n; i++) {
      this.order[i] = i;
      for (let d = 0; d < dims; d++) {
        const v = y[i * dims + d];
        if (v < lo[d]) lo[d] = v;
        if (v > hi[d]) hi[d] = v;
      }
    }
    const centre = new Float64Array(dims);
    let half = 0;
    for (let d = 0; d < dims; d++) {
      centre[d] = (lo[d] + hi[d]) / 2;
      half = Math.max(half, (hi[d] - lo[d]) / 2);
    }
    // A margin keeps the extreme points inside; a positive side even when all points coincide.
    half = half * (1 + 1e-6) + 1e-12;
    const root = this.allocate(1);
    this.fill(root, 0, n, centre, half, 0);
  }

  /**
   * Sets `force` (n × dims) to Σ_j q_ij² (y_i − y_j) for every point i, over the points
   * j ≠ i, with q_ij = 1 / (1 + |y_i − y_j|²); returns Σ_i Σ_j q_ij.
   */
  repulsion(force: Float64Array): number {
    // Locals, not fields, in the hot loop: V8 then keeps them in registers.
    const { n, dims, y, stack, mass, half, count, firstChild, childCount, start, end, order } = this;
    const limit = THETA * THETA;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const yi = i * dims;
      const y0 = y[yi];
      const y1 = y[yi + 1];
      const y2 = dims === 3 ? y[yi + 2] : 0;
      let f0 = 0;
      let f1 = 0;
      let f2 = 0;
      let top = 0;
      stack[top++] = 0;
      while (top > 0) {
        const node = stack[--top];
        const m = node * dims;
        const dx = y0 - mass[m];
        const dy = y1 - mass[m + 1];
        const dz = dims === 3 ? y2 - mass[m + 2] : 0;
        const d2 = dx * dx + dy * dy + dz * dz;
        const side = 2 * half[node];
        if (side * side < limit * d2) {
          const q = 1 / (1 + d2);
          const w = count[node] * q;
          total += w;
          f0 += w * q * dx;
          f1 += w * q * dy;
          f2 += w * q * dz;
        } else if (firstChild[node] < 0) {
          for (let p = start[node]; p < end[node]; p++) {
            const j = order[p];
            if (j === i) continue;
            const jj = j * dims;
            const ex = y0 - y[jj];
            const ey = y1 - y[jj + 1];
            const ez = dims === 3 ? y2 - y[jj + 2] : 0;
            const q = 1 / (1 + ex * ex + ey * ey + ez * ez);
            total += q;
            f0 += q * q * ex;
            f1 += q * q * ey;
            f2 += q * q * ez;
          }
        } else {
          for (let c = 0; c < childCount[node]; c++) stack[top++] = firstChild[node] + c;
        }
      }
      force[yi] = f0;
      force[yi + 1] = f1;
      if (dims === 3) force[yi + 2] = f2;
    }
    return total;
  }

  /** Makes `node` the cell at `centre` (half side `half`) holding order[lo, hi), and its subtree. */
  private fill(
    node: number,
    lo: number,
    hi: number,
    centre: Float64Array,
    half: number,
    depth: number,
  ): void {
    const { dims, y, order } = this;
    this.half[node] = half;
    this.count[node] = hi - lo;
    this.start[node] = lo;
    this.end[node] = hi;
    for (let d = 0; d < dims; d++) {
      let s = 0;
      for (let p = lo; p < hi; p++) s += y[order[p] * dims + d];
      this.mass[node * dims + d] = s / (hi - lo);
    }
    if (hi - lo <= LEAF_SIZE || depth >= MAX_DEPTH) {
      this.firstChild[node] = -1;
      this.childCount[node] = 0;
      return;
    }
    // Counting sort of the points by the child cell (one bit per dimension) they fall in.
    const cells = 1 << dims;
    const counts = new Int32Array(cells + 1);
    for (let p = lo; p < hi; p++) {
      let code = 0;
      for (let d = 0; d < dims; d++) if (y[order[p] * dims + d] > centre[d]) code |= 1 << d;
      this.codes[p] = code;
      counts[code + 1]++;
    }
    for (let c = 0; c < cells; c++) counts[c + 1] += counts[c];
    const next = counts.slice(0, cells);
    for (let p = lo; p < hi; p++) this.scratch[lo + next[this.codes[p]]++] = order[p];
    order.set(this.scratch.subarray(lo, hi), lo);

    let children = 0;
    for (let c = 0; c < cells; c++) if (counts[c + 1] > counts[c]) children++;
    const first = this.allocate(children);
    this.firstChild[node] = first;
    this.childCount[node] = children;
    const quarter = half / 2;
    let child = first;
    for (let c = 0; c < cells; c++) {
      if (counts[c + 1] === counts[c]) continue;
      const sub = new Float64Array(dims);
      for (let d = 0; d < dims; d++) sub[d] = centre[d] + (c & (1 << d) ? quarter : -quarter);
      this.fill(child++, lo + counts[c], lo + counts[c + 1], sub, quarter, depth + 1);
    }
  }

  /** `k` fresh nodes, contiguous; returns the first. */
  private allocate(k: number): number {
    if (this.size + k > this.capacity) this.grow(2 * (this.size + k));
    this.size += k;
    return this.size - k;
  }

  private grow(capacity: number): void {
    const widen = <T extends Float64Array | Int32Array | Uint8Array>(
      old: T,
      make: (length: number) => T,
      per = 1,
    ): T => {
      const next = make(capacity * per);
      next.set(old);
      return next;
    };
    this.half = widen(this.half, (l) => new Float64Array(l));
    this.mass = widen(this.mass, (l) => new Float64Array(l), this.dims);
    this.count = widen(this.count, (l) => new Int32Array(l));
    this.firstChild = widen(this.firstChild, (l) => new Int32Array(l));
    this.childCount = widen(this.childCount, (l) => new Uint8Array(l));
    this.start = widen(this.start, (l) => new Int32Array(l));
    this.end = widen(this.end, (l) => new Int32Array(l));
    this.capacity = capacity;
  }
}
