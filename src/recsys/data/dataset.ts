import type { Database, InteractionData, Table } from '../../data';
import { buildCsr, type Csr } from './csr';
import { FeatureSet, type FeatureGroup, type RawFeature } from './features';
import { indexNames, unknownName } from '../names';
import { Sequences } from './sequences';

export type Feedback = 'explicit' | 'implicit';

/** Interactions given column by column; users and items by their original ids. */
export interface InteractionColumns {
  user: ArrayLike<string | number | null>;
  item: ArrayLike<string | number | null>;
  /** Ratings (explicit feedback); without them every interaction counts 1 (implicit). */
  rating?: ArrayLike<number>;
  /** Times of the interactions, any unit that sorts (seconds, ms). */
  timestamp?: ArrayLike<number>;
}

/** Which columns of a table hold what; `rating` and `timestamp` are optional. */
export interface ColumnMapping {
  user: string;
  item: string;
  rating?: string;
  timestamp?: string;
}

export interface DatasetParts {
  userNames: readonly string[];
  itemNames: readonly string[];
  users: Int32Array;
  items: Int32Array;
  values: Float32Array;
  timestamps: Float64Array | null;
  feedback: Feedback;
  itemTitles?: readonly (string | null)[] | null;
  userFeatures?: FeatureSet;
  itemFeatures?: FeatureSet;
  name?: string;
}

/**
 * Interactions between users and items, held as typed arrays: interaction i is
 * (users[i], items[i], values[i], timestamps?.[i]). Users and items are indices 0..n-1;
 * their original ids are kept as names, so `userIndex('nle')` finds a user by name.
 * Splits of a dataset share its index space, names and features, so a model trained on
 * one part scores the other.
 */
export class Dataset {
  readonly name: string;
  readonly userNames: readonly string[];
  readonly itemNames: readonly string[];
  readonly users: Int32Array;
  readonly items: Int32Array;
  /** The rating, or 1 for an implicit event. */
  readonly values: Float32Array;
  readonly timestamps: Float64Array | null;
  readonly feedback: Feedback;
  readonly itemTitles: readonly (string | null)[] | null;
  readonly userFeatures: FeatureSet;
  readonly itemFeatures: FeatureSet;
  private readonly userLookup: Map<string, number>;
  private readonly itemLookup: Map<string, number>;
  private userCsr: Csr | undefined;
  private itemCsr: Csr | undefined;
  private recentRows: { indptr: Int32Array; rows: Int32Array } | undefined;

  constructor(parts: DatasetParts, lookups?: { users: Map<string, number>; items: Map<string, number> }) {
    const n = parts.users.length;
    if (
      parts.items.length !== n ||
      parts.values.length !== n ||
      (parts.timestamps && parts.timestamps.length !== n)
    ) {
      throw new Error('Dataset: users, items, values and timestamps must have the same length.');
    }
    this.name = parts.name ?? 'dataset';
    this.userNames = parts.userNames;
    this.itemNames = parts.itemNames;
    this.users = parts.users;
    this.items = parts.items;
    this.values = parts.values;
    this.timestamps = parts.timestamps;
    this.feedback = parts.feedback;
    this.itemTitles = parts.itemTitles ?? null;
    this.userFeatures = parts.userFeatures ?? FeatureSet.empty(parts.userNames.length);
    this.itemFeatures = parts.itemFeatures ?? FeatureSet.empty(parts.itemNames.length);
    this.userLookup = lookups?.users ?? indexNames(parts.userNames);
    this.itemLookup = lookups?.items ?? indexNames(parts.itemNames);
  }

  get numUsers(): number {
    return this.userNames.length;
  }
  get numItems(): number {
    return this.itemNames.length;
  }
  get numInteractions(): number {
    return this.users.length;
  }

  /** User → items, ascending item index, duplicates merged (largest value kept). */
  get byUser(): Csr {
    return (this.userCsr ??= buildCsr(this.users, this.items, this.values, this.numUsers));
  }

