import type { Table } from '../../../data';
import { csrHas } from '../../data/csr';
import type { Dataset } from '../../data/dataset';
import { Model } from '../../model';
import {
  cosineNeighbours,
  neighbourTable,
  neighboursFromState,
  neighboursState,
  type Neighbours,
} from '../../linalg/neighbours';
import type { ModelState } from '../../store';
import { TopK } from '../../top-k';
import type { TrainingContext } from '../../engine/training';
import type { SettingsSchema } from '../../engine/settings';

export interface UserCFConfig {
  /** Similar users kept per user (the user similarity table's width). */
  neighbours: number;
  shrink: number;
  binary: boolean;
}

const SCHEMA: SettingsSchema<UserCFConfig> = {
  neighbours: { type: 'int', min: 1, default: 50 },
  shrink: { type: 'number', min: 0, default: 10 },
  binary: { type: 'boolean', default: true },
};

/**
 * User-based collaborative filtering: the user similarity table (user → top-k users);
 * recall takes the user's k most similar users and merges what they interacted with,
 * weighted by similarity.
 */
export class UserCF extends Model<UserCFConfig> {
  private nb: Neighbours = { k: 0, indices: new Int32Array(0), similarities: new Float32Array(0) };

  constructor(config: Partial<UserCFConfig> = {}) {
    super('UserCF', SCHEMA, config);
  }

  protected async fitModel(train: Dataset, ctx: TrainingContext): Promise<void> {
    const c = this.config;
    this.nb = await cosineNeighbours(train.byUser, train.byItem, c.neighbours, c.shrink, c.binary, ctx);
  }

  /** Items no similar user has are not recalled: they score -Infinity, not 0. */
  protected scoreUser(u: number, out: Float32Array): void {
    out.fill(-Infinity);
    const { indptr, indices, data } = this.train.byUser;
    const { k } = this.nb;
    for (let t = 0; t < k; t++) {
      const v = this.nb.indices[u * k + t];
      if (v < 0) break;
      const sim = this.nb.similarities[u * k + t];
      for (let p = indptr[v]; p < indptr[v + 1]; p++) {
        const j = indices[p];
        out[j] = (out[j] === -Infinity ? 0 : out[j]) + sim * (this.config.binary ? 1 : data[p]);
      }
    }
  }

  /** The similar users who interacted with `item`, most similar first. */
  protected override reason(u: number, item: number): string {
    const byItem = this.train.byItem;
    const { k } = this.nb;
    const heap = new TopK(3);
    for (let t = 0; t < k; t++) {
      const v = this.nb.indices[u * k + t];
      if (v < 0) break;
      if (csrHas(byItem, item, v)) heap.push(v, this.nb.similarities[u * k + t]);
    }
    const top = heap.take();
    return top.ids.length
      ? `liked by similar users ${Array.from(top.ids, (v) => this.train.userNames[v]).join(', ')}`
      : '';
  }

  /** user_similarity (user → similar user, similarity, rank). */
  override tables(): Record<string, Table> {
    return { user_similarity: neighbourTable(this.nb, this.train.userNames, 'user', 'similar_user') };
  }

  protected state(): ModelState {
    return neighboursState(this.config, this.nb);
  }

  protected restore(state: ModelState): void {
    this.nb = neighboursFromState(state);
  }
}
