import { totalmem } from 'node:os';
import type { Dataset } from '../../data/dataset';
import { Model } from '../../model';
import { SpdMatrix, inversionSteps } from '../../linalg/spd-inverse';
import { MAX_PAGES, PAGE } from '../../linalg/simd-product';
import type { ModelState } from '../../store';
import { show, type TrainingContext } from '../../engine/training';
import type { SettingsSchema } from '../../engine/settings';

export interface EASEConfig {
  /** L2 regularisation λ added to the Gram matrix's diagonal. */
  lambda: number;
  /** Only items with at least this many training interactions are modelled. */
  minCount: number;
  /** Above this many items the inverse (m³) is too slow: minCount is raised until it fits, and the fit says so. */
  maxItems: number;
}

/** The memory EASE takes for m items: the Gram matrix, inverted in place, and the Float32 weights. */
const easeBytes = (m: number) => SpdMatrix.bytes(m) + 4 * m * m;

/** Why m items' matrices are more than a fit may take, or '' when they fit. */
function tooLarge(m: number): string {
  const wasm = MAX_PAGES * PAGE;
  if (SpdMatrix.bytes(m) > wasm)
    return `the inverse is computed in WebAssembly memory, which holds at most ${formatBytes(wasm)}`;
  if (easeBytes(m) > totalmem() / 2)
    return `that is more than half of this machine's ${formatBytes(totalmem())}`;
  return '';
}

/** Rows and columns of the weights written together from a tile of the inverse's lower triangle (64 KB in all). */
const TILE = 64;

const formatBytes = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : `${Math.ceil(n / 1e6)} MB`);

const SCHEMA: SettingsSchema<EASEConfig> = {
  lambda: { type: 'number', min: 0, open: true, default: 200 },
  minCount: { type: 'int', min: 1, default: 1 },
  maxItems: { type: 'int', min: 1, default: 10_000 },
};

/**
 * EASE (Steck, 2019): item-item weights in closed form, B = I − P · diag(1/diag P) with
 * P = (XᵀX + λI)⁻¹, the diagonal forced to zero. Items outside the modelled set score -∞.
 */
export class EASE extends Model<EASEConfig> {
  /** Modelled item → catalogue item. */
  private items: Int32Array = new Int32Array(0);
  /** Catalogue item → modelled item, or -1. */
  private position: Int32Array = new Int32Array(0);
  private weights: Float32Array = new Float32Array(0);
  /** Σ of all rows of the weights: a heavy user's scores are this minus the rows they lack. */
  private rowSum: Float64Array = new Float64Array(0);
  /** What the fit left out, when it did. */
  note = '';

  constructor(config: Partial<EASEConfig> = {}) {
    super('EASE', SCHEMA, config);
  }

  protected async fitModel(train: Dataset, ctx: TrainingContext): Promise<void> {
    const counts = train.itemCounts();
    const { minCount, maxItems, lambda } = this.config;
    let items: number[] = [];
    counts.forEach((c, i) => c >= minCount && items.push(i));
    // The Gram matrix is items²: past maxItems, keep exactly the most frequent (ties by first seen).
    const capped = items.length > maxItems;
    if (capped)
      items = items
        .sort((a, b) => counts[b] - counts[a] || a - b)
        .slice(0, maxItems)
        .sort((a, b) => a - b);
    const m = items.length;
    const fewest = items.reduce((low, i) => Math.min(low, counts[i]), Infinity);
    const which = capped
      ? `the ${m} most frequent (at least ${fewest} interactions each; maxItems is ${maxItems})`
      : `those with at least ${minCount} interactions`;
    this.note =
      m < train.numItems
        ? `EASE models ${m} of the ${train.numItems} items, ${which}; the others are never recommended.`
        : '';
    if (this.note) show(this.note);
    const position = new Int32Array(train.numItems).fill(-1);
    items.forEach((i, p) => (position[i] = p));

    // Said before the m × m matrices exist, and refused when they would not fit.
    const bytes = easeBytes(m);
    const size = `${m.toLocaleString('en-US')} × ${m.toLocaleString('en-US')}`;
    const refusal = tooLarge(m);
    if (refusal) {
      let fits = m;
      while (fits > 0 && tooLarge(fits)) fits = Math.floor(fits * 0.99);
      throw new Error(
        `EASE needs ${formatBytes(bytes)} for its ${size} item matrices (the Gram matrix, inverted in place ` +
          `in Float64, and the weights in Float32): ${refusal}. Raise minCount (now ${minCount}) or lower ` +
          `maxItems (now ${maxItems.toLocaleString('en-US')}) to keep at most ${fits.toLocaleString('en-US')} items.`,
      );
    }
    ctx.begin(inversionSteps(m), `EASE: inverting the ${size} Gram matrix (${formatBytes(bytes)})`);
    const g = new SpdMatrix(m);
    const { values, stride } = g;
    // Each user's modelled items, ascending (items and positions both are).
    const byUser = train.byUser;
    const starts = new Int32Array(train.numUsers + 1);
    for (let u = 0; u < train.numUsers; u++) {
      let count = 0;
      for (let p = byUser.indptr[u]; p < byUser.indptr[u + 1]; p++)
        if (position[byUser.indices[p]] >= 0) count++;
      starts[u + 1] = starts[u] + count;
    }
    const kept = new Int32Array(starts[train.numUsers]);
    for (let u = 0, q = 0; u < train.numUsers; u++)
      for (let p = byUser.indptr[u]; p < byUser.indptr[u + 1]; p++)
        if (position[byUser.indices[p]] >= 0) kept[q++] = position[byUser.indices[p]];
    // Row a of the lower triangle counts, over a's users, their items up to a: one row at a time, in cache.
    const byItem = train.byItem;
    for (let a = 0; a < m; a++) {
      const row = a * stride;
      for (let p = byItem.indptr[items[a]]; p < byItem.indptr[items[a] + 1]; p++) {
        const u = byItem.indices[p];
        for (let q = starts[u]; q < starts[u + 1] && kept[q] <= a; q++) values[row + kept[q]]++;
      }
      values[row + a] += lambda;
      if (a % 64 === 0) await ctx.pause();
    }
    await g.invert(() => ctx.step());
    // B = −P diag(P)⁻¹ from P's lower triangle, by tiles, so that B[i][j] and B[j][i] are both written in cache.
    const scale = Float64Array.from({ length: m }, (_, j) => -1 / values[j * stride + j]);
    const weights = new Float32Array(m * m);
    for (let i0 = 0; i0 < m; i0 += TILE)
      for (let j0 = 0; j0 <= i0; j0 += TILE)
        for (let i = i0; i < Math.min(m, i0 + TILE); i++)
          for (let j = j0, row = i * stride; j < Math.min(i, j0 + TILE); j++) {
            weights[i * m + j] = values[row + j] * scale[j];
            weights[j * m + i] = values[row + j] * scale[i];
          }
    this.items = Int32Array.from(items);
    this.position = position;
    this.weights = weights;
    this.rowSum = sumRows(weights, m);
  }

