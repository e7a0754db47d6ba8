/**
 * Side features of users or items, encoded the way embedding models consume them: every
 * categorical value is indexed (or hashed into buckets), a multi-valued field (genres,
 * interests) is padded to its longest row, and each attribute is its own group.
 */

export type RawFeature = string | number | null | undefined | readonly (string | number)[];

export interface FeatureSpec {
  name: string;
  /** One value per row; an array for a multi-valued field, a string split on `separator`. */
  values: ArrayLike<RawFeature>;
  /** Splits text values into several (e.g. '|' for MovieLens genres). */
  separator?: string;
  /** Hash values into this many buckets instead of indexing them. */
  hashBuckets?: number;
  /** Keep the values as numbers (one per row) instead of categories. */
  numeric?: boolean;
}

/**
 * One attribute. Categorical: `ids` is rows × width, row-major, where 0 is padding or a
 * missing value and v ≥ 1 is the value `vocabulary[v - 1]` (or hash bucket v - 1);
 * `cardinality` is the size of an embedding table for it (largest id + 1).
 * Numeric: `values` holds one number per row (NaN when missing) and `ids` is empty.
 */
export interface FeatureGroup {
  readonly name: string;
  readonly kind: 'categorical' | 'numeric';
  readonly width: number;
  readonly ids: Int32Array;
  readonly cardinality: number;
  readonly vocabulary: readonly string[] | null;
  readonly values: Float32Array | null;
}

export class FeatureSet {
  private readonly byName = new Map<string, FeatureGroup>();

  constructor(
    readonly numRows: number,
    readonly groups: readonly FeatureGroup[],
  ) {
    for (const g of groups) this.byName.set(g.name, g);
  }

  static empty(numRows: number): FeatureSet {
    return new FeatureSet(numRows, []);
  }

  static encode(numRows: number, specs: readonly FeatureSpec[]): FeatureSet {
    return new FeatureSet(
      numRows,
      specs.map((s) => encodeGroup(numRows, s)),
    );
  }

  group(name: string): FeatureGroup {
    const g = this.byName.get(name);
    if (!g)
      throw new Error(
        `No feature "${name}". The features are: ${[...this.byName.keys()].join(', ') || '(none)'}.`,
      );
    return g;
  }

  /** The readable values of row `r` in group `name` (vocabulary values, or bucket numbers). */
  decode(name: string, r: number): string[] {
    const g = this.group(name);
    if (g.kind === 'numeric') return [String(g.values![r])];
    const out: string[] = [];
    for (let j = 0; j < g.width; j++) {
      const id = g.ids[r * g.width + j];
      if (id > 0) out.push(g.vocabulary ? g.vocabulary[id - 1] : `#${id - 1}`);
    }
    return out;
  }
}

function splitValue(v: RawFeature, separator: string | undefined): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.map(String);
  const text = String(v);
  if (separator === undefined) return text === '' ? [] : [text];
  return text.split(separator).filter((s) => s !== '');
}

function encodeGroup(numRows: number, spec: FeatureSpec): FeatureGroup {
  if (spec.values.length !== numRows)
    throw new Error(`Feature "${spec.name}" has ${spec.values.length} values for ${numRows} rows.`);
  if (spec.numeric) {
    const values = Float32Array.from({ length: numRows }, (_, r) => {
      const v = spec.values[r];
      return v === null || v === undefined || v === '' ? NaN : Number(v);
    });
    return {
      name: spec.name,
      kind: 'numeric',
      width: 1,
      ids: new Int32Array(0),
      cardinality: 0,
      vocabulary: null,
      values,
    };
  }
  const split = Array.from({ length: numRows }, (_, r) => splitValue(spec.values[r], spec.separator));
  // A loop, not Math.max(...): a spread of millions of rows overflows the stack.
  let width = 1;
  for (const values of split) if (values.length > width) width = values.length;
  const ids = new Int32Array(numRows * width);
  let vocabulary: string[] | null = null;
  let cardinality: number;
  if (spec.hashBuckets !== undefined) {
    const buckets = spec.hashBuckets;
    split.forEach((vals, r) => vals.forEach((v, j) => (ids[r * width + j] = 1 + (hashString(v) % buckets))));
    cardinality = buckets + 1;
  } else {
    // Sorted vocabulary: the same values give the same ids whatever the row order.
    vocabulary = [...new Set(split.flat())].sort();
    const index = new Map(vocabulary.map((v, i) => [v, i + 1]));
    split.forEach((vals, r) => vals.forEach((v, j) => (ids[r * width + j] = index.get(v)!)));
    cardinality = vocabulary.length + 1;
  }
  return { name: spec.name, kind: 'categorical', width, ids, cardinality, vocabulary, values: null };
}

/** FNV-1a, 32-bit: stable across runs and platforms, unlike any built-in hash. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
