/**
 * A pipeline on disk, for serving: a versioned folder with `manifest.json` (format, version,
 * when, a fingerprint of the training data, the pipeline's settings, a SHA-256 of every other
 * file), each model saved by its own `save(dir)` in a subfolder, and the stores a serving
 * system reads (item embeddings, CF tables, clusters, categories) as Parquet written by DuckDB.
 *
 * Reading verifies every checksum before anything is loaded: a bundle copied halfway, or one
 * whose file was changed, is refused naming the file, so a server never serves a mixed bundle.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Database, type Table, quoteLiteral } from '../../data';
import type { Dataset } from '../data/dataset';
import type { Task } from '../data/ranking-samples';
import { ClusterIndex } from '../indexes/cluster-index';
import type { Recommender } from '../model';
import type { Ranker } from '../models/ranking';
import { MostPopular } from '../models/retrieval/most-popular';
import { loadModel, loadRanker } from '../registry';
import { readManifestText } from '../store';
import { embeddingsOf, pipelineStores } from './stores';

export const BUNDLE_FORMAT = 'reclab-pipeline';
/** The layout written; a reader refuses others. */
export const BUNDLE_FORMAT_VERSION = 1;
const MANIFEST = 'manifest.json';

/** What a pipeline hands the writer: its parts, as built (see `Pipeline.export`). */
export interface PipelineParts {
  channels: { name: string; model: Recommender; quota: number; index: ClusterIndex | null }[];
  ranker: Ranker | null;
  objective: Task | Partial<Record<Task, number>> | undefined;
  k: number;
  filters: { seen: boolean; perCategory: number | null; available: string[] | null };
  /** Item → category, as the pipeline resolved it (from `categories` or the ranker). */
  categories: Map<string, string>;
  fallback: MostPopular;
  train: Dataset;
}

export interface ExportOptions {
  /** The bundle's version; default one more than the bundle already in the folder, or 1. */
  version?: number;
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  formatVersion: number;
  version: number;
  created: string;
  fingerprint: string;
  settings: {
    channels: { name: string; model: string; quota: number; index: { nprobe: number } | null }[];
    k: number;
    filters: { seen: boolean; perCategory: number | null; available: boolean };
    objective: Task | Partial<Record<Task, number>> | null;
    ranker: string | null;
  };
  /** Every other file of the bundle, by path relative to it (forward slashes) → SHA-256, hex. */
  files: Record<string, string>;
}

/** What `readBundle` gives back: the manifest and the parts, loaded, to build the pipeline from. */
export interface LoadedBundle {
  manifest: BundleManifest;
  channels: { name: string; model: Recommender; quota: number; index?: ClusterIndex }[];
  ranker: Ranker | undefined;
  fallback: MostPopular;
  categories: Map<string, string> | undefined;
  available: string[] | undefined;
}

const channelDir = (name: string) => `channels/${encodeURIComponent(name)}`;
const storePath = (name: string) => `stores/${name}.parquet`;

/**
 * Writes the bundle into a sibling temporary folder and swaps it into place, so a server that
 * reloads `dir` meanwhile reads the old bundle or the new one, never half of each.
 */
