/**
 * The one shape of every model (like `implicit` and RecBole): fit on a training Dataset,
 * then recommend for a user by name, in batches, find similar items, save and load.
 *
 * To write a model, extend {@link Model}, declare its settings once as a
 * {@link SettingsSchema} (type, bounds, default) and pass its name and schema to `super`:
 * the constructor and `fit` check what they are given against it. Then implement:
 * - `fitModel(train, ctx)`: learn from `train` with the settings in `this.config` (CSR in
 *   `train.byUser` / `train.byItem`, side features in `train.userFeatures` /
 *   `train.itemFeatures`). Call `ctx.begin(epochs)`,
 *   then `await ctx.epoch(loss, metrics)` after each epoch and `await ctx.pause()` inside
 *   long loops: that draws the progress bar, records the history and stops the fit when
 *   the cell is interrupted (it throws; let it propagate).
 * - `scoreUser(u, out)`: a score for every item (out.length = numItems); higher is better.
 *   Override `scoreUsers(users, out)` when a batch is cheaper (one matrix product).
 * - `state()` / `restore(state)`: settings as JSON and typed arrays (embedding matrices as
 *   Float32Array, row-major) for save/load; `restore` runs after `train` is set.
 * Optionally: `itemEmbeddings()` (gives similarItems by cosine and "nearest history item"
 * reasons for free), `reason(u, item)`, `similarItemScores(i, out)`, `tables()`.
 * Add the model to `registry.ts` so `loadModel`, the bench and the docs see it.
 */
import { Table, type ColumnData, type Database } from '../data';
import type { Dataset } from './data/dataset';
import { readModel, writeModel, type ModelState } from './store';
import { TopK } from './top-k';
import { TrainingContext, type FitOptions, type History } from './engine/training';
import { checkSettings, defaults, fitSettings, fitWith, type SettingsSchema } from './engine/settings';
import { sampleRows } from './engine/sample-rows';

export interface RecommendOptions {
  /** How many items (default 10). */
  k?: number;
  /** Leave out what the user already has in the training data (default true). */
  excludeSeen?: boolean;
}

/** Top-k lists of several users: row r of `items`/`scores` (k wide) belongs to `users[r]`; -1 pads short lists. */
export interface TopKLists {
  users: Int32Array;
  k: number;
  items: Int32Array;
  scores: Float32Array;
}

/** A row-major matrix of `rows` vectors of `dim` numbers. */
export interface Embeddings {
  data: Float32Array;
  dim: number;
}

export interface Recommender {
  readonly name: string;
  readonly isFitted: boolean;
  /** The data the model was fitted on (names, features, seen items). */
  readonly train: Dataset;
  fit(train: Dataset, options?: FitOptions): Promise<History>;
  recommend(user: string | number, options?: RecommendOptions): Recommendations;
  recommendBatch(users: Int32Array | readonly (string | number)[], options?: RecommendOptions): TopKLists;
  /** Full scores of `users` (users.length × numItems, row-major) into `out`; for evaluation. */
  scoreUsers(users: Int32Array, out: Float32Array): void;
  similarItems(item: string | number, k?: number): Table;
  /** The user's training interactions, most recent first. */
  history(user: string | number): Table;
  /** The model's own tables (ItemCF's similarity table, …), by name. */
  tables(): Record<string, Table>;
  save(dir: string): Promise<void>;
}

/** A top-k list as a table (rank, item, title, score, reason), with the user's history beside it. */
export class Recommendations extends Table {
  constructor(
    columns: ConstructorParameters<typeof Table>[0],
    readonly user: string,
    readonly history: Table,
  ) {
    super(columns);
  }
}

/** Puts `tables` into DuckDB as `<prefix>_<name>` and returns the names given. */
export async function registerTables(
  db: Database,
  tables: Record<string, Table>,
  prefix: string,
): Promise<string[]> {
  const names: string[] = [];
  for (const [name, table] of Object.entries(tables)) {
    const full = `${prefix}_${name}`;
    await db.register(full, table);
    names.push(full);
  }
  return names;
}

export abstract class Model<Config extends object = Record<string, unknown>> implements Recommender {
  private trained: Dataset | undefined;
  readonly name: string;
  /** The settings in force: the defaults, then the constructor's, then those of the last fit. */
  readonly config: Config;
  /** Whether `fit(train, { resume: true })` can go on from the last fit's state. */
  protected readonly resumable: boolean = false;

  /** `name` is the class's name in `rl` (what `save()` records and messages say). */
  constructor(
    name: string,
    protected readonly schema: SettingsSchema<Config>,
    config: Partial<Config> = {},
  ) {
    this.name = name;
    this.config = { ...defaults(schema), ...checkSettings(schema, config, `new rl.${name}`) };
  }

  protected abstract fitModel(train: Dataset, ctx: TrainingContext): Promise<void>;
  protected abstract scoreUser(u: number, out: Float32Array): void;
  protected abstract state(): ModelState;
  protected abstract restore(state: ModelState): void;