  /** Item → users, the transpose of {@link byUser}. */
  get byItem(): Csr {
    return (this.itemCsr ??= buildCsr(this.items, this.users, this.values, this.numItems));
  }

  /**
   * Each user's interaction rows, most recent first (later rows first without timestamps):
   * user u's are rows[indptr[u] … indptr[u + 1]). Built once, so a user's history costs
   * their own interactions, not a scan of all of them.
   */
  get userRows(): { indptr: Int32Array; rows: Int32Array } {
    if (this.recentRows) return this.recentRows;
    const indptr = new Int32Array(this.numUsers + 1);
    for (const u of this.users) indptr[u + 1]++;
    for (let u = 0; u < this.numUsers; u++) indptr[u + 1] += indptr[u];
    const rows = new Int32Array(this.numInteractions);
    const next = indptr.slice(0, this.numUsers);
    for (let r = this.numInteractions - 1; r >= 0; r--) rows[next[this.users[r]]++] = r;
    const t = this.timestamps;
    if (t)
      for (let u = 0; u < this.numUsers; u++)
        rows.subarray(indptr[u], indptr[u + 1]).sort((a, b) => t[b] - t[a] || b - a);
    return (this.recentRows = { indptr, rows });
  }

  /** Interactions per item (duplicates counted once). */
  itemCounts(): Int32Array {
    const p = this.byItem.indptr;
    return Int32Array.from({ length: this.numItems }, (_, i) => p[i + 1] - p[i]);
  }

  /** Index of a user by name (its original id); an error listing the closest names when unknown. */
  userIndex(name: string | number): number {
    const u = this.userLookup.get(String(name));
    if (u === undefined) throw unknownName('user', name, this.userNames);
    return u;
  }

  itemIndex(name: string | number): number {
    const i = this.itemLookup.get(String(name));
    if (i === undefined) throw unknownName('item', name, this.itemNames);
    return i;
  }

  /** Index of a user by name, or -1 when unknown: for callers with a path for strangers (a pipeline's fallback). */
  findUser(name: string | number): number {
    return this.userLookup.get(String(name)) ?? -1;
  }

  /** Index of an item by name, or -1 when unknown. */
  findItem(name: string | number): number {
    return this.itemLookup.get(String(name)) ?? -1;
  }

  itemTitle(i: number): string {
    return this.itemTitles?.[i] ?? this.itemNames[i];
  }

  /** The interactions at `rows`, in the same index space (names, features, lookups shared). */
  subset(rows: Int32Array, name = this.name): Dataset {
    const pick = <A extends Int32Array | Float32Array | Float64Array>(a: A): A => {
      const out = new (a.constructor as new (n: number) => A)(rows.length);
      for (let r = 0; r < rows.length; r++) out[r] = a[rows[r]];
      return out;
    };
    return new Dataset(
      {
        ...this.parts(),
        name,
        users: pick(this.users),
        items: pick(this.items),
        values: pick(this.values),
        timestamps: this.timestamps && pick(this.timestamps),
      },
      { users: this.userLookup, items: this.itemLookup },
    );
  }

  /**
   * Each user's items in time order, the latest `maxLen` in a left-padded window, with the
   * item and user attributes coded for embedding (see Sequences): the input of the sequence models.
   */
  sequences(options: { maxLen?: number } = {}): Sequences {
    return new Sequences(this, options.maxLen ?? 50);
  }

  /** Implicit feedback from ratings: the interactions rated at least `minRating`, each counting 1. */
  implicit(minRating = -Infinity): Dataset {
    const keep: number[] = [];
    for (let r = 0; r < this.values.length; r++) if (this.values[r] >= minRating) keep.push(r);
    const sub = this.subset(Int32Array.from(keep));
    return new Dataset(
      { ...sub.parts(), feedback: 'implicit', values: new Float32Array(keep.length).fill(1) },
      { users: this.userLookup, items: this.itemLookup },
    );
  }