export async function writeBundle(
  parts: PipelineParts,
  dir: string,
  options: ExportOptions = {},
): Promise<BundleManifest> {
  const version = options.version ?? ((await bundleVersion(dir)) ?? 0) + 1;
  if (!Number.isInteger(version) || version < 1)
    throw new Error(
      `Pipeline.export: version must be a whole number ≥ 1, got ${JSON.stringify(options.version)}.`,
    );
  const target = path.resolve(dir);
  const staging = `${target}.writing-${process.pid}-${Date.now()}`;
  await fs.rm(staging, { recursive: true, force: true });
  try {
    for (const c of parts.channels) await c.model.save(path.join(staging, channelDir(c.name)));
    if (parts.ranker) await saveRanker(parts.ranker, path.join(staging, 'ranker'));
    await parts.fallback.save(path.join(staging, 'fallback'));
    await writeStores(parts, staging);
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      formatVersion: BUNDLE_FORMAT_VERSION,
      version,
      created: new Date().toISOString(),
      fingerprint: fingerprint(parts.train),
      settings: {
        channels: parts.channels.map((c) => ({
          name: c.name,
          model: c.model.name,
          quota: c.quota,
          index: c.index ? { nprobe: c.index.nprobe } : null,
        })),
        k: parts.k,
        filters: { ...parts.filters, available: parts.filters.available !== null },
        objective: parts.objective ?? null,
        ranker: parts.ranker?.name ?? null,
      },
      files: await checksums(staging),
    };
    await fs.writeFile(path.join(staging, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
    const old = `${target}.old-${process.pid}-${Date.now()}`;
    const existed = await fs.rename(target, old).then(
      () => true,
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return false;
        throw e;
      },
    );
    await fs.rename(staging, target);
    if (existed) await fs.rm(old, { recursive: true, force: true });
    return manifest;
  } catch (e) {
    await fs.rm(staging, { recursive: true, force: true });
    throw e;
  }
}

async function saveRanker(ranker: Ranker, dir: string): Promise<void> {
  const save = (ranker as Partial<{ save: (dir: string) => Promise<void> }>).save;
  if (typeof save !== 'function')
    throw new Error(
      `Pipeline.export: the ranker ${ranker.name} cannot be saved (it has no save(dir)); ` +
        "export a pipeline whose ranker is one of RecLab's (rl.MMoE, rl.DIN, …).",
    );
  await save.call(ranker, dir);
}

/** The version of the bundle in `dir`, or undefined when there is none. */
async function bundleVersion(dir: string): Promise<number | undefined> {
  const text = await fs.readFile(path.join(dir, MANIFEST), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const v = (JSON.parse(text) as Partial<BundleManifest>).version;
    return typeof v === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Hash of the training data's user and item names and each one's interaction count. */
export function fingerprint(train: Dataset): string {
  const hash = createHash('sha256');
  const counts = (indptr: Int32Array) =>
    Int32Array.from({ length: indptr.length - 1 }, (_, r) => indptr[r + 1] - indptr[r]);
  hash.update(JSON.stringify(train.userNames));
  hash.update(new Uint8Array(counts(train.byUser.indptr).buffer));
  hash.update(JSON.stringify(train.itemNames));
  hash.update(new Uint8Array(counts(train.byItem.indptr).buffer));
  return `sha256:${hash.digest('hex')}`;
}

async function checksums(root: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of (await fs.readdir(root, { recursive: true, withFileTypes: true })).sort((a, b) =>
    path.join(a.parentPath, a.name).localeCompare(path.join(b.parentPath, b.name)),
  )) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const name = path.relative(root, full).split(path.sep).join('/');
    if (name !== MANIFEST) files[name] = await sha256(full);
  }
  return files;
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');
}

/** The Parquet stores, through DuckDB: one in-memory database per export, closed after. */
async function writeStores(parts: PipelineParts, root: string): Promise<void> {
  await fs.mkdir(path.join(root, 'stores'), { recursive: true });
  const db = await Database.open();
  try {
    for (const [name, table] of pipelineStores(parts)) {
      await db.register('store', table);
      await db.run(`COPY store TO ${quoteLiteral(path.join(root, storePath(name)))} (FORMAT parquet)`);
    }
  } finally {
    db.close();
  }
}

