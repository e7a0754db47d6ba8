/**
 * Approximate top-k by inner product over item embeddings, the way the design's serving
 * path does it: k-means groups the items offline; a query is scored against the centroids
 * first and then only against the members of its `nprobe` best clusters.
 */
import { Random } from '../random';
import { TopK } from '../top-k';

export interface ClusterIndexOptions {
  /** Number of clusters; default √n, the usual balance of centroid scan and member scan. */
  clusters?: number;
  /** Clusters searched per query; default 8 (capped at the number of clusters). */
  nprobe?: number;
  /** Lloyd iterations; default 10. */
  iterations?: number;
  /** k-means trains on at most this many vectors per cluster (a seeded sample); default 64. */
  samplePerCluster?: number;
  seed?: number;
}

export interface SearchResult {
  ids: Int32Array;
  scores: Float32Array;
}

export interface SearchOptions {
  nprobe?: number;
  /** Rows to leave out (for example the items a user has seen): `exclude[id] = 1`. */
  exclude?: Uint8Array;
}

export class ClusterIndex {
  readonly numClusters: number;
  nprobe: number;

  private constructor(
    readonly dim: number,
    /** numClusters × dim. */
    readonly centroids: Float32Array,
    /** Cluster c's members are `members[offsets[c] .. offsets[c + 1])`. */
    readonly offsets: Int32Array,
    readonly members: Int32Array,
    /** The vectors in `members` order, so a cluster's scan reads contiguous memory. */
    private readonly packed: Float32Array,
    nprobe: number,
  ) {
    this.numClusters = offsets.length - 1;
    this.nprobe = nprobe;
  }

  /** One line, as a notebook shows the index: its clusters, their sizes, and how many a search reads. */
  toString(): string {
    let smallest = Infinity;
    let largest = 0;
    for (let c = 0; c < this.numClusters; c++) {
      const size = this.offsets[c + 1] - this.offsets[c];
      smallest = Math.min(smallest, size);
      largest = Math.max(largest, size);
    }
    return (
      `ClusterIndex: ${this.members.length} vectors of ${this.dim} dimensions in ${this.numClusters} clusters ` +
      `(${smallest} to ${largest} members); a search reads the nearest ${this.nprobe}`
    );
  }

  /** Clusters `vectors` (n × dim, row-major). */
  static build(vectors: Float32Array, dim: number, options: ClusterIndexOptions = {}): ClusterIndex {
    const n = checkMatrix(vectors, dim, 'vectors');
    if (n === 0) throw new Error('ClusterIndex.build: there are no vectors to index.');
    if (!Number.isInteger(options.clusters ?? 1) || (options.clusters ?? 1) < 1) {
      throw new Error(`ClusterIndex.build: clusters must be a whole number ≥ 1, got ${options.clusters}.`);
    }
    const numClusters = Math.min(n, options.clusters ?? Math.max(1, Math.round(Math.sqrt(n))));
    const random = new Random(options.seed ?? 42);
    const sampleSize = Math.min(n, numClusters * (options.samplePerCluster ?? 64));
    const sample = sampleRows(vectors, dim, n, sampleSize, random);
    const centroids = kMeans(sample, dim, numClusters, options.iterations ?? 10, random);

    const assignment = new Int32Array(n);
    const norms = squaredNorms(centroids, dim);
    for (let i = 0; i < n; i++) assignment[i] = nearestCentroid(vectors, i * dim, centroids, norms, dim);
    const offsets = new Int32Array(numClusters + 1);
    for (let i = 0; i < n; i++) offsets[assignment[i] + 1]++;
    for (let c = 0; c < numClusters; c++) offsets[c + 1] += offsets[c];
    const fill = offsets.slice(0, numClusters);
    const members = new Int32Array(n);
    for (let i = 0; i < n; i++) members[fill[assignment[i]]++] = i;
    return ClusterIndex.fromClusters(
      vectors,
      dim,
      centroids,
      offsets,
      members,
      Math.min(options.nprobe ?? 8, numClusters),
    );
  }

  /**
   * An index from clusters made before (a pipeline bundle's cluster table): the vectors are
   * packed again in `members` order, so a restored index searches exactly as the one saved.
   */
  static fromClusters(
    vectors: Float32Array,
    dim: number,
    centroids: Float32Array,
    offsets: Int32Array,
    members: Int32Array,
    nprobe: number,
  ): ClusterIndex {
    const n = checkMatrix(vectors, dim, 'vectors');
    const numClusters = offsets.length - 1;
    if (centroids.length !== numClusters * dim || members.length !== n || offsets[numClusters] !== n)
      throw new Error(
        `ClusterIndex.fromClusters: ${numClusters} clusters of ${members.length} members do not fit ` +
          `${n} vectors of ${dim} values and ${centroids.length / dim} centroids.`,
      );
    const packed = new Float32Array(n * dim);
    members.forEach((i, at) => packed.set(vectors.subarray(i * dim, (i + 1) * dim), at * dim));
    return new ClusterIndex(dim, centroids, offsets, members, packed, Math.min(nprobe, numClusters));
  }

