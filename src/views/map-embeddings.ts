/**
 * `rl.charts.embeddings(matrix, options)`: checks everything it was given (the method and
 * its settings, sizes, labels, colours, the numbers themselves) before anything heavy
 * runs, then projects the vectors and returns the map.
 */
import { formatCount } from '../api';
import { EmbeddingMap, type PointColours } from './embedding-map';
import { Model, TrainingContext, type Embeddings } from '../recsys';
import {
  projection,
  type Projection,
  type ProjectionName,
  type ProjectionSetting,
  type ProjectionSettings,
} from './projection';

/** Vectors: flat (with `dim`), one array per row, `{ data, dim }`, or a fitted model's item embeddings. */
export type EmbeddingsInput =
  Float32Array | Float64Array | readonly (ArrayLike<number> | undefined)[] | FlatVectors | Model<object>;

/** Row-major vectors of `dim` numbers, as `model.itemEmbeddings()` gives them (in doubles too). */
interface FlatVectors {
  data: Float32Array | Float64Array;
  dim: number;
}

type ColourValues = ArrayLike<string | null | undefined> | ArrayLike<number>;

export interface EmbeddingsOptions {
  /** 'pca' (default), 'umap' or 'tsne'. */
  method?: ProjectionName;
  /** 2 (default) or 3. */
  dims?: 2 | 3;
  /** Numbers per vector, for a flat array. */
  dim?: number;
  /** A name per point, shown on hover and searched; default: a model's item titles, else the row numbers. */
  labels?: ArrayLike<string | number>;
  /**
   * Per point: text colours by category, numbers on a scale (NaN: missing). For a fitted model, the name of
   * an item attribute (`'genres'`) colours each item by its value, the first one of a multi-valued attribute.
   */
  colorBy?: string | { name: string; values: ColourValues } | ColourValues;
  title?: string;
  seed?: number;
  /** UMAP: neighbours per point (default 15). */
  nNeighbors?: number;
  /** UMAP: how tightly points may pack (0 to 1, default 0.1). */
  minDist?: number;
  /** UMAP and t-SNE: optimisation passes (UMAP: chosen by size; t-SNE: 750). */
  epochs?: number;
  /** t-SNE: roughly the neighbours each point keeps (default 30). */
  perplexity?: number;
  /** Shows progress bars in the notebook (default true). */
  progress?: boolean;
  /** Stops the projection once aborted. */
  signal?: AbortSignal;
}

/** The projector draws at most this many points; past that, the view would no longer answer a hover. */
const MAX_POINTS = 1_000_000;
/** The palette's index is a Uint16, one value of which marks a missing category. */
const MAX_CATEGORIES = 65_535;

const SETTINGS: readonly ProjectionSetting[] = ['nNeighbors', 'minDist', 'epochs', 'perplexity'];
const OPTIONS = new Set<string>([
  'method',
  'dims',
  'dim',
  'labels',
  'colorBy',
  'title',
  'seed',
  'progress',
  'signal',
  ...SETTINGS,
]);
const WHERE = 'rl.charts.embeddings';

