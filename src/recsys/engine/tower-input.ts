/**
 * The input layer of one tower of a two-tower model, the feature recipe of the design: an
 * ID embedding and one embedding per categorical attribute group (the values of a
 * multi-valued attribute summed), concatenated; numeric attributes join as standardised
 * columns. The tables live in typed arrays and train sparsely (see SparseEmbedding).
 */
import type { FeatureSet } from '../data/features';
import type { Random } from '../random';
import type { AdamOptions } from './adam';
import { SparseEmbedding } from './sparse-embedding';

interface Bag {
  table: SparseEmbedding;
  /** entities × width value ids; null for the ID embedding (the entity is its own row). */
  lookup: Int32Array | null;
  width: number;
  offset: number;
}

interface NumericColumn {
  values: Float32Array;
  mean: number;
  scale: number;
  offset: number;
}

export class TowerInput {
  /** Columns of one example's input. */
  readonly width: number;
  private readonly bags: Bag[] = [];
  private readonly numeric: NumericColumn[] = [];

  constructor(
    /** Users or items: the rows of the ID embedding. */
    readonly count: number,
    features: FeatureSet | null,
    dim: number,
    random: Random,
    adam: AdamOptions,
  ) {
    let offset = 0;
    this.bags.push({
      table: new SparseEmbedding(count, dim, false, random, adam),
      lookup: null,
      width: 1,
      offset,
    });
    offset += dim;
    for (const g of features?.groups ?? []) {
      if (g.kind === 'categorical') {
        this.bags.push({
          table: new SparseEmbedding(g.cardinality, dim, true, random, adam),
          lookup: g.ids,
          width: g.width,
          offset,
        });
        offset += dim;
      } else {
        this.numeric.push({ values: g.values!, ...standardise(g.values!), offset });
        offset += 1;
      }
    }
    this.width = offset;
  }

  /** Writes the input rows of `entities` into `out` (entities.length × width). */
  fill(entities: Int32Array, out: Float32Array): void {
    for (const b of this.bags) b.table.gather(entities, b.lookup, b.width, out, this.width, b.offset);
    for (const c of this.numeric) {
      for (let e = 0; e < entities.length; e++) {
        const v = c.values[entities[e]];
        out[e * this.width + c.offset] = Number.isNaN(v) ? 0 : (v - c.mean) * c.scale;
      }
    }
  }

  /** Takes the loss gradient with respect to the rows `fill` wrote, and applies it. */
  update(entities: Int32Array, grad: Float32Array): void {
    for (const b of this.bags) {
      b.table.accumulate(entities, b.lookup, b.width, grad, this.width, b.offset);
      b.table.step();
    }
  }
}

/** Mean and 1/std of the values present, so a numeric column enters at unit scale. */
export function standardise(values: Float32Array): { mean: number; scale: number } {
  let n = 0;
  let sum = 0;
  let squares = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    n++;
    sum += v;
    squares += v * v;
  }
  const mean = n ? sum / n : 0;
  const variance = n ? squares / n - mean * mean : 0;
  return { mean, scale: variance > 0 ? 1 / Math.sqrt(variance) : 1 };
}
