/**
 * What `rl.pipeline` takes, checked: a message names the option that is wrong and what it must
 * be, before anything is built.
 */
import type { Table } from '../../data';
import { TASKS, type Task } from '../data/ranking-samples';
import { ClusterIndex } from '../indexes/cluster-index';
import { Model, type Recommender } from '../model';
import type { Ranker, ScoreOptions } from '../models/ranking';
import type { MostPopular } from '../models/retrieval/most-popular';
import { TwoTower } from '../models/retrieval/two-tower';
import { closestNames } from '../names';

export interface ChannelOptions {
  model: Recommender;
  /** Candidates this channel gives per request (default {@link DEFAULT_QUOTA}). */
  quota?: number;
  /** A ClusterIndex over a TwoTower's item embeddings, searched instead of scoring every item. */
  index?: ClusterIndex;
}

/** Item → category: a table with `item` and `category` columns, or a Map from item name to category. */
export type CategorySource = Table | ReadonlyMap<string, string>;

export interface PipelineFilters {
  /** Leave out the items the user already has in any channel's training data (default true). */
  seen?: boolean;
  /** Only these items may be shown: a table whose `item` column (or first column) names them, a list or a set. */
  available?: Table | readonly (string | number)[] | ReadonlySet<string>;
  /** At most this many items of one category in a list (needs `categories`, or a ranker that knows them). */
  perCategory?: number;
}

export interface PipelineOptions {
  /**
   * The retrieval channels by name: `{ itemcf: { model, quota: 100 }, tower: { model, index } }`,
   * or `{ itemcf: model }` with the default quota.
   */
  channels: Readonly<Record<string, Recommender | ChannelOptions>>;
  /** Orders the merged candidates; without one, by how many channels found them, then the best rank. */
  ranker?: Ranker;
  /** What the ranker scores: one task, or weights over tasks (`{ click: 1, buy: 10 }`). Default: its first task. */
  objective?: Task | Partial<Record<Task, number>>;
  /** Items per list (default 10). */
  k?: number;
  filters?: PipelineFilters;
  /** Item categories, for `perCategory` and cold-start `interests`; default: the ranker's. */
  categories?: CategorySource;
  /** For users no channel knows and cold starts; default MostPopular on the first channel's training data. */
  fallback?: MostPopular;
}

export const DEFAULT_QUOTA = 100;
export const OPTION_NAMES = ['channels', 'ranker', 'objective', 'k', 'filters', 'categories', 'fallback'];
const CHANNEL_OPTION_NAMES = ['model', 'quota', 'index'];
export const FILTER_NAMES = ['seen', 'available', 'perCategory'];

/** One retrieval channel: a fitted model, how many candidates it gives, and optionally an index to search. */
export interface Channel {
  name: string;
  model: Recommender;
  quota: number;
  index: ClusterIndex | null;
  /** Channel item → pipeline item, -1 where the pipeline's catalogue lacks it. */
  toPipeline: Int32Array;
  /** The index's exclude mask, set to the user's history and cleared after each search. */
  exclude: Uint8Array | null;
}

export function makeChannel(name: string, spec: Recommender | ChannelOptions): Channel {
  const where = `rl.pipeline: channel "${name}"`;
  const given: ChannelOptions =
    spec instanceof Model ? { model: spec } : ((spec as ChannelOptions | null) ?? ({} as ChannelOptions));
  if (typeof given !== 'object')
    throw new Error(`${where} must be a fitted model or { model, quota, index }.`);
  checkNames(given, CHANNEL_OPTION_NAMES, where, 'option');
  const { model, index } = given;
  if (!(model instanceof Model))
    throw new Error(
      `${where}: model must be a fitted retrieval or sequence model (new rl.ItemCF(), …), got ${describe(model)}.`,
    );
  if (!model.isFitted)
    throw new Error(`${where}: ${model.name} is not fitted yet; run await model.fit(train) first.`);
  const quota = checkCount(given.quota ?? DEFAULT_QUOTA, `${where}: quota`);
  if (index !== undefined) {
    if (!(index instanceof ClusterIndex))
      throw new Error(`${where}: index must be an rl.ClusterIndex built from the model's item embeddings.`);
    if (!(model instanceof TwoTower))
      throw new Error(
        `${where}: an index serves a TwoTower channel (it is queried with user embeddings); ${model.name} has none.`,
      );
    const e = model.itemEmbeddings();
    if (e.dim !== index.dim || index.members.length !== model.train.numItems)
      throw new Error(
        `${where}: the index holds ${index.members.length} vectors of ${index.dim} values, but ${model.name} ` +
          `has ${model.train.numItems} items of ${e.dim}; build it from this model: ` +
          'rl.ClusterIndex.build(model.itemEmbeddings().data, model.itemEmbeddings().dim).',
      );
  }
  return { name, model, quota, index: index ?? null, toPipeline: new Int32Array(0), exclude: null };
}

export function checkObjective(objective: PipelineOptions['objective'], ranker: Ranker): ScoreOptions {
  const where = 'rl.pipeline: objective';
  const check = (task: string) => {
    if (!(TASKS as readonly string[]).includes(task) || !ranker.tasks.includes(task as Task))
      throw new Error(
        `${where}: ${ranker.name} does not predict "${task}"; it predicts ${ranker.tasks.join(', ')}.`,
      );
  };
  if (objective === undefined) return {};
  if (typeof objective === 'string') {
    check(objective);
    return { task: objective };
  }
  if (typeof objective !== 'object' || objective === null || !Object.keys(objective).length)
    throw new Error(`${where} must be a task ('click') or weights over tasks ({ click: 1, buy: 10 }).`);
  for (const [task, w] of Object.entries(objective)) {
    check(task);
    if (typeof w !== 'number' || !Number.isFinite(w))
      throw new Error(`${where}: the weight of ${task} must be a finite number, got ${JSON.stringify(w)}.`);
  }
  return { weights: objective };
}

export function checkNames(given: object, allowed: readonly string[], where: string, what: string): void {
  for (const name of Object.keys(given)) {
    if (allowed.includes(name)) continue;
    const near = closestNames(name, allowed, 1);
    throw new Error(
      `${where}: unknown ${what} "${name}"` +
        (near.length ? `; did you mean "${near[0]}"?` : '') +
        ` The ${what}s are ${allowed.join(', ')}.`,
    );
  }
}

export function checkCount(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new Error(`${where} must be a whole number ≥ 1, got ${JSON.stringify(value)}.`);
  return value;
}

function describe(v: unknown): string {
  if (v === undefined || v === null) return String(v);
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return typeof v;
}