/** Projects `matrix` to 2-D or 3-D and returns the map, which displays as the projector. */
export async function embeddings(
  matrix: EmbeddingsInput,
  options: EmbeddingsOptions = {},
): Promise<EmbeddingMap> {
  const unknown = Object.keys(options).filter((k) => !OPTIONS.has(k));
  if (unknown.length)
    throw new Error(
      `${WHERE}: no option ${unknown.map((k) => `"${k}"`).join(', ')}; its options are ${[...OPTIONS].join(', ')}.`,
    );
  const methodName = options.method ?? 'pca';
  const method = projection(methodName);
  const dims = options.dims ?? 2;
  if (dims !== 2 && dims !== 3) throw new Error(`${WHERE}: dims must be 2 or 3, got ${String(dims)}.`);
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new Error(`${WHERE}: seed must be a whole number, got ${String(seed)}.`);

  const source = describeInput(matrix, options.dim);
  const { n, dim } = source;
  if (n === 0) throw new Error(`${WHERE}: there are no vectors to map.`);
  if (n > MAX_POINTS)
    throw new Error(
      `${WHERE}: ${formatCount(n)} points is more than the projector shows (${formatCount(MAX_POINTS)} at most); ` +
        `sample them first, e.g. ${everyNth(n, MAX_POINTS)}.`,
    );
  if (!Number.isInteger(dim) || dim < dims)
    throw new Error(
      `${WHERE}: a ${dims}-D map needs vectors of at least ${dims} numbers; these have ${dim}.`,
    );
  const most = method.maxPoints(dim);
  if (n > most) {
    throw new Error(
      `${WHERE}: ${method.title} takes at most ${formatCount(most)} points (${method.limitReason(dim)}), ` +
        `and there are ${formatCount(n)}: use method 'pca', or sample them first, e.g. ${everyNth(n, most)}.`,
    );
  }

  const labels =
    options.labels !== undefined
      ? labelsOf(options.labels, n)
      : (source.labels?.() ?? Array.from({ length: n }, (_, i) => String(i)));
  const color =
    options.colorBy === undefined
      ? null
      : typeof options.colorBy === 'string'
        ? attributeColours(matrix, options.colorBy)
        : coloursOf(options.colorBy, n);
  const settings = settingsFor(method, options, dims, seed);
  method.check(n, settings);

  const vectors = source.read(labels);
  const ctx = new TrainingContext(method.title, { progress: options.progress, signal: options.signal });
  const coords = await method.run(vectors, settings, ctx);
  ctx.finish();
  const title = options.title ?? `${source.name ?? `${formatCount(n)} vectors`} by ${method.title}`;
  return new EmbeddingMap({ title, method: methodName, dims, coords, labels, color, vectors, seed });
}

interface Source {
  n: number;
  dim: number;
  /** What the vectors are, for the default title. */
  name?: string;
  /** Built only once the sizes are known to be in range: a model may have millions of items. */
  labels?: () => string[];
  /** The vectors as one Float32Array; throws naming the first vector that holds NaN or ±Infinity. */
  read(labels: readonly string[]): Embeddings;
}

/** The input's size, found without reading its numbers. */
function describeInput(matrix: EmbeddingsInput, dim: number | undefined): Source {
  if (matrix instanceof Model) {
    const train = matrix.train;
    const e = matrix.itemEmbeddings();
    if (!e)
      throw new Error(
        `${WHERE}: ${matrix.name} has no item embeddings to map; models with them include TwoTower and AutoEncoder.`,
      );
    if (dim !== undefined && dim !== e.dim)
      throw new Error(`${WHERE}: ${matrix.name}'s item vectors have ${e.dim} numbers, not dim ${dim}.`);
    const labels = () => Array.from({ length: train.numItems }, (_, i) => train.itemTitle(i));
    return { ...flat(e.data, e.dim), name: `${matrix.name} item embeddings`, labels };
  }
  if (matrix instanceof Float32Array || matrix instanceof Float64Array) {
    if (dim === undefined)
      throw new Error(`${WHERE}: a flat array of numbers needs { dim }, the numbers per vector.`);
    return flat(matrix, dim);
  }
  if (Array.isArray(matrix)) return rows(matrix as readonly (ArrayLike<number> | undefined)[], dim);
  if (isFlatVectors(matrix)) {
    if (dim !== undefined && dim !== matrix.dim)
      throw new Error(`${WHERE}: the vectors say dim ${matrix.dim}, the options dim ${dim}.`);
    return flat(matrix.data, matrix.dim);
  }
  throw new Error(
    `${WHERE} maps vectors: a Float32Array with { dim }, an array of rows, ` +
      '{ data, dim } (as model.itemEmbeddings() gives) or a fitted model.',
  );
}