  /** Σ of the weight rows of the user's items; over the rows they lack when that is fewer (half the work at most). */
  protected scoreUser(u: number, out: Float32Array): void {
    out.fill(-Infinity);
    const m = this.items.length;
    const has = new Uint8Array(m);
    const { indptr, indices } = this.train.byUser;
    let count = 0;
    for (let p = indptr[u]; p < indptr[u + 1]; p++) {
      const a = this.position[indices[p]];
      if (a < 0) continue;
      has[a] = 1;
      count++;
    }
    const complement = count > m / 2;
    const rows: number[] = [];
    for (let a = 0; a < m; a++) if (has[a] !== (complement ? 1 : 0)) rows.push(a * m);
    const acc = addRows(this.weights, rows, m);
    if (complement) for (let j = 0; j < m; j++) acc[j] = this.rowSum[j] - acc[j];
    for (let j = 0; j < m; j++) out[this.items[j]] = acc[j];
  }

  protected override similarItemScores(i: number, out: Float32Array): boolean {
    out.fill(-Infinity);
    const a = this.position[i];
    if (a < 0) return true;
    const m = this.items.length;
    for (let j = 0; j < m; j++) out[this.items[j]] = this.weights[a * m + j];
    return true;
  }

  /** The history item with the largest weight towards `item`. */
  protected override reason(u: number, item: number): string {
    const b = this.position[item];
    const m = this.items.length;
    const { indptr, indices } = this.train.byUser;
    let best = -1;
    let bestWeight = -Infinity;
    for (let p = indptr[u]; p < indptr[u + 1]; p++) {
      const a = this.position[indices[p]];
      if (a >= 0 && this.weights[a * m + b] > bestWeight) {
        bestWeight = this.weights[a * m + b];
        best = indices[p];
      }
    }
    return best < 0 ? '' : `because of ${this.train.itemTitle(best)}`;
  }

  protected state(): ModelState {
    return {
      config: { ...this.config, note: this.note },
      arrays: { items: this.items, weights: this.weights },
    };
  }

  protected restore(state: ModelState): void {
    this.items = state.arrays.items as Int32Array;
    this.weights = state.arrays.weights as Float32Array;
    this.note = String(state.config.note ?? '');
    this.position = new Int32Array(this.train.numItems).fill(-1);
    this.items.forEach((i, p) => (this.position[i] = p));
    this.rowSum = sumRows(this.weights, this.items.length);
  }
}

/** Σ of the rows of `weights` starting at `offsets`, four rows per pass over the sum. */
function addRows(weights: Float32Array, offsets: readonly number[], m: number): Float64Array {
  const acc = new Float64Array(m);
  let r = 0;
  for (; r + 3 < offsets.length; r += 4) {
    const [a, b, c, d] = [offsets[r], offsets[r + 1], offsets[r + 2], offsets[r + 3]];
    for (let j = 0; j < m; j++) acc[j] += weights[a + j] + weights[b + j] + weights[c + j] + weights[d + j];
  }
  for (; r < offsets.length; r++) for (let j = 0; j < m; j++) acc[j] += weights[offsets[r] + j];
  return acc;
}

function sumRows(weights: Float32Array, m: number): Float64Array {
  return addRows(
    weights,
    Array.from({ length: m }, (_, a) => a * m),
    m,
  );
}