  /** The k rows with the largest inner product with `query`, searching `nprobe` clusters. */
  search(query: Float32Array, k: number, options: SearchOptions = {}): SearchResult {
    if (query.length !== this.dim)
      throw new Error(
        `ClusterIndex.search: the query has ${query.length} values, ` +
          `but the index holds ${this.dim}-dimensional vectors.`,
      );
    const nprobe = Math.min(options.nprobe ?? this.nprobe, this.numClusters);
    if (!(nprobe >= 1)) throw new Error(`ClusterIndex.search: nprobe must be ≥ 1, got ${options.nprobe}.`);
    const probe = new TopK(nprobe);
    for (let c = 0; c < this.numClusters; c++)
      probe.push(c, dot(this.centroids, c * this.dim, query, this.dim));
    const best = new TopK(k);
    const exclude = options.exclude;
    for (const c of probe.take().ids) {
      for (let at = this.offsets[c]; at < this.offsets[c + 1]; at++) {
        const id = this.members[at];
        if (exclude && exclude[id]) continue;
        best.push(id, dot(this.packed, at * this.dim, query, this.dim));
      }
    }
    return best.take();
  }
}

/** Exact top-k by inner product: the reference the index is measured against. */
export function exactSearch(
  vectors: Float32Array,
  dim: number,
  query: Float32Array,
  k: number,
  exclude?: Uint8Array,
): SearchResult {
  const n = checkMatrix(vectors, dim, 'vectors');
  if (query.length !== dim)
    throw new Error(
      `exactSearch: the query has ${query.length} values, but the vectors are ${dim}-dimensional.`,
    );
  const best = new TopK(k);
  for (let i = 0; i < n; i++) if (!exclude || !exclude[i]) best.push(i, dot(vectors, i * dim, query, dim));
  return best.take();
}

function checkMatrix(values: Float32Array, dim: number, what: string): number {
  if (!Number.isInteger(dim) || dim < 1)
    throw new Error(`The dimension must be a whole number ≥ 1, got ${dim}.`);
  if (values.length % dim !== 0)
    throw new Error(
      `${what} has ${values.length} values, which is not a whole number of ${dim}-dimensional rows.`,
    );
  return values.length / dim;
}

function dot(m: Float32Array, offset: number, q: Float32Array, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += m[offset + j] * q[j];
  return s;
}

function squaredNorms(m: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(m.length / dim);
  for (let i = 0; i < out.length; i++) out[i] = dot(m, i * dim, m.subarray(i * dim, (i + 1) * dim), dim);
  return out;
}

/** argmin_c ‖x − c‖² = argmin_c (‖c‖² − 2 x·c): one dot product per centroid. */
function nearestCentroid(
  m: Float32Array,
  offset: number,
  centroids: Float32Array,
  norms: Float32Array,
  dim: number,
): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c < norms.length; c++) {
    let s = 0;
    const base = c * dim;
    for (let j = 0; j < dim; j++) s += m[offset + j] * centroids[base + j];
    const d = norms[c] - 2 * s;
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

function sampleRows(
  vectors: Float32Array,
  dim: number,
  n: number,
  size: number,
  random: Random,
): Float32Array {
  if (size === n) return vectors;
  const order = random.shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const out = new Float32Array(size * dim);
  for (let s = 0; s < size; s++) out.set(vectors.subarray(order[s] * dim, (order[s] + 1) * dim), s * dim);
  return out;
}

/** Lloyd's k-means from a k-means++ start; an emptied cluster restarts at a random point. */
function kMeans(
  points: Float32Array,
  dim: number,
  k: number,
  iterations: number,
  random: Random,
): Float32Array {
  const n = points.length / dim;
  const centroids = kMeansPlusPlus(points, dim, k, random);
  const assignment = new Int32Array(n);
  const counts = new Int32Array(k);
  for (let it = 0; it < iterations; it++) {
    const norms = squaredNorms(centroids, dim);
    let moved = 0;
    for (let i = 0; i < n; i++) {
      const c = nearestCentroid(points, i * dim, centroids, norms, dim);
      if (c !== assignment[i] || it === 0) moved++;
      assignment[i] = c;
    }
    if (moved === 0) break;
    centroids.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const base = assignment[i] * dim;
      counts[assignment[i]]++;
      for (let j = 0; j < dim; j++) centroids[base + j] += points[i * dim + j];
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        const restart = random.int(n);
        centroids.set(points.subarray(restart * dim, (restart + 1) * dim), c * dim);
      } else for (let j = 0; j < dim; j++) centroids[c * dim + j] /= counts[c];
    }
  }
  return centroids;
}

/**
 * k-means++: each next centre drawn with probability proportional to its squared distance from the nearest
 * centre so far.
 */
function kMeansPlusPlus(points: Float32Array, dim: number, k: number, random: Random): Float32Array {
  const n = points.length / dim;
  const centroids = new Float32Array(k * dim);
  const distance = new Float64Array(n).fill(Infinity);
  let chosen = random.int(n);
  for (let c = 0; c < k; c++) {
    centroids.set(points.subarray(chosen * dim, (chosen + 1) * dim), c * dim);
    let total = 0;
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let j = 0; j < dim; j++) {
        const diff = points[i * dim + j] - centroids[c * dim + j];
        d += diff * diff;
      }
      if (d < distance[i]) distance[i] = d;
      total += distance[i];
    }
    let target = random.next() * total;
    chosen = n - 1;
    for (let i = 0; i < n; i++) {
      target -= distance[i];
      if (target < 0) {
        chosen = i;
        break;
      }
    }
  }
  return centroids;
}
