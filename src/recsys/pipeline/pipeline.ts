/**
 * A recommendation pipeline as the design's serving path runs it: several fitted retrieval
 * (or sequence) models each find a quota of candidates, the candidates are merged once each
 * (remembering which channels found them, at what rank), filtered (seen, available), ranked
 * by a Ranker and capped per category; the top k come back with a reason naming the channels.
 * Users no channel knows, and users who state interests, get the most popular items (of
 * those interests). It is a Recommender, so the top-10 widget and `rl.evaluate` take it.
 *
 * Retrieval models and rankers live in different index spaces (a Dataset's, a behaviour
 * log's vocabulary); item and user names are the bridge. Every map between them is built
 * once, here, as typed arrays or Maps, because `recommend` runs per request.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Table, cellValue, type ColumnData, type Database } from '../../data';
import type { Dataset } from '../data/dataset';
import type { FitOptions, History } from '../engine/training';
import {
  Recommendations,
  registerTables,
  topK,
  type RecommendOptions,
  type Recommender,
  type TopKLists,
} from '../model';
import type { Ranker, ScoreOptions } from '../models/ranking';
import { MostPopular } from '../models/retrieval/most-popular';
import type { TwoTower } from '../models/retrieval/two-tower';
import { closestNames, indexNames } from '../names';
import {
  FILTER_NAMES,
  OPTION_NAMES,
  checkCount,
  checkNames,
  checkObjective,
  makeChannel,
  type CategorySource,
  type Channel,
  type PipelineFilters,
  type PipelineOptions,
} from './pipeline-options';
import { writeBundle, type BundleManifest, type ExportOptions, type PipelineParts } from './bundle';
import { pipelineStores } from './stores';
import { servingHost, type PipelineServer, type ServeOptions } from './serving-host';

export interface PipelineRecommendOptions extends RecommendOptions {
  /** Categories the user chose (cold start): the most popular items of these, ranked. */
  interests?: readonly string[];
}

/** Mean milliseconds per request of each stage since the last `resetLatency()`. */
export interface PipelineLatency {
  requests: number;
  retrieval: number;
  merge: number;
  ranking: number;
}

/** How a list's candidates were found: by channels, by the fallback for an unknown user, or by interests. */
type Source = { kind: 'channels' } | { kind: 'fallback' } | { kind: 'interests'; categories: string[] };

/** The merged, filtered candidates of one request, in retrieval order. */
interface Candidates {
  source: Source;
  count: number;
  items: Int32Array;
  /** count × channels: the 1-based rank at which each channel found each candidate, 0 if it did not. */
  ranks: Int32Array;
  /** Channels that found each candidate. */
  votes: Int32Array;
  best: Int32Array;
}

/** One request's final list. */
interface Ranked {
  candidates: Candidates;
  /** Positions into the candidates, best first. */
  order: Int32Array;
  scores: Float32Array;
  /** Per position: whether the ranker scored it (false: the ranker does not know the user or item). */
  rankedBy: Uint8Array;
  userKnownToRanker: boolean;
}

export function pipeline(options: PipelineOptions): Pipeline {
  return new Pipeline(options);
}

export class Pipeline implements Recommender {
  readonly name = 'Pipeline';
  readonly k: number;
  readonly channelNames: readonly string[];
  private readonly channels: Channel[];
  private readonly ranker: Ranker | null;
  private readonly scoreOptions: ScoreOptions;
  private readonly objectiveLabel: string;
  private readonly objective: PipelineOptions['objective'];
  private readonly seenFilter: boolean;
  private readonly perCategory: number;
  private base: Dataset;
  private fallback: MostPopular;
  /** Pipeline item → ranker item, -1 where the ranker does not know it. */
  private rankerItems: Int32Array = new Int32Array(0);
  private rankerUsers: Map<string, number> = new Map();
  /** Pipeline item → allowed (1); null when every item may be shown. */
  private allowed: Uint8Array | null = null;
  private readonly availableSource: PipelineFilters['available'];
  private readonly categorySource: CategorySource | undefined;
  /** Pipeline item → category index, -1 unknown; categoryNames by index. */
  private itemCategory: Int32Array = new Int32Array(0);
  private categoryNames: string[] = [];
  private categoryIndex: Map<string, number> = new Map();
  // Per-request scratch over the catalogue, cleared after each use (one allocation per pipeline).
  private slot: Int32Array = new Int32Array(0);
  private seen: Uint8Array = new Uint8Array(0);
  private readonly time = new Float64Array(3);
  private requests = 0;