  parts(): DatasetParts {
    return {
      name: this.name,
      userNames: this.userNames,
      itemNames: this.itemNames,
      users: this.users,
      items: this.items,
      values: this.values,
      timestamps: this.timestamps,
      feedback: this.feedback,
      itemTitles: this.itemTitles,
      userFeatures: this.userFeatures,
      itemFeatures: this.itemFeatures,
    };
  }

  /** A short summary, as a notebook shows it. */
  toString(): string {
    const density = this.numInteractions / Math.max(1, this.numUsers * this.numItems);
    const groups = (f: FeatureSet) => f.groups.map((g: FeatureGroup) => g.name).join(', ') || 'none';
    return (
      `Dataset "${this.name}": ${this.numUsers} users, ${this.numItems} items, ` +
      `${this.numInteractions} ${this.feedback} interactions ` +
      `(density ${(density * 100).toFixed(3)}%)${this.timestamps ? ', timestamped' : ''}; ` +
      `user features: ${groups(this.userFeatures)}; item features: ${groups(this.itemFeatures)}`
    );
  }

  /**
   * Builds a dataset from interaction columns. Users and items are numbered in order of
   * first appearance; rows with a missing user or item are an error (they cannot be placed).
   */
  static fromInteractions(columns: InteractionColumns, options: { name?: string } = {}): Dataset {
    const n = columns.user.length;
    if (columns.item.length !== n) throw new Error(`Dataset: ${n} users but ${columns.item.length} items.`);
    const users = new Int32Array(n);
    const items = new Int32Array(n);
    const userNames: string[] = [];
    const itemNames: string[] = [];
    const userLookup = new Map<string, number>();
    const itemLookup = new Map<string, number>();
    const place = (
      v: string | number | null,
      names: string[],
      lookup: Map<string, number>,
      what: string,
      row: number,
    ) => {
      if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)))
        throw new Error(`Dataset: row ${row + 1} has no ${what}.`);
      const key = String(v);
      let index = lookup.get(key);
      if (index === undefined) {
        index = names.length;
        names.push(key);
        lookup.set(key, index);
      }
      return index;
    };
    for (let r = 0; r < n; r++) {
      users[r] = place(columns.user[r], userNames, userLookup, 'user', r);
      items[r] = place(columns.item[r], itemNames, itemLookup, 'item', r);
    }
    const values = columns.rating ? Float32Array.from(columns.rating) : new Float32Array(n).fill(1);
    const timestamps = columns.timestamp ? Float64Array.from(columns.timestamp) : null;
    // A missing rating or time (an empty field, NULL) would turn every similarity and split it touches into NaN.
    const finite = (array: Float32Array | Float64Array | null, what: string) => {
      const r = array ? array.findIndex((v) => !Number.isFinite(v)) : -1;
      if (r < 0) return;
      const row = `row ${r + 1} (user ${userNames[users[r]]}, item ${itemNames[items[r]]})`;
      // An infinite value is there, and wrong; NaN is what a missing one becomes.
      throw new Error(
        Number.isNaN(array![r])
          ? `Dataset: ${row} has no ${what}; fill or drop such rows first (e.g. WHERE ${what} IS NOT NULL).`
          : `Dataset: ${row} has ${array![r] > 0 ? '' : 'minus '}infinity as its ${what}; ` +
              `fix or drop such rows first (e.g. WHERE isfinite(${what})).`,
      );
    };
    finite(columns.rating ? values : null, 'rating');
    finite(timestamps, 'timestamp');
    return new Dataset(
      {
        name: options.name,
        userNames,
        itemNames,
        users,
        items,
        values,
        timestamps,
        feedback: columns.rating ? 'explicit' : 'implicit',
      },
      { users: userLookup, items: itemLookup },
    );
  }

  /**
   * Builds a dataset from a table's columns:
   * `Dataset.fromTable(ratings, { user: 'userId', item: 'movieId', rating: 'rating' })`.
   */
  static fromTable(table: Table, mapping: ColumnMapping, options: { name?: string } = {}): Dataset {
    if (table.numRows === 0)
      throw new Error(
        'Dataset: the table has no rows (an empty file, a header without data, or a query that matched ' +
          'nothing), so there is nothing to learn from.',
      );
    const numbers = (name: string) => {
      const c = table.columnInfo(name);
      if (c.type === 'string' || c.type === 'json' || c.type === 'bool') {
        const sample = Array.from({ length: Math.min(3, table.numRows) }, (_, r) =>
          JSON.stringify(c.data[r]),
        );
        throw new Error(
          `Column "${name}" must be numeric or a time, but it is ${c.type} (first values: ${sample.join(', ')}). ` +
            `Convert it in SQL, e.g. TRY_CAST(${name} AS DOUBLE), and drop the rows where that is NULL.`,
        );
      }
      return c.data as ArrayLike<number>;
    };
    return Dataset.fromInteractions(
      {
        user: table.column(mapping.user) as ArrayLike<string | number | null>,
        item: table.column(mapping.item) as ArrayLike<string | number | null>,
        rating: mapping.rating ? numbers(mapping.rating) : undefined,
        timestamp: mapping.timestamp ? numbers(mapping.timestamp) : undefined,
      },
      options,
    );
  }

  /** Builds a dataset from a SQL query's result. */
  static async fromQuery(
    db: Database,
    sql: string,
    mapping: ColumnMapping,
    options: { name?: string } = {},
  ): Promise<Dataset> {
    return Dataset.fromTable(await db.query(sql), mapping, options);
  }

  /**
   * Builds a dataset from an importer's result (`rl.importMovieLens`, `rl.importTaobao`):
   * interactions, item titles, and every other column of the item and user tables as a
   * feature group (or only those named), multi-valued ones split.
   */
  static fromData(
    data: InteractionData,
    options: { itemFeatures?: string[]; userFeatures?: string[] } = {},
  ): Dataset {
    const t = data.interactions;
    const has = (name: string) => t.columnNames.includes(name);
    let d = Dataset.fromTable(
      t,
      {
        user: 'user',
        item: 'item',
        rating: has('rating') ? 'rating' : undefined,
        timestamp: has('timestamp') ? 'timestamp' : undefined,
      },
      { name: data.name },
    );
    const side = (
      table: Table | null,
      key: string,
      lookup: Map<string, number>,
      rows: number,
      names: string[] | undefined,
    ) => {
      if (!table) return null;
      const at = new Int32Array(table.numRows).fill(-1);
      const ids = table.column(key);
      for (let r = 0; r < table.numRows; r++) at[r] = lookup.get(String(ids[r])) ?? -1;
      const spread = (column: string): RawFeature[] => {
        const out: RawFeature[] = new Array(rows).fill(null);
        const values = table.column(column);
        for (let r = 0; r < table.numRows; r++) if (at[r] >= 0) out[at[r]] = values[r] as RawFeature;
        return out;
      };
      const features = names ?? table.columnNames.filter((c) => c !== key && c !== 'title');
      return {
        spread,
        features: FeatureSet.encode(
          rows,
          features.map((name) => ({ name, values: spread(name), separator: data.multiValued[name] })),
        ),
      };
    };
    const items = side(data.items, 'item', d.itemLookup, d.numItems, options.itemFeatures);
    if (items) {
      const titles = data.items!.columnNames.includes('title')
        ? (items.spread('title') as (string | null)[])
        : null;
      d = d.withItems(titles, items.features);
    }
    const users = side(data.users, 'user', d.userLookup, d.numUsers, options.userFeatures);
    return users ? d.withUsers(users.features) : d;
  }

  /** The same interactions with item titles and features attached (indexed by item). */
  withItems(titles: readonly (string | null)[] | null, features?: FeatureSet): Dataset {
    return new Dataset(
      { ...this.parts(), itemTitles: titles, itemFeatures: features ?? this.itemFeatures },
      { users: this.userLookup, items: this.itemLookup },
    );
  }

  withUsers(features: FeatureSet): Dataset {
    return new Dataset(
      { ...this.parts(), userFeatures: features },
      { users: this.userLookup, items: this.itemLookup },
    );
  }
}