  get isFitted(): boolean {
    return this.trained !== undefined;
  }

  get train(): Dataset {
    if (!this.trained) throw new Error(`${this.name} is not fitted yet: call fit(train) first.`);
    return this.trained;
  }

  async fit(train: Dataset, options: FitOptions = {}): Promise<History> {
    const settings = fitSettings(this.schema, options, `${this.name}.fit`);
    if (options.resume && !this.resumable) {
      // A model with epochs could resume in principle; one without has nothing to continue.
      const why = 'epochs' in this.schema ? 'starts every fit afresh' : 'is computed in one pass';
      throw new Error(
        `${this.name}.fit: resume is for models trained in epochs ` +
          `(it continues from the weights and optimiser state of the last fit); ${this.name} ${why}.`,
      );
    }
    const data = options.sample === undefined ? train : this.sampled(train, options.sample);
    const ctx = new TrainingContext(this.name, options);
    ctx.sampledRows(data.numInteractions, train.numInteractions);
    this.trained = undefined;
    await fitWith(this.config, settings, () => this.fitModel(data, ctx));
    this.trained = data;
    return ctx.finish();
  }

  /** `fit(train, { sample })`'s interactions; the model is what it learnt from, its seen items the sample's. */
  private sampled(train: Dataset, sample: unknown): Dataset {
    const seed = (this.config as { seed?: unknown }).seed;
    const all = Int32Array.from({ length: train.numInteractions }, (_, i) => i);
    const rows = sampleRows(all, sample, typeof seed === 'number' ? seed : 0, `${this.name}.fit`);
    return rows === all ? train : train.subset(rows);
  }

  scoreUsers(users: Int32Array, out: Float32Array): void {
    const n = this.train.numItems;
    for (let r = 0; r < users.length; r++) this.scoreUser(users[r], out.subarray(r * n, (r + 1) * n));
  }

  recommendBatch(
    users: Int32Array | readonly (string | number)[],
    options: RecommendOptions = {},
  ): TopKLists {
    const train = this.train;
    const ids = users instanceof Int32Array ? users : Int32Array.from(users, (u) => train.userIndex(u));
    const k = options.k ?? 10;
    const items = new Int32Array(ids.length * k);
    const scores = new Float32Array(ids.length * k);
    for (const { index, user, row } of scoredRows(this, ids)) {
      if (options.excludeSeen !== false) excludeSeen(train, user, row);
      topK(row, k, items, scores, index * k);
    }
    return { users: ids, k, items, scores };
  }

  recommend(user: string | number, options: RecommendOptions = {}): Recommendations {
    const train = this.train;
    const u = train.userIndex(user);
    const k = options.k ?? 10;
    const scores = new Float32Array(train.numItems);
    this.scoreUser(u, scores);
    const nan = scores.findIndex(Number.isNaN);
    if (nan >= 0) throw divergedError(this, u, nan);
    if (options.excludeSeen !== false) excludeSeen(train, u, scores);
    const { picked, columns } = rankedItems(train, scores, k, 'score');
    columns.reason = Array.from(picked, (i) => this.reason(u, i));
    return new Recommendations(Table.fromColumns(columns).columns, train.userNames[u], this.history(user));
  }

  history(user: string | number): Table {
    const train = this.train;
    const u = train.userIndex(user);
    const { indptr, rows: recent } = train.userRows;
    const rows = Array.from(recent.subarray(indptr[u], indptr[u + 1]));
    const columns: Record<string, ColumnData> = { item: rows.map((r) => train.itemNames[train.items[r]]) };
    if (train.itemTitles) columns.title = rows.map((r) => train.itemTitles![train.items[r]]);
    columns[train.feedback === 'explicit' ? 'rating' : 'value'] = Float32Array.from(
      rows,
      (r) => train.values[r],
    );
    if (train.timestamps) columns.timestamp = Float64Array.from(rows, (r) => train.timestamps![r]);
    return Table.fromColumns(columns);
  }

  similarItems(item: string | number, k = 10): Table {
    const train = this.train;
    const i = train.itemIndex(item);
    const scores = new Float32Array(train.numItems);
    if (!this.similarItemScores(i, scores)) throw new Error(`${this.name} has no notion of item similarity.`);
    scores[i] = -Infinity;
    return Table.fromColumns(rankedItems(train, scores, k, 'similarity').columns);
  }

  tables(): Record<string, Table> {
    return {};
  }

  /** Puts the model's tables into DuckDB as `<prefix>_<table>` and returns the names given. */
  registerTables(db: Database, prefix = this.name.toLowerCase()): Promise<string[]> {
    return registerTables(db, this.tables(), prefix);
  }

  async save(dir: string): Promise<void> {
    await writeModel(dir, this.name, this.state(), this.train);
  }

