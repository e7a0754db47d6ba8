/**
 * The stores of a pipeline, laid out as the serving design has them: user and item features,
 * each channel's tables (ItemCF's and UserCF's CF tables, …), item embeddings, and the cluster
 * table (centroid → members). The same tables go to DuckDB (`pipeline.tables()`) and, as
 * Parquet, into the exported bundle, so what a notebook queries is what a server ships.
 */
import { Table } from '../../data';
import type { Embeddings, Recommender } from '../model';
import type { PipelineParts } from './bundle';

/** A model's item embeddings, for the models that have them (`Model.itemEmbeddings`; a Recommender may not). */
export function embeddingsOf(model: Recommender): Embeddings | null {
  return (model as Partial<{ itemEmbeddings(): Embeddings | null }>).itemEmbeddings?.() ?? null;
}

/** Every store by name (`channel.table` for a channel's own), in the order the bundle writes them. */
export function pipelineStores(parts: PipelineParts): Map<string, Table> {
  const stores = new Map<string, Table>([
    ['user_features', userFeatures(parts)],
    ['item_features', itemFeatures(parts)],
  ]);
  for (const c of parts.channels) {
    const items = c.model.train.itemNames;
    const e = embeddingsOf(c.model);
    if (e)
      stores.set(
        `${c.name}.item_embeddings`,
        Table.fromColumns(matrixColumns(e.data, e.dim, 'e', { item: [...items] })),
      );
    for (const [table, rows] of Object.entries(c.model.tables())) stores.set(`${c.name}.${table}`, rows);
    if (c.index) {
      const { offsets, members, centroids, dim } = c.index;
      const cluster = new Int32Array(members.length);
      for (let k = 0; k < offsets.length - 1; k++) cluster.fill(k, offsets[k], offsets[k + 1]);
      stores.set(
        `${c.name}.clusters`,
        Table.fromColumns({
          cluster,
          position: Int32Array.from(members, (_, at) => at),
          member: members,
          item: Array.from(members, (i) => items[i]),
        }),
      );
      stores.set(
        `${c.name}.centroids`,
        Table.fromColumns(
          matrixColumns(centroids, dim, 'c', {
            cluster: Int32Array.from({ length: offsets.length - 1 }, (_, k) => k),
          }),
        ),
      );
    }
  }
  if (parts.categories.size)
    stores.set(
      'item_categories',
      Table.fromColumns({ item: [...parts.categories.keys()], category: [...parts.categories.values()] }),
    );
  if (parts.filters.available) stores.set('available', Table.fromColumns({ item: parts.filters.available }));
  return stores;
}

/**
 * Per user of the pipeline's training data: interactions, distinct items, the last time (when
 * the data has times) and the category they interact with most (when categories are known).
 */
function userFeatures({ train, categories }: PipelineParts): Table {
  const { indptr, indices } = train.byUser;
  const users = train.numUsers;
  const columns: Record<string, string[] | Int32Array | Float64Array | (string | null)[]> = {
    user: [...train.userNames],
    interactions: new Int32Array(users),
    items: Int32Array.from({ length: users }, (_, u) => indptr[u + 1] - indptr[u]),
  };
  const interactions = columns.interactions as Int32Array;
  for (const u of train.users) interactions[u]++;
  const times = train.timestamps;
  if (times) {
    const last = new Float64Array(users).fill(-Infinity);
    for (let r = 0; r < times.length; r++) last[train.users[r]] = Math.max(last[train.users[r]], times[r]);
    columns.last_time = last;
  }
  if (categories.size) {
    const itemCategory = train.itemNames.map((name) => categories.get(name) ?? null);
    columns.top_category = Array.from({ length: users }, (_, u) => {
      const counts = new Map<string, number>();
      let best: string | null = null;
      for (let p = indptr[u]; p < indptr[u + 1]; p++) {
        const c = itemCategory[indices[p]];
        if (c === null) continue;
        const n = (counts.get(c) ?? 0) + 1;
        counts.set(c, n);
        if (best === null || n > counts.get(best)! || (n === counts.get(best) && c < best)) best = c;
      }
      return best;
    });
  }
  return Table.fromColumns(columns);
}

/** Per item of the catalogue: its title and category where known, and how many users have it. */
function itemFeatures({ train, categories }: PipelineParts): Table {
  const columns: Record<string, string[] | Int32Array | (string | null)[]> = { item: [...train.itemNames] };
  if (train.itemTitles) columns.title = train.itemNames.map((_, i) => train.itemTitle(i));
  if (categories.size) columns.category = train.itemNames.map((name) => categories.get(name) ?? null);
  columns.users = train.itemCounts();
  return Table.fromColumns(columns);
}

/** A row-major matrix as columns `<prefix>0 … <prefix>{dim-1}` after `first`. */
function matrixColumns(
  data: Float32Array,
  dim: number,
  prefix: string,
  first: Record<string, string[] | Int32Array>,
): Record<string, string[] | Int32Array | Float32Array> {
  const columns: Record<string, string[] | Int32Array | Float32Array> = { ...first };
  const rows = data.length / dim;
  for (let d = 0; d < dim; d++)
    columns[`${prefix}${d}`] = Float32Array.from({ length: rows }, (_, r) => data[r * dim + d]);
  return columns;
}