  constructor(options: PipelineOptions) {
    const where = 'rl.pipeline';
    if (options === null || typeof options !== 'object')
      throw new Error(
        `${where}: pass an options object: rl.pipeline({ channels: { itemcf: model }, k: 10 }).`,
      );
    checkNames(options as object, OPTION_NAMES, where, 'option');
    const { channels } = options;
    if (!channels || typeof channels !== 'object' || !Object.keys(channels).length)
      throw new Error(
        `${where}: channels is required: name at least one fitted model, ` +
          'e.g. { channels: { itemcf: { model: itemcf, quota: 100 } } }.',
      );
    this.channels = Object.entries(channels).map(([name, spec]) => makeChannel(name, spec));
    this.channelNames = this.channels.map((c) => c.name);
    this.k = checkCount(options.k ?? 10, `${where}: k`);
    this.base = this.channels[0].model.train;

    if (options.fallback !== undefined && !(options.fallback instanceof MostPopular))
      throw new Error(
        `${where}: fallback must be a fitted rl.MostPopular (it ranks items without knowing the user).`,
      );
    if (options.fallback && !options.fallback.isFitted)
      throw new Error(
        `${where}: the fallback MostPopular is not fitted; run await fallback.fit(train) first.`,
      );
    this.fallback = options.fallback ?? MostPopular.fitted(this.base);

    const filters = options.filters ?? {};
    checkNames(filters, FILTER_NAMES, `${where}: filters`, 'filter');
    if (filters.seen !== undefined && typeof filters.seen !== 'boolean')
      throw new Error(`${where}: filters.seen must be true or false, got ${JSON.stringify(filters.seen)}.`);
    this.seenFilter = filters.seen ?? true;
    this.perCategory =
      filters.perCategory === undefined
        ? Infinity
        : checkCount(filters.perCategory, `${where}: filters.perCategory`);
    this.availableSource = filters.available;
    this.categorySource = options.categories;

    this.ranker = options.ranker ?? null;
    if (this.ranker) {
      const r = this.ranker;
      if (typeof r.scoreItems !== 'function')
        throw new Error(`${where}: ranker must be a fitted ranker (rl.MMoE, rl.DIN, …) with scoreItems.`);
      if (!r.isFitted)
        throw new Error(
          `${where}: the ranker ${r.name} is not fitted; run await ranker.fit(rankingSplit.train) first.`,
        );
      if (!r.vocabulary)
        throw new Error(
          `${where}: the ranker ${r.name} does not say which users and items it knows (vocabulary).`,
        );
    }
    const objective = options.objective;
    this.objective = objective;
    if (objective !== undefined && !this.ranker)
      throw new Error(
        `${where}: objective weighs a ranker's tasks; give a ranker too, or leave objective out.`,
      );
    this.scoreOptions = this.ranker ? checkObjective(objective, this.ranker) : {};
    this.objectiveLabel =
      typeof objective === 'object'
        ? Object.entries(objective)
            .map(([t, w]) => `${t}×${w}`)
            .join(' + ')
        : (objective ?? this.ranker?.tasks[0] ?? '');
    this.index();
  }

  /** Each channel's quota, by channel name. */
  get quotas(): Record<string, number> {
    return Object.fromEntries(this.channels.map((c) => [c.name, c.quota]));
  }

  get isFitted(): boolean {
    return this.channels.every((c) => c.model.isFitted);
  }

  /** The first channel's training data: the pipeline's users and items are numbered as there. */
  get train(): Dataset {
    return this.base;
  }

  /** Fits every channel (and the default fallback) on `train`; the ranker, fitted on ranking samples, is kept. */
  async fit(train: Dataset, options: FitOptions = {}): Promise<History> {
    const indexed = this.channels.find((c) => c.index);
    if (indexed)
      throw new Error(
        `Pipeline.fit: channel "${indexed.name}" searches a ClusterIndex built from its old embeddings; ` +
          'fit its model, build the index again and make a new pipeline.',
      );
    let first: History | undefined;
    for (const c of this.channels) {
      const history = await c.model.fit(train, options);
      first ??= history;
    }
    this.base = train;
    this.fallback = MostPopular.fitted(train, this.fallback.config);
    this.index();
    return first!;
  }