  /** Loads a model saved by `save`: `await ItemCF.load(dir)`. */
  static async load<M extends Model<object>>(this: new () => M, dir: string): Promise<M> {
    const model = new this();
    const stored = await readModel(dir, model.name);
    model.adopt(stored.train, stored.state);
    return model;
  }

  /** Takes over a stored model's training data and state. */
  adopt(train: Dataset, state: ModelState): void {
    Object.assign(this.config, state.config);
    this.trained = train;
    this.restore(state);
  }

  /** Scores of every item's similarity to item `i`; false when the model has none. */
  protected similarItemScores(i: number, out: Float32Array): boolean {
    const e = this.itemEmbeddings();
    if (!e) return false;
    cosineToRow(e, i, out);
    return true;
  }

  /** The item embedding matrix (numItems × dim), for models that have one. */
  itemEmbeddings(): Embeddings | null {
    return null;
  }

  /** Why `item` was recommended to user `u`; by default the most similar item in the user's history. */
  protected reason(u: number, item: number): string {
    const e = this.itemEmbeddings();
    if (!e) return '';
    const seen = this.train.byUser;
    let best = -1;
    let bestScore = -Infinity;
    for (let p = seen.indptr[u]; p < seen.indptr[u + 1]; p++) {
      const s = cosine(e, item, seen.indices[p]);
      if (s > bestScore) {
        bestScore = s;
        best = seen.indices[p];
      }
    }
    return best < 0 ? '' : `like ${this.train.itemTitle(best)} (${bestScore.toFixed(2)})`;
  }
}

/** A model that scored an item NaN: its training diverged, and no ranking of it means anything. */
export function divergedError(model: Recommender, u: number, item: number): Error {
  const train = model.train;
  return new Error(
    `${model.name} scored item ${train.itemNames[item]} as NaN for user ${train.userNames[u]}: ` +
      'its training diverged (a loss of NaN?). Fit it again, with a lower learning rate.',
  );
}

/**
 * Every user's full score row, scored in blocks through `scoreUsers` (one block's scores fit
 * in memory whatever the catalogue size). A row is overwritten once the next block is scored.
 */
export function* scoredRows(
  model: Recommender,
  users: Int32Array,
): Generator<{ index: number; user: number; row: Float32Array }> {
  const n = model.train.numItems;
  const block = Math.max(1, Math.min(users.length, Math.floor(4_000_000 / Math.max(1, n))));
  const buffer = new Float32Array(block * n);
  for (let start = 0; start < users.length; start += block) {
    const part = users.subarray(start, Math.min(users.length, start + block));
    model.scoreUsers(part, buffer.subarray(0, part.length * n));
    for (let r = 0; r < part.length; r++)
      yield { index: start + r, user: part[r], row: buffer.subarray(r * n, (r + 1) * n) };
  }
}

/**
 * The k best of `scores`, best first, into `outItems`/`outScores` at `offset` (item -1 pads a
 * short list); -Infinity (an excluded item) and NaN are never picked. Returns how many.
 */
export function topK(
  scores: Float32Array,
  k: number,
  outItems: Int32Array,
  outScores: Float32Array,
  offset = 0,
): number {
  const heap = new TopK(k);
  // Items come in ascending order, so an item tying the threshold would lose to the one held.
  for (let i = 0; i < scores.length; i++) if (scores[i] > heap.threshold) heap.push(i, scores[i]);
  const { ids, scores: best } = heap.take();
  outItems.set(ids, offset);
  outScores.set(best, offset);
  outItems.fill(-1, offset + ids.length, offset + k);
  outScores.fill(NaN, offset + ids.length, offset + k);
  return ids.length;
}

/** Sets the scores of the user's training items to -Infinity. */
export function excludeSeen(train: Dataset, u: number, scores: Float32Array): void {
  const { indptr, indices } = train.byUser;
  for (let p = indptr[u]; p < indptr[u + 1]; p++) scores[indices[p]] = -Infinity;
}

function cosine(e: Embeddings, a: number, b: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < e.dim; d++) {
    const x = e.data[a * e.dim + d];
    const y = e.data[b * e.dim + d];
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

function cosineToRow(e: Embeddings, i: number, out: Float32Array): void {
  for (let j = 0; j < out.length; j++) out[j] = cosine(e, i, j);
}

/** The k best-scored items as table columns: rank, item, title (when known), then the score under `scoreName`. */
function rankedItems(
  train: Dataset,
  scores: Float32Array,
  k: number,
  scoreName: string,
): { picked: Int32Array; columns: Record<string, ColumnData> } {
  const items = new Int32Array(k);
  const top = new Float32Array(k);
  const found = topK(scores, k, items, top);
  const picked = items.subarray(0, found);
  const columns: Record<string, ColumnData> = {
    rank: Int32Array.from({ length: found }, (_, r) => r + 1),
    item: Array.from(picked, (i) => train.itemNames[i]),
  };
  if (train.itemTitles) columns.title = Array.from(picked, (i) => train.itemTitles![i]);
  columns[scoreName] = top.slice(0, found);
  return { picked, columns };
}