/** Reads the manifest and checks every file's checksum, before anything is loaded. */
export async function verifyBundle(dir: string): Promise<BundleManifest> {
  const file = path.join(dir, MANIFEST);
  const text = await readManifestText(
    file,
    `${dir} holds no pipeline bundle. Write one with await pipeline.export(dir).`,
  );
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(text) as BundleManifest;
  } catch {
    throw new Error(`${file} is not a pipeline bundle manifest (it is not JSON).`);
  }
  if (manifest?.format !== BUNDLE_FORMAT) throw new Error(`${file} is not a RecLab pipeline bundle.`);
  if (manifest.formatVersion !== BUNDLE_FORMAT_VERSION)
    throw new Error(
      `${file} has bundle format version ${JSON.stringify(manifest.formatVersion)}; this RecLab reads version ` +
        `${BUNDLE_FORMAT_VERSION}: export the pipeline again with this RecLab.`,
    );
  if (!manifest.files || typeof manifest.files !== 'object') throw new Error(`${file} lists no files.`);
  for (const [name, expected] of Object.entries(manifest.files)) {
    const full = path.join(dir, ...name.split('/'));
    // A listed name that climbs out of the bundle is refused rather than read.
    if (path.relative(dir, full).startsWith('..'))
      throw new Error(`${file} lists ${name}, outside the bundle.`);
    const actual = await sha256(full).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT')
        throw new Error(`${full} is missing: ${file} lists it, so the bundle is incomplete.`);
      throw e;
    });
    if (actual !== expected)
      throw new Error(
        `${full} fails its checksum (sha256 ${actual.slice(0, 12)}…, the manifest says ${expected.slice(0, 12)}…): ` +
          'the bundle was changed or copied halfway; export it again.',
      );
  }
  return manifest;
}

/** Verifies and loads a bundle's parts. */
export async function readBundle(dir: string): Promise<LoadedBundle> {
  const manifest = await verifyBundle(dir);
  const has = (name: string) => Object.hasOwn(manifest.files, name);
  const db = await Database.open();
  const read = (name: string) =>
    db.query(`SELECT * FROM read_parquet(${quoteLiteral(path.join(dir, storePath(name)))})`);
  try {
    const channels: LoadedBundle['channels'] = [];
    for (const c of manifest.settings.channels) {
      const model = await loadModel(path.join(dir, channelDir(c.name)));
      const channel: LoadedBundle['channels'][number] = { name: c.name, model, quota: c.quota };
      if (c.index) channel.index = await readIndex(model, c.name, c.index.nprobe, read);
      channels.push(channel);
    }
    const ranker = manifest.settings.ranker ? await loadRanker(path.join(dir, 'ranker')) : undefined;
    const fallback = await MostPopular.load(path.join(dir, 'fallback'));
    let categories: Map<string, string> | undefined;
    if (has(storePath('item_categories'))) {
      const t = await read('item_categories');
      const items = t.column('item') as string[];
      const names = t.column('category') as string[];
      categories = new Map(items.map((item, r) => [item, names[r]]));
    }
    const available = has(storePath('available'))
      ? [...((await read('available')).column('item') as string[])]
      : undefined;
    return { manifest, channels, ranker, fallback, categories, available };
  } finally {
    db.close();
  }
}

/** A channel's ClusterIndex from its cluster and centroid tables and the loaded model's item embeddings. */
async function readIndex(
  model: Recommender,
  channel: string,
  nprobe: number,
  read: (name: string) => Promise<Table>,
): Promise<ClusterIndex> {
  const e = embeddingsOf(model);
  if (!e)
    throw new Error(
      `The bundle's channel "${channel}" has an index but its ${model.name} has no item embeddings.`,
    );
  const clusters = await read(`${channel}.clusters`);
  const order = Int32Array.from(clusters.column('position') as ArrayLike<number>);
  const cluster = Int32Array.from(clusters.column('cluster') as ArrayLike<number>);
  const member = Int32Array.from(clusters.column('member') as ArrayLike<number>);
  const members = new Int32Array(member.length);
  const centroidTable = await read(`${channel}.centroids`);
  const numClusters = centroidTable.numRows;
  const offsets = new Int32Array(numClusters + 1);
  order.forEach((at, r) => {
    members[at] = member[r];
    offsets[cluster[r] + 1]++;
  });
  for (let k = 0; k < numClusters; k++) offsets[k + 1] += offsets[k];
  const rowOf = Int32Array.from(centroidTable.column('cluster') as ArrayLike<number>);
  const centroids = new Float32Array(numClusters * e.dim);
  for (let d = 0; d < e.dim; d++) {
    const values = centroidTable.column(`c${d}`) as ArrayLike<number>;
    rowOf.forEach((k, r) => (centroids[k * e.dim + d] = values[r]));
  }
  return ClusterIndex.fromClusters(e.data, e.dim, centroids, offsets, members, nprobe);
}