  recommend(user: string | number, options: PipelineRecommendOptions = {}): Recommendations {
    const ranked = this.run(String(user), options, options.k ?? this.k);
    const { candidates, order } = ranked;
    const items = Int32Array.from(order, (p) => candidates.items[p]);
    const columns: Record<string, ColumnData> = {
      rank: Int32Array.from(order, (_, r) => r + 1),
      item: Array.from(items, (i) => this.base.itemNames[i]),
    };
    if (this.base.itemTitles) columns.title = Array.from(items, (i) => this.base.itemTitle(i));
    columns.score = ranked.scores;
    columns.channels = Array.from(order, (p) => this.foundBy(candidates, p).join(', '));
    columns.reason = Array.from(order, (p, r) => this.reason(ranked, p, r));
    return new Recommendations(Table.fromColumns(columns).columns, String(user), this.history(user));
  }

  recommendBatch(
    users: Int32Array | readonly (string | number)[],
    options: RecommendOptions = {},
  ): TopKLists {
    const names =
      users instanceof Int32Array ? Array.from(users, (u) => this.base.userNames[u]) : users.map(String);
    const k = options.k ?? this.k;
    const items = new Int32Array(names.length * k).fill(-1);
    const scores = new Float32Array(names.length * k).fill(NaN);
    names.forEach((name, r) => {
      const { candidates, order, scores: s } = this.run(name, options, k);
      for (let t = 0; t < order.length; t++) items[r * k + t] = candidates.items[order[t]];
      scores.set(s, r * k);
    });
    const ids = users instanceof Int32Array ? users : Int32Array.from(names, (n) => this.base.findUser(n));
    return { users: ids, k, items, scores };
  }

  /**
   * The final order as scores (the first item highest), every item the pipeline would not show
   * -Infinity: what `rl.evaluate` ranks, so a pipeline is measured as a model is.
   */
  scoreUsers(users: Int32Array, out: Float32Array): void {
    const n = this.base.numItems;
    out.fill(-Infinity);
    for (let r = 0; r < users.length; r++) {
      const { candidates, order } = this.run(this.base.userNames[users[r]], {}, Infinity);
      for (let t = 0; t < order.length; t++) out[r * n + candidates.items[order[t]]] = order.length - t;
    }
  }

  /** The merged, filtered candidates of a user (pipeline item indices, in retrieval order): what ranking sees. */
  retrieve(user: string | number, options: PipelineRecommendOptions = {}): Int32Array {
    const candidates = this.gather(String(user), options);
    return candidates.items.slice(0, candidates.count);
  }

  similarItems(item: string | number, k = 10): Table {
    // The first channel with a notion of similarity answers; ItemCF and the embedding models have one.
    let last: unknown;
    for (const c of this.channels) {
      try {
        return c.model.similarItems(item, k);
      } catch (e) {
        last = e;
      }
    }
    throw last;
  }

  history(user: string | number): Table {
    for (const c of this.channels) if (c.model.train.findUser(user) >= 0) return c.model.history(user);
    return Table.fromColumns({ item: [] as string[] });
  }

  /**
   * The stores as the serving design lays them out: `user_features`, `item_features`, each
   * channel's tables as `<channel>_<table>` (the CF tables, `item_embeddings`, `clusters` and
   * `centroids`), `item_categories` and `available`: the tables the exported bundle holds.
   */
  tables(): Record<string, Table> {
    return Object.fromEntries(
      [...pipelineStores(this.parts())].map(([name, t]) => [name.replace('.', '_'), t]),
    );
  }

  /** Puts {@link tables} into DuckDB as `<prefix>_<name>` and returns the names given. */
  registerTables(db: Database, prefix = 'pipeline'): Promise<string[]> {
    return registerTables(db, this.tables(), prefix);
  }

  /** The same as {@link export}: a pipeline saves as a bundle, which `rl.loadPipeline(dir)` reads. */
  async save(dir: string): Promise<void> {
    await this.export(dir);
  }

  /**
   * Writes a versioned bundle for serving (`reclab serve-model`): every model by its own save, the
   * stores as Parquet, a manifest with checksums. Read it back with `rl.loadPipeline(dir)`.
   */
  async export(dir: string, options: ExportOptions = {}): Promise<BundleManifest> {
    return writeBundle(this.parts(), dir, options);
  }