function isFlatVectors(v: unknown): v is FlatVectors {
  if (typeof v !== 'object' || v === null) return false;
  const { data, dim } = v as { data?: unknown; dim?: unknown };
  return (data instanceof Float32Array || data instanceof Float64Array) && typeof dim === 'number';
}

function flat(data: Float32Array | Float64Array, dim: number): Source {
  if (!Number.isInteger(dim) || dim < 1)
    throw new Error(`${WHERE}: dim must be a whole number of at least 1, got ${String(dim)}.`);
  if (data.length % dim !== 0)
    throw new Error(`${WHERE}: ${formatCount(data.length)} numbers do not split into vectors of ${dim}.`);
  return {
    n: data.length / dim,
    dim,
    read: (labels) => {
      const bad = data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw notFinite(Math.floor(bad / dim), bad % dim, data[bad], labels);
      return { data: data instanceof Float32Array ? data : Float32Array.from(data), dim };
    },
  };
}

function rows(matrix: readonly (ArrayLike<number> | undefined)[], dim: number | undefined): Source {
  const n = matrix.length;
  const width = dim ?? matrix[0]?.length ?? 0;
  return {
    n,
    dim: width,
    read: (labels) => {
      const data = new Float32Array(n * width);
      for (let r = 0; r < n; r++) {
        const row = matrix[r];
        if (!row || typeof row.length !== 'number')
          throw new Error(`${WHERE}: row ${r} is not an array of numbers.`);
        if (row.length !== width)
          throw new Error(
            `${WHERE}: row ${r} has ${row.length} numbers where ${dim === undefined ? 'row 0 has' : 'dim says'} ` +
              `${width}; every vector needs the same length.`,
          );
        for (let c = 0; c < width; c++) {
          const v = row[c];
          if (typeof v !== 'number' || !Number.isFinite(v)) throw notFinite(r, c, v, labels);
          data[r * width + c] = v;
        }
      }
      return { data, dim: width };
    },
  };
}

function notFinite(row: number, column: number, value: unknown, labels: readonly string[]): Error {
  const label = labels[row] !== String(row) ? ` ("${labels[row]}")` : '';
  return new Error(
    `${WHERE}: vector ${row}${label} holds ${String(value)} at position ${column}; ` +
      'the projector needs finite numbers: fix or drop that vector.',
  );
}

function labelsOf(values: ArrayLike<string | number>, n: number): string[] {
  if (typeof values !== 'object' || values === null || typeof values.length !== 'number')
    throw new Error(`${WHERE}: labels must be an array of names, one per point.`);
  if (values.length !== n)
    throw new Error(
      `${WHERE}: ${formatCount(values.length)} labels for ${formatCount(n)} points; give one label per point.`,
    );
  return Array.from(values, (v) => String(v));
}

/** A fitted model's item attribute as colours: a multi-valued one by each item's first value, as its name says. */
function attributeColours(matrix: EmbeddingsInput, attribute: string): PointColours {
  if (!(matrix instanceof Model))
    throw new Error(
      `${WHERE}: colorBy "${attribute}" names an item attribute, which only a fitted model's items have; ` +
        'for these vectors give one value per point, or { name, values }.',
    );
  const features = matrix.train.itemFeatures;
  const group = features.groups.find((g) => g.name === attribute);
  if (!group) {
    const names = features.groups.map((g) => `"${g.name}"`);
    throw new Error(
      `${WHERE}: ${matrix.name}'s items have no attribute "${attribute}"; ` +
        (names.length
          ? `their attributes are ${names.join(', ')}.`
          : 'they have none: build the dataset with its items table, e.g. rl.Dataset.fromData(data).'),
    );
  }
  if (group.kind === 'numeric') return numberColours(attribute, group.values!);
  const values = Array.from({ length: features.numRows }, (_, r) => features.decode(attribute, r)[0] ?? null);
  return categoryColours(group.width > 1 ? `${attribute} (first value)` : attribute, values);
}

