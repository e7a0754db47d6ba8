import { Table } from '../../data';
import type { Dataset } from '../dataset';
import { Model } from '../model';
import { cosineNeighbours, neighbourRows, neighboursFromState, neighboursState, type Neighbours } from '../neighbours';
import type { ModelState } from '../store';
import { TopK } from '../top-k';
import type { TrainingContext } from '../training';

export interface ItemCFConfig {
  /** Neighbours kept per item (the item similarity table's width). */
  neighbours: number;
  /** Added to the cosine's denominator: damps similarities resting on few common users. */
  shrink: number;
  /** Seeds: the user's top-n items by weight (0 = all of them). */
  seeds: number;
  /** Cosine on who interacted (true) or on the rating values. */
  binary: boolean;
}

/**
 * Item-based collaborative filtering, as the design's tables: the user interest table
 * (user → items with weights), the item similarity table (item → top-k items); recall
 * takes the user's top-n items, their k neighbours each, merges by summed weight × similarity.
 */
export class ItemCF extends Model<ItemCFConfig> {
  readonly name = 'ItemCF';
  private nb: Neighbours = { k: 0, indices: new Int32Array(0), similarities: new Float32Array(0) };

  constructor(config: Partial<ItemCFConfig> = {}) {
    super({ neighbours: 100, shrink: 10, seeds: 0, binary: true }, config);
  }

  protected async fitModel(train: Dataset, ctx: TrainingContext): Promise<void> {
    const c = this.config;
    this.nb = await cosineNeighbours(train.byItem, train.byUser, ctx.setting('neighbours', c.neighbours), ctx.setting('shrink', c.shrink), c.binary, ctx);
  }

  /**
   * The user's seed items with their weights: all of them, or the top `seeds` by weight,
   * the most recent first among equals (on implicit data, simply the most recent).
   */
  private seeds(u: number): { items: Int32Array; weights: Float32Array } {
    const { indptr, indices, data } = this.train.byUser;
    const items = indices.subarray(indptr[u], indptr[u + 1]);
    const weights = this.config.binary ? new Float32Array(items.length).fill(1) : data.subarray(indptr[u], indptr[u + 1]);
    const n = this.config.seeds;
    if (!n || items.length <= n) return { items, weights };
    const recency = new Map<number, number>();
    const { indptr: start, rows } = this.train.userRows;
    for (let p = start[u]; p < start[u + 1]; p++) {
      const item = this.train.items[rows[p]];
      if (!recency.has(item)) recency.set(item, p);
    }
    const order = Array.from(items.keys()).sort((a, b) => weights[b] - weights[a] || recency.get(items[a])! - recency.get(items[b])!);
    const picked = order.slice(0, n);
    return { items: Int32Array.from(picked, (p) => items[p]), weights: Float32Array.from(picked, (p) => weights[p]) };
  }

  /** Items no seed reaches are not recalled: they score -Infinity. */
  protected scoreUser(u: number, out: Float32Array): void {
    out.fill(-Infinity);
    const { items, weights } = this.seeds(u);
    const { k, indices, similarities } = this.nb;
    for (let s = 0; s < items.length; s++) {
      const base = items[s] * k;
      for (let t = 0; t < k; t++) {
        const j = indices[base + t];
        if (j < 0) break;
        out[j] = (out[j] === -Infinity ? 0 : out[j]) + weights[s] * similarities[base + t];
      }
    }
  }

  /** Items sharing no user with `i` are not similar at all: -Infinity, so they are never listed. */
  protected override similarItemScores(i: number, out: Float32Array): boolean {
    out.fill(-Infinity);
    const { k, indices, similarities } = this.nb;
    for (let t = 0; t < k && indices[i * k + t] >= 0; t++) out[indices[i * k + t]] = similarities[i * k + t];
    return true;
  }

  /** The seed items that contribute most to `item`'s score. */
  protected override reason(u: number, item: number): string {
    const { items, weights } = this.seeds(u);
    const { k, indices, similarities } = this.nb;
    const heap = new TopK(2);
    for (let s = 0; s < items.length; s++) {
      const base = items[s] * k;
      for (let t = 0; t < k && indices[base + t] >= 0; t++) {
        if (indices[base + t] === item) heap.push(items[s], weights[s] * similarities[base + t]);
      }
    }
    const top = heap.take();
    return top.ids.length ? `because of ${Array.from(top.ids, (i) => this.train.itemTitle(i)).join('; ')}` : '';
  }

  /** user_interest (user → item, weight) and item_similarity (item → neighbour, similarity, rank). */
  override tables(): Record<string, Table> {
    const train = this.train;
    const users: string[] = [];
    const items: string[] = [];
    const weights: number[] = [];
    for (let u = 0; u < train.numUsers; u++) {
      const s = this.seeds(u);
      s.items.forEach((i, p) => (users.push(train.userNames[u]), items.push(train.itemNames[i]), weights.push(s.weights[p])));
    }
    const rows = neighbourRows(this.nb);
    return {
      user_interest: Table.fromColumns({ user: users, item: items, weight: Float32Array.from(weights) }),
      item_similarity: Table.fromColumns({
        item: Array.from(rows.row, (i) => train.itemNames[i]),
        similar_item: Array.from(rows.neighbour, (i) => train.itemNames[i]),
        similarity: rows.similarity,
        rank: rows.rank,
      }),
    };
  }

  protected state(): ModelState {
    return neighboursState(this.config, this.nb);
  }

  protected restore(state: ModelState): void {
    this.nb = neighboursFromState(state);
  }
}