  /**
   * Exports the pipeline as a bundle (to `bundle`, or a new temporary folder) and serves it over
   * HTTP from this process with the routes of `reclab serve-model`. The server answers from the
   * bundle, so later fits in the notebook change nothing until the next export and `reload()`.
   * It stops with `stop()` or when the kernel restarts.
   */
  async serve(options: ServeOptions): Promise<PipelineServer> {
    const start = servingHost();
    const { bundle, ...rest } = options;
    const dir = bundle ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-pipeline-')));
    await this.export(dir);
    return start(dir, rest);
  }

  /** What the bundle writer needs: the parts as built, the filters resolved to item names. */
  private parts(): PipelineParts {
    const categories = new Map<string, string>();
    this.itemCategory.forEach((c, i) => {
      if (c >= 0) categories.set(this.base.itemNames[i], this.categoryNames[c]);
    });
    const allowed = this.allowed;
    return {
      channels: this.channels.map(({ name, model, quota, index }) => ({ name, model, quota, index })),
      ranker: this.ranker,
      objective: this.objective,
      k: this.k,
      filters: {
        seen: this.seenFilter,
        perCategory: this.perCategory === Infinity ? null : this.perCategory,
        available: allowed ? this.base.itemNames.filter((_, i) => allowed[i]) : null,
      },
      categories,
      fallback: this.fallback,
      train: this.base,
    };
  }

  /** Mean milliseconds per request of retrieval, merge + filter, and ranking. */
  latency(): PipelineLatency {
    const n = Math.max(1, this.requests);
    return {
      requests: this.requests,
      retrieval: this.time[0] / n,
      merge: this.time[1] / n,
      ranking: this.time[2] / n,
    };
  }

  /** Milliseconds spent in each stage since the last `resetLatency()`, summed: a server diffs them per request. */
  stageTotals(): { retrieval: number; merge: number; ranking: number } {
    return { retrieval: this.time[0], merge: this.time[1], ranking: this.time[2] };
  }

  /** Whether any channel knows the user; when none does, `recommend` answers from the fallback. */
  knows(user: string | number): boolean {
    return this.channels.some((c) => c.model.train.findUser(user) >= 0);
  }

  resetLatency(): void {
    this.time.fill(0);
    this.requests = 0;
  }

  /** Builds every map that depends on the catalogue (again after a fit). */
  private index(): void {
    const where = 'rl.pipeline';
    const n = this.base.numItems;
    for (const c of this.channels) {
      const names = c.model.train.itemNames;
      c.toPipeline = Int32Array.from(names, (name) => this.base.findItem(name));
      if (!c.toPipeline.some((i) => i >= 0))
        throw new Error(
          `${where}: channel "${c.name}" shares no item with channel "${this.channels[0].name}" ` +
            `(e.g. ${names.slice(0, 3).join(', ')} vs ${this.base.itemNames.slice(0, 3).join(', ')}); ` +
            'fit every channel on data with the same item ids.',
        );
      if (c.index) c.exclude = new Uint8Array(c.model.train.numItems);
    }
    if (this.ranker?.vocabulary) {
      const vocabulary = this.ranker.vocabulary;
      const items = indexNames(vocabulary.items);
      this.rankerItems = Int32Array.from(this.base.itemNames, (name) => items.get(name) ?? -1);
      if (!this.rankerItems.some((i) => i >= 0))
        throw new Error(
          `${where}: the ranker ${this.ranker.name} knows none of the channels' items ` +
            `(it knows ${vocabulary.items.slice(0, 3).join(', ')}…; ` +
            `the channels ${this.base.itemNames.slice(0, 3).join(', ')}…). ` +
            'Fit it on rl.rankingSamples of the behaviour log the retrieval data came from, so item ids match.',
        );
      this.rankerUsers = indexNames(vocabulary.users);
    }
    this.allowed = this.availableSource === undefined ? null : this.availableMask(this.availableSource);
    this.categorize();
    if (this.perCategory !== Infinity && !this.categoryNames.length)
      throw new Error(
        `${where}: filters.perCategory needs item categories: give categories (a table with item and category ` +
          'columns, or a Map item → category), or a ranker that knows them.',
      );
    this.slot = new Int32Array(n).fill(-1);
    this.seen = new Uint8Array(n);
  }

