/**
 * Users' histories as sequences, the input of the sequence models: each user's items in
 * time order, the latest `maxLen` of them in a left-padded window (slot value = item + 1, 0
 * for padding), and the side features the BST recipe embeds beside them, coded so that a
 * missing value has its own code rather than looking like padding.
 */
import type { Dataset } from './dataset';
import type { FeatureSet } from './features';

/**
 * One categorical attribute as codes: row r's values are codes[r·width … (r+1)·width); 0 pads, `missing`
 * marks a row without a value.
 */
export interface CodedGroup {
  readonly name: string;
  readonly width: number;
  /** Size of an embedding table for the codes (the missing code included). */
  readonly cardinality: number;
  readonly missing: number;
  readonly codes: Int32Array;
}

export class Sequences {
  /** Each user's items oldest first: user u's are `order[indptr[u] … indptr[u + 1])`. */
  readonly indptr: Int32Array;
  readonly order: Int32Array;
  /** numUsers × maxLen: each user's latest items, left-padded; slot value item + 1, 0 for padding. */
  readonly windows: Int32Array;
  /** Users with more than maxLen items: their windows leave the oldest out. */
  readonly truncated: number;
  /** Item attributes by slot value (row 0 is the padding item): look up `codes[(item + 1)·width …]`. */
  readonly itemFeatures: CodedGroup[];
  /** User attributes by user index. */
  readonly userFeatures: CodedGroup[];

  constructor(
    readonly data: Dataset,
    readonly maxLen: number,
  ) {
    if (!Number.isInteger(maxLen) || maxLen < 1)
      throw new Error(`sequences: maxLen must be a whole number ≥ 1, got ${maxLen}.`);
    const { indptr, rows } = data.userRows; // most recent first
    this.indptr = indptr;
    this.order = new Int32Array(rows.length);
    for (let u = 0; u < data.numUsers; u++) {
      const from = indptr[u];
      const to = indptr[u + 1];
      for (let p = from; p < to; p++) this.order[p] = data.items[rows[to - 1 - (p - from)]];
    }
    this.windows = new Int32Array(data.numUsers * maxLen);
    let truncated = 0;
    for (let u = 0; u < data.numUsers; u++) {
      if (this.length(u) > maxLen) truncated++;
      this.window(u, this.length(u), this.windows, u * maxLen);
    }
    this.truncated = truncated;
    this.itemFeatures = data.itemFeatures.groups
      .filter((g) => g.kind === 'categorical')
      .map((g) => code(data.itemFeatures, g.name, 1));
    this.userFeatures = data.userFeatures.groups
      .filter((g) => g.kind === 'categorical')
      .map((g) => code(data.userFeatures, g.name, 0));
  }

  get numUsers(): number {
    return this.data.numUsers;
  }

  /** How many items user u has. */
  length(u: number): number {
    return this.indptr[u + 1] - this.indptr[u];
  }

  /** The user's i-th item, oldest first. */
  item(u: number, i: number): number {
    return this.order[this.indptr[u] + i];
  }

  /**
   * Fills out[offset … offset + maxLen) with the user's items before position `end` (the latest maxLen of
   * them), left-padded, as slot values.
   */
  window(u: number, end: number, out: Int32Array, offset: number): void {
    const start = Math.max(0, end - this.maxLen);
    const pad = this.maxLen - (end - start);
    out.fill(0, offset, offset + pad);
    const base = this.indptr[u];
    for (let p = start; p < end; p++) out[offset + pad + p - start] = this.order[base + p] + 1;
  }
}

/** A feature group's ids as codes, shifted down by `offset` rows of padding; an empty row gets the missing code. */
function code(features: FeatureSet, name: string, offset: number): CodedGroup {
  const g = features.group(name);
  const rows = features.numRows + offset;
  const codes = new Int32Array(rows * g.width);
  const missing = g.cardinality;
  for (let r = 0; r < features.numRows; r++) {
    let any = false;
    for (let j = 0; j < g.width; j++) {
      const id = g.ids[r * g.width + j];
      codes[(r + offset) * g.width + j] = id;
      if (id > 0) any = true;
    }
    if (!any) codes[(r + offset) * g.width] = missing;
  }
  return { name, width: g.width, cardinality: missing + 1, missing, codes };
}
