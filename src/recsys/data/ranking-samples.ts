/**
 * Labelled samples for rankers, built from a behaviour log (user, item, category,
 * behaviour, time, as `rl.importTaobao` makes it): each sample is a (user, item) pair at a
 * time, with a label per task and the user's behaviours strictly before that time as its
 * history. Histories are not copied per sample: every user's behaviours are kept once, in
 * time order, and a sample holds where its history ends, so millions of samples with long
 * histories fit in memory.
 */
import type { FeatureSet } from './features';

/** The tasks a ranker predicts: a click (a pv, against sampled unexposed items), a cart or fav, a buy. */
export const TASKS = ['click', 'cart', 'buy'] as const;
export type Task = (typeof TASKS)[number];

/** Behaviour codes in the log, in this order (code = index). */
export const BEHAVIOURS = ['pv', 'cart', 'fav', 'buy'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

/** Every user's behaviours in time order: user u's are positions indptr[u] … indptr[u + 1]. */
export interface BehaviourLog {
  readonly indptr: Int32Array;
  readonly items: Int32Array;
  readonly categories: Int32Array;
  /** Codes into BEHAVIOURS. */
  readonly behaviours: Int32Array;
  readonly times: Float64Array;
}

/** Names of the indices samples use, and the attributes of users and items. */
export interface RankingVocabulary {
  readonly users: readonly string[];
  readonly items: readonly string[];
  readonly categories: readonly string[];
  /** Each item's category index. */
  readonly itemCategory: Int32Array;
  readonly userFeatures: FeatureSet;
  readonly itemFeatures: FeatureSet;
}

export interface RankingSampleParts {
  name: string;
  vocabulary: RankingVocabulary;
  log: BehaviourLog;
  users: Int32Array;
  items: Int32Array;
  categories: Int32Array;
  times: Float64Array;
  /** Per sample: how many of its user's behaviours come strictly before it (its history is the last of those). */
  historyEnds: Int32Array;
  labels: Record<Task, Uint8Array>;
}

export class RankingSamples {
  readonly name: string;
  readonly vocabulary: RankingVocabulary;
  readonly log: BehaviourLog;
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly categories: Int32Array;
  readonly times: Float64Array;
  readonly historyEnds: Int32Array;
  readonly labels: Record<Task, Uint8Array>;

  constructor(parts: RankingSampleParts) {
    const n = parts.users.length;
    const lengths = [
      parts.items,
      parts.categories,
      parts.times,
      parts.historyEnds,
      ...TASKS.map((t) => parts.labels[t]),
    ].map((a) => a.length);
    if (lengths.some((l) => l !== n))
      throw new Error(`RankingSamples: every column must have ${n} values; got ${lengths.join(', ')}.`);
    this.name = parts.name;
    this.vocabulary = parts.vocabulary;
    this.log = parts.log;
    this.users = parts.users;
    this.items = parts.items;
    this.categories = parts.categories;
    this.times = parts.times;
    this.historyEnds = parts.historyEnds;
    this.labels = parts.labels;
  }

  get size(): number {
    return this.users.length;
  }

  /**
   * Fills slots offset … offset + length of the three arrays with sample s's history: the
   * last `length` behaviours of its user before it, oldest first, left-padded; slot values
   * are index + 1 (item, category, behaviour code), 0 for padding. Returns how many are real.
   */
  history(
    s: number,
    length: number,
    items: Int32Array,
    categories: Int32Array,
    behaviours: Int32Array,
    offset: number,
  ): number {
    const u = this.users[s];
    const first = this.log.indptr[u];
    const end = first + this.historyEnds[s];
    const start = Math.max(first, end - length);
    const pad = length - (end - start);
    items.fill(0, offset, offset + pad);
    categories.fill(0, offset, offset + pad);
    behaviours.fill(0, offset, offset + pad);
    for (let p = start, at = offset + pad; p < end; p++, at++) {
      items[at] = this.log.items[p] + 1;
      categories[at] = this.log.categories[p] + 1;
      behaviours[at] = this.log.behaviours[p] + 1;
    }
    return end - start;
  }

  /** The samples at `rows`, sharing the log and vocabulary. */
  subset(rows: Int32Array, name = this.name): RankingSamples {
    const pick = <A extends Int32Array | Float64Array | Uint8Array>(a: A): A => {
      const out = new (a.constructor as new (n: number) => A)(rows.length);
      for (let r = 0; r < rows.length; r++) out[r] = a[rows[r]];
      return out;
    };
    const labels = {} as Record<Task, Uint8Array>;
    for (const t of TASKS) labels[t] = pick(this.labels[t]);
    return new RankingSamples({
      name,
      vocabulary: this.vocabulary,
      log: this.log,
      users: pick(this.users),
      items: pick(this.items),
      categories: pick(this.categories),
      times: pick(this.times),
      historyEnds: pick(this.historyEnds),
      labels,
    });
  }

  /** The share of samples with a positive label for `task`. */
  positiveRate(task: Task): number {
    let n = 0;
    for (const v of this.labels[task]) n += v;
    return this.size ? n / this.size : NaN;
  }

  toString(): string {
    const rates = TASKS.map((t) => `${t} ${(this.positiveRate(t) * 100).toFixed(2)}%`).join(', ');
    return (
      `RankingSamples "${this.name}": ${this.size} samples of ${this.vocabulary.users.length} users ` +
      `and ${this.vocabulary.items.length} items; positives: ${rates}`
    );
  }
}

/** Samples split by time: training before the cut, test from it on. */
export interface RankingSplit {
  name: string;
  train: RankingSamples;
  test: RankingSamples;
  /** What was done, with counts. */
  description: string;
}