  private availableMask(source: NonNullable<PipelineFilters['available']>): Uint8Array {
    let names: Iterable<string | number>;
    if (source instanceof Table) {
      const column = source.columnNames.includes('item') ? 'item' : source.columnNames[0];
      if (!column)
        throw new Error('rl.pipeline: filters.available is a table without columns; give it an item column.');
      const info = source.columnInfo(column);
      names = Array.from({ length: source.numRows }, (_, r) => String(cellValue(info, r)));
    } else if (source instanceof Set || Array.isArray(source)) names = source as Iterable<string | number>;
    else
      throw new Error(
        'rl.pipeline: filters.available must be a table with an item column, a list or a set of item ids.',
      );
    const mask = new Uint8Array(this.base.numItems);
    let known = 0;
    for (const name of names) {
      const i = this.base.findItem(name);
      if (i >= 0 && !mask[i]) {
        mask[i] = 1;
        known++;
      }
    }
    if (!known)
      throw new Error(
        "rl.pipeline: filters.available names none of the channels' items, so nothing could be shown; " +
          `item ids look like ${this.base.itemNames.slice(0, 3).join(', ')}.`,
      );
    return mask;
  }

  private categorize(): void {
    const n = this.base.numItems;
    this.itemCategory = new Int32Array(n).fill(-1);
    this.categoryNames = [];
    this.categoryIndex = new Map();
    const assign = (item: string, category: string) => {
      const i = this.base.findItem(item);
      if (i < 0) return;
      let c = this.categoryIndex.get(category);
      if (c === undefined) {
        c = this.categoryNames.push(category) - 1;
        this.categoryIndex.set(category, c);
      }
      this.itemCategory[i] = c;
    };
    const source = this.categorySource;
    if (source instanceof Table) {
      for (const column of ['item', 'category'])
        if (!source.columnNames.includes(column))
          throw new Error(
            `rl.pipeline: the categories table has no "${column}" column; its columns are ` +
              `${source.columnNames.join(', ')}. Select them AS item and category.`,
          );
      const items = source.columnInfo('item');
      const categories = source.columnInfo('category');
      for (let r = 0; r < source.numRows; r++)
        assign(String(cellValue(items, r)), String(cellValue(categories, r)));
    } else if (source instanceof Map) {
      for (const [item, category] of source) assign(String(item), String(category));
    } else if (source !== undefined) {
      throw new Error(
        'rl.pipeline: categories must be a table with item and category columns, or a Map item → category.',
      );
    } else if (this.ranker?.vocabulary) {
      const v = this.ranker.vocabulary;
      v.items.forEach((item, i) => assign(item, v.categories[v.itemCategory[i]]));
    }
  }

  /** Times `f` into stage `stage`. */
  private time0<T>(stage: number, f: () => T): T {
    const started = performance.now();
    const result = f();
    this.time[stage] += performance.now() - started;
    return result;
  }

  private run(user: string, options: PipelineRecommendOptions, k: number): Ranked {
    for (const name of Object.keys(options))
      if (!['k', 'excludeSeen', 'interests'].includes(name))
        throw new Error(
          `Pipeline.recommend: unknown option "${name}"; the options are k, excludeSeen and interests.`,
        );
    if (k !== Infinity) checkCount(k, 'Pipeline.recommend: k');
    this.requests++;
    const candidates = this.gather(user, options);
    return this.time0(2, () => this.rank(user, candidates, k));
  }

  /** Retrieval, then merge and filter: the candidates of one request. */
  private gather(user: string, options: PipelineRecommendOptions): Candidates {
    const seenFilter = options.excludeSeen ?? this.seenFilter;
    const interests = options.interests;
    const known = this.channels.map((c) => c.model.train.findUser(user));
    let lists: Int32Array[];
    let source: Source;
    if (interests !== undefined) {
      source = { kind: 'interests', categories: [...interests] };
      lists = [this.time0(0, () => this.popularIn(this.interestCategories(interests)))];
    } else if (known.every((u) => u < 0)) {
      source = { kind: 'fallback' };
      lists = [this.time0(0, () => this.popularIn(null))];
    } else {
      source = { kind: 'channels' };
      lists = this.time0(0, () =>
        this.channels.map((c, ci) =>
          known[ci] < 0 ? new Int32Array(0) : this.search(c, known[ci], seenFilter),
        ),
      );
    }
    return this.time0(1, () => this.merge(source, lists, seenFilter ? known : null));
  }