function coloursOf(
  colorBy: Exclude<NonNullable<EmbeddingsOptions['colorBy']>, string>,
  n: number,
): PointColours {
  const named =
    typeof colorBy === 'object' && colorBy !== null && 'values' in colorBy && !('length' in colorBy);
  const name = named ? String(colorBy.name ?? 'colour') : 'colour';
  const values = (named ? colorBy.values : colorBy) as ColourValues;
  if (typeof values !== 'object' || values === null || typeof values.length !== 'number')
    throw new Error(
      `${WHERE}: colorBy takes one value per point (text for categories, numbers for a scale), or { name, values }.`,
    );
  if (values.length !== n)
    throw new Error(
      `${WHERE}: colorBy has ${formatCount(values.length)} values for ${formatCount(n)} points; give one per point.`,
    );
  const numeric =
    ArrayBuffer.isView(values) ||
    Array.from({ length: Math.min(n, 1000) }, (_, i) => values[i]).some((v) => typeof v === 'number');
  return numeric
    ? numberColours(name, values as ArrayLike<number>)
    : categoryColours(name, values as ArrayLike<string | null | undefined>);
}

function numberColours(name: string, values: ArrayLike<number>): PointColours {
  const out = new Float32Array(values.length);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || Number.isNaN(v)) {
      out[i] = NaN;
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new Error(
        `${WHERE}: colorBy value ${i} is ${typeof v === 'string' ? JSON.stringify(v) : String(v)}; ` +
          'numbers colour on a scale (NaN for missing), so mix no text or ±Infinity in.',
      );
    out[i] = v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (min > max) throw new Error(`${WHERE}: colorBy "${name}" has no values, all are missing.`);
  return { name, kind: 'number', min, max, values: out };
}

/**
 * Categories by how many points have them, most first (ties by first appearance): the legend's first colours
 * go to the largest groups.
 */
function categoryColours(name: string, values: ArrayLike<string | null | undefined>): PointColours {
  const counts = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string')
      throw new Error(
        `${WHERE}: colorBy value ${i} is ${String(v)}; categories are text (null for missing).`,
      );
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  if (counts.size > MAX_CATEGORIES)
    throw new Error(
      `${WHERE}: colorBy "${name}" has ${formatCount(counts.size)} categories, ` +
        `more than colours can tell apart (${formatCount(MAX_CATEGORIES)} at most); ` +
        'group them first, e.g. the 20 largest and "other".',
    );
  const categories = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)!);
  const index = new Map(categories.map((c, i) => [c, i]));
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = v === null || v === undefined ? categories.length : index.get(v)!;
  }
  return { name, kind: 'category', categories, values: out };
}

/** The method's settings from the options; a setting for another method is an error, not silently ignored. */
function settingsFor(
  method: Projection,
  options: EmbeddingsOptions,
  dims: 2 | 3,
  seed: number,
): ProjectionSettings {
  const settings: ProjectionSettings = { dims, seed };
  for (const name of SETTINGS) {
    const value = options[name];
    if (value === undefined) continue;
    if (!method.settings.includes(name)) {
      const takes = method.settings.length
        ? `its settings are ${method.settings.join(', ')}`
        : 'it has no settings';
      throw new Error(`${WHERE}: ${name} is not a ${method.title} setting (${takes}).`);
    }
    if (typeof value !== 'number')
      throw new Error(`${WHERE}: ${name} must be a number, got ${JSON.stringify(value)}.`);
    settings[name] = value;
  }
  return settings;
}

/** A sampling that brings n under `limit`, said in words. */
function everyNth(n: number, limit: number): string {
  const step = Math.ceil(n / limit);
  return (
    `every ${ordinal(step)} vector (${formatCount(Math.ceil(n / step))} points), ` +
    'with their labels and colours alike'
  );
}

function ordinal(k: number): string {
  const tens = k % 100;
  const suffix =
    tens >= 11 && tens <= 13 ? 'th' : k % 10 === 1 ? 'st' : k % 10 === 2 ? 'nd' : k % 10 === 3 ? 'rd' : 'th';
  return `${k}${suffix}`;
}