  /** One channel's top `quota` for channel user `u`, as pipeline items (-1: outside the catalogue). */
  private search(c: Channel, u: number, seenFilter: boolean): Int32Array {
    let found: Int32Array;
    if (c.index) {
      const e = (c.model as TwoTower).userEmbeddings();
      const { indptr, indices } = c.model.train.byUser;
      const exclude = c.exclude!;
      if (seenFilter) for (let p = indptr[u]; p < indptr[u + 1]; p++) exclude[indices[p]] = 1;
      found = c.index.search(e.data.subarray(u * e.dim, (u + 1) * e.dim), c.quota, { exclude }).ids;
      for (let p = indptr[u]; p < indptr[u + 1]; p++) exclude[indices[p]] = 0;
    } else {
      found = c.model.recommendBatch(Int32Array.of(u), { k: c.quota, excludeSeen: seenFilter }).items;
    }
    return Int32Array.from(found, (i) => (i < 0 ? -1 : c.toPipeline[i]));
  }

  /** The fallback's most popular items (of `categories` when given), as many as the largest quota. */
  private popularIn(categories: Set<number> | null): Int32Array {
    const scores = new Float32Array(this.base.numItems);
    this.fallback.scoreUsers(Int32Array.of(0), scores);
    if (categories)
      for (let i = 0; i < scores.length; i++)
        if (!categories.has(this.itemCategory[i])) scores[i] = -Infinity;
    const quota = Math.max(...this.channels.map((c) => c.quota));
    const items = new Int32Array(quota);
    const best = new Float32Array(quota);
    topK(scores, quota, items, best);
    return items;
  }

  private interestCategories(interests: readonly string[]): Set<number> {
    if (!Array.isArray(interests) || !interests.length)
      throw new Error(
        "Pipeline.recommend: interests must be a non-empty list of categories, e.g. ['Comedy'].",
      );
    if (!this.categoryNames.length)
      throw new Error(
        'Pipeline.recommend: interests need item categories; build the pipeline with categories ' +
          '(a table with item and category columns, or a Map), or with a ranker that knows them.',
      );
    return new Set(
      interests.map((name) => {
        const c = this.categoryIndex.get(String(name));
        if (c === undefined) {
          const near = closestNames(String(name), this.categoryNames, 3);
          throw new Error(
            `Pipeline.recommend: no category "${name}"` +
              (near.length ? `; did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : '.'),
          );
        }
        return c;
      }),
    );
  }

  /**
   * Each item once, in order of first appearance (channel by channel, rank by rank), with the
   * rank at which each channel found it; the seen and available filters applied.
   */
  private merge(source: Source, lists: Int32Array[], seenBy: number[] | null): Candidates {
    const width = lists.length;
    const total = lists.reduce((s, l) => s + l.length, 0);
    const items = new Int32Array(total);
    const ranks = new Int32Array(total * width);
    const votes = new Int32Array(total);
    const best = new Int32Array(total);
    if (seenBy) this.markSeen(seenBy, 1);
    const { slot, seen, allowed } = this;
    let count = 0;
    lists.forEach((list, ci) => {
      for (let r = 0; r < list.length; r++) {
        const i = list[r];
        if (i < 0 || seen[i] || (allowed && !allowed[i])) continue;
        let at = slot[i];
        if (at < 0) {
          at = slot[i] = count++;
          items[at] = i;
          best[at] = r + 1;
        }
        if (ranks[at * width + ci] === 0) {
          ranks[at * width + ci] = r + 1;
          votes[at]++;
          if (r + 1 < best[at]) best[at] = r + 1;
        }
      }
    });
    for (let p = 0; p < count; p++) slot[items[p]] = -1;
    if (seenBy) this.markSeen(seenBy, 0);
    return { source, count, items, ranks, votes, best };
  }

  /** Marks (1) or clears (0) the user's training items of every channel that knows the user. */
  private markSeen(users: number[], value: 0 | 1): void {
    this.channels.forEach((c, ci) => {
      const u = users[ci];
      if (u < 0) return;
      const { indptr, indices } = c.model.train.byUser;
      for (let p = indptr[u]; p < indptr[u + 1]; p++) {
        const i = c.toPipeline[indices[p]];
        if (i >= 0) this.seen[i] = value;
      }
    });
  }

  /**
   * Orders the candidates: by the ranker's score when it knows the user (candidates it does not
   * know follow, in retrieval order), else by votes then best rank; then takes k, at most
   * `perCategory` per category. The cap comes after ranking, so it drops the worst of a category.
   */
  private rank(user: string, candidates: Candidates, k: number): Ranked {
    const { count, items, votes, best } = candidates;
    const scores = new Float32Array(count);
    const rankedBy = new Uint8Array(count);
    const positions = Int32Array.from({ length: count }, (_, p) => p);
    const u = this.ranker ? this.rankerUsers.get(user) : undefined;
    if (this.ranker && u !== undefined) {
      const known = positions.filter((p) => this.rankerItems[items[p]] >= 0);
      const scored = this.ranker.scoreItems(
        user,
        Int32Array.from(known, (p) => this.rankerItems[items[p]]),
        this.scoreOptions,
      );
      known.forEach((p, j) => {
        scores[p] = scored[j];
        rankedBy[p] = 1;
      });
      positions.sort(
        (a, b) => rankedBy[b] - rankedBy[a] || (rankedBy[a] ? scores[b] - scores[a] : 0) || a - b,
      );
    } else {
      for (let p = 0; p < count; p++) scores[p] = votes[p];
      positions.sort((a, b) => votes[b] - votes[a] || best[a] - best[b] || a - b);
    }
    const take = Math.min(k, count);
    const order = new Int32Array(take);
    let n = 0;
    if (this.perCategory === Infinity) for (; n < take; n++) order[n] = positions[n];
    else {
      const perCategory = new Map<number, number>();
      for (let t = 0; t < count && n < take; t++) {
        const c = this.itemCategory[items[positions[t]]];
        const used = perCategory.get(c) ?? 0;
        // An item of no known category is not capped: the cap cannot tell what it would crowd.
        if (c >= 0 && used >= this.perCategory) continue;
        perCategory.set(c, used + 1);
        order[n++] = positions[t];
      }
    }
    const finalOrder = order.subarray(0, n);
    return {
      candidates,
      order: finalOrder,
      scores: Float32Array.from(finalOrder, (p) => scores[p]),
      rankedBy: Uint8Array.from(finalOrder, (p) => rankedBy[p]),
      userKnownToRanker: u !== undefined,
    };
  }

  private foundBy(candidates: Candidates, p: number): string[] {
    const { source } = candidates;
    if (source.kind === 'fallback') return ['fallback'];
    if (source.kind === 'interests') return ['interests'];
    const width = this.channels.length;
    const names: string[] = [];
    for (let ci = 0; ci < width; ci++)
      if (candidates.ranks[p * width + ci]) names.push(this.channels[ci].name);
    return names;
  }

  private reason(ranked: Ranked, p: number, r: number): string {
    const { candidates } = ranked;
    const { source } = candidates;
    let found: string;
    if (source.kind === 'fallback')
      found = `popular (#${candidates.best[p]}): fallback, the user is unknown to every channel`;
    else if (source.kind === 'interests') {
      const c = this.itemCategory[candidates.items[p]];
      found = `popular in ${this.categoryNames[c]} (#${candidates.best[p]}): cold start from the chosen interests`;
    } else {
      const width = this.channels.length;
      const parts: string[] = [];
      for (let ci = 0; ci < width; ci++) {
        const rank = candidates.ranks[p * width + ci];
        if (rank) parts.push(`${this.channels[ci].name} (#${rank})`);
      }
      found = `found by ${joinAnd(parts)}`;
    }
    if (!this.ranker) return found;
    if (ranked.rankedBy[r]) return `${found}; ranked ${ranked.scores[r].toFixed(2)} ${this.objectiveLabel}`;
    return ranked.userKnownToRanker
      ? `${found}; not ranked: ${this.ranker.name} does not know this item`
      : `${found}; not ranked: ${this.ranker.name} does not know this user`;
  }
}

function joinAnd(parts: string[]): string {
  return parts.length < 2
    ? parts.join('')
    : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
