/**
 * A model on disk: `model.json` (the format and its version, which model, its settings, and
 * what it needs of its training data) and one little-endian binary file per typed array, so
 * large embedding matrices and similarity tables load without parsing text.
 *
 * The training data kept is of one of two kinds, by family: a retrieval or sequence model keeps
 * its Dataset (names, interactions, features: what recommend and history read); a ranker keeps
 * its vocabulary (users, items, categories, item categories, features) and behaviour log (what
 * scoreItems reads a user's history from). Loading checks the format, its version and the
 * model's class before anything else, and says which file is wrong and what to do.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Dataset } from './data/dataset';
import { FeatureSet, type FeatureGroup } from './data/features';
import type { BehaviourLog, RankingVocabulary } from './data/ranking-samples';

export type StateArray = Int32Array | Float32Array | Float64Array;

/** What a model keeps: JSON-able settings and named typed arrays. */
export interface ModelState {
  config: Record<string, unknown>;
  arrays: Record<string, StateArray>;
  /** What else a model keeps that is not a setting (a neural model's epochs so far, for resume). */
  meta?: Record<string, unknown>;
}

interface ArrayEntry {
  name: string;
  type: 'int32' | 'float32' | 'float64';
  length: number;
}

/** The version written; a reader refuses others (a newer RecLab may lay the files out otherwise). */
const VERSION = 1;
const MANIFEST = 'model.json';

interface Manifest {
  format: 'reclab-model';
  version: number;
  model: string;
  config: Record<string, unknown>;
  meta?: Record<string, unknown>;
  arrays: ArrayEntry[];
  /** A retrieval or sequence model's training data (its arrays are `train.*` and the feature groups'). */
  dataset?: {
    name: string;
    feedback: Dataset['feedback'];
    userNames: readonly string[];
    itemNames: readonly string[];
    itemTitles: readonly (string | null)[] | null;
    userFeatures: GroupJson[];
    itemFeatures: GroupJson[];
  };
  /** A ranker's vocabulary and behaviour log (its arrays are `vocabulary.*`, `log.*` and the feature groups'). */
  ranking?: {
    users: readonly string[];
    items: readonly string[];
    categories: readonly string[];
    userFeatures: GroupJson[];
    itemFeatures: GroupJson[];
  };
}

type GroupJson = Omit<FeatureGroup, 'ids' | 'values'>;

/** The two kinds of saved model, by which loader reads them (for messages). */
type Kind = 'model' | 'ranker';
const LOADER: Record<Kind, string> = { model: 'rl.loadModel(dir)', ranker: 'rl.loadRanker(dir)' };

const TYPES = { int32: Int32Array, float32: Float32Array, float64: Float64Array } as const;
const LOG_ARRAYS = ['indptr', 'items', 'categories', 'behaviours', 'times'] as const;

function typeOf(a: StateArray): ArrayEntry['type'] {
  return a instanceof Int32Array ? 'int32' : a instanceof Float32Array ? 'float32' : 'float64';
}

export async function writeModel(
  dir: string,
  model: string,
  state: ModelState,
  train: Dataset,
): Promise<void> {
  const arrays: Record<string, StateArray> = {
    ...state.arrays,
    'train.users': train.users,
    'train.items': train.items,
    'train.values': train.values,
  };
  if (train.timestamps) arrays['train.timestamps'] = train.timestamps;
  await writeStore(dir, model, state, arrays, {
    dataset: {
      name: train.name,
      feedback: train.feedback,
      userNames: train.userNames,
      itemNames: train.itemNames,
      itemTitles: train.itemTitles,
      userFeatures: putFeatures('userFeatures', train.userFeatures, arrays),
      itemFeatures: putFeatures('itemFeatures', train.itemFeatures, arrays),
    },
  });
}

/** What a ranker needs of its training data to encode new samples and score a user's candidates. */
export interface RankingData {
  vocabulary: RankingVocabulary;
  log: BehaviourLog;
}

export async function writeRanker(
  dir: string,
  model: string,
  state: ModelState,
  { vocabulary, log }: RankingData,
): Promise<void> {
  const arrays: Record<string, StateArray> = {
    ...state.arrays,
    'vocabulary.itemCategory': vocabulary.itemCategory,
  };
  for (const name of LOG_ARRAYS) arrays[`log.${name}`] = log[name];
  await writeStore(dir, model, state, arrays, {
    ranking: {
      users: vocabulary.users,
      items: vocabulary.items,
      categories: vocabulary.categories,
      userFeatures: putFeatures('userFeatures', vocabulary.userFeatures, arrays),
      itemFeatures: putFeatures('itemFeatures', vocabulary.itemFeatures, arrays),
    },
  });
}

export interface StoredModel {
  model: string;
  state: ModelState;
  train: Dataset;
}

/** Reads a retrieval or sequence model; `model`, when given, is the class the caller loads into. */
export async function readModel(dir: string, model?: string): Promise<StoredModel> {
  const { manifest, take, state } = await readStore(dir, 'model', model);
  const d = manifest.dataset!;
  const train = new Dataset({
    name: d.name,
    feedback: d.feedback,
    userNames: d.userNames,
    itemNames: d.itemNames,
    itemTitles: d.itemTitles,
    users: take('train.users') as Int32Array,
    items: take('train.items') as Int32Array,
    values: take('train.values') as Float32Array,
    timestamps: (take('train.timestamps', true) as Float64Array | undefined) ?? null,
    userFeatures: takeFeatures('userFeatures', d.userFeatures, d.userNames.length, take),
    itemFeatures: takeFeatures('itemFeatures', d.itemFeatures, d.itemNames.length, take),
  });
  return { model: manifest.model, state: state(), train };
}

export interface StoredRanker extends RankingData {
  model: string;
  state: ModelState;
}

/** Reads a ranker; `model`, when given, is the class the caller loads into. */
export async function readRanker(dir: string, model?: string): Promise<StoredRanker> {
  const { manifest, take, state } = await readStore(dir, 'ranker', model);
  const r = manifest.ranking!;
  const vocabulary: RankingVocabulary = {
    users: r.users,
    items: r.items,
    categories: r.categories,
    itemCategory: take('vocabulary.itemCategory') as Int32Array,
    userFeatures: takeFeatures('userFeatures', r.userFeatures, r.users.length, take),
    itemFeatures: takeFeatures('itemFeatures', r.itemFeatures, r.items.length, take),
  };
  const log: BehaviourLog = {
    indptr: take('log.indptr') as Int32Array,
    items: take('log.items') as Int32Array,
    categories: take('log.categories') as Int32Array,
    behaviours: take('log.behaviours') as Int32Array,
    times: take('log.times') as Float64Array,
  };
  return { model: manifest.model, state: state(), vocabulary, log };
}

/** Writes the arrays, then the manifest last: a directory whose writing stopped halfway holds no model.json. */
async function writeStore(
  dir: string,
  model: string,
  state: ModelState,
  arrays: Record<string, StateArray>,
  data: Pick<Manifest, 'dataset' | 'ranking'>,
): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const manifest: Manifest = {
    format: 'reclab-model',
    version: VERSION,
    model,
    config: state.config,
    meta: state.meta,
    arrays: Object.entries(arrays).map(([name, a]) => ({ name, type: typeOf(a), length: a.length })),
    ...data,
  };
  await Promise.all(
    Object.entries(arrays).map(([name, a]) =>
      fs.writeFile(path.join(dir, `${name}.bin`), new Uint8Array(a.buffer, a.byteOffset, a.byteLength)),
    ),
  );
  await fs.writeFile(path.join(dir, MANIFEST), JSON.stringify(manifest));
}

/** Takes a stored array out of those read (what is left is the model's own state); `optional`: it may be absent. */
type Take = (name: string, optional?: boolean) => StateArray | undefined;

/**
 * Reads the manifest and every array it lists, after checking that the directory holds a model of the
 * kind (and, when `model` is given, the class) asked for, in a version this RecLab reads.
 */
async function readStore(
  dir: string,
  kind: Kind,
  model: string | undefined,
): Promise<{ manifest: Manifest; take: Take; state: () => ModelState }> {
  const file = path.join(dir, MANIFEST);
  const manifest = checkManifest(file, await readManifest(file), kind, model);
  const arrays: Record<string, StateArray> = {};
  for (const entry of manifest.arrays) {
    const name = path.join(dir, `${entry.name}.bin`);
    const bytes = await fs.readFile(name).catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'ENOENT'
        ? new Error(
            `${name} is missing: ${file} lists it, so the saved model is incomplete. ` +
              'Copy the whole folder, or save the model again.',
            { cause: e },
          )
        : e;
    });
    const Type = TYPES[entry.type];
    const copy = new Uint8Array(entry.length * Type.BYTES_PER_ELEMENT);
    if (bytes.length !== copy.length)
      throw new Error(`${entry.name}.bin in ${dir} has ${bytes.length} bytes; expected ${copy.length}.`);
    copy.set(bytes);
    arrays[entry.name] = new Type(copy.buffer);
  }
  const take: Take = (name, optional = false) => {
    const a = arrays[name];
    if (!a && !optional) throw new Error(`${file} does not list ${name}.bin, which a ${kind} needs.`);
    delete arrays[name];
    return a;
  };
  return {
    manifest,
    take,
    // Called after the data's arrays are taken: the rest are the model's.
    state: () => ({ config: manifest.config, arrays, meta: manifest.meta }),
  };
}

/** A manifest's text; a missing file is named, with `missing` saying what the folder lacks and what to do. */
export async function readManifestText(file: string, missing: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    throw new Error(`${file} is missing: ${missing}`, { cause: e });
  }
}

async function readManifest(file: string): Promise<Manifest> {
  const text = await readManifestText(
    file,
    `${path.dirname(file)} holds no saved model. Save one there with model.save(dir).`,
  );
  try {
    return JSON.parse(text) as Manifest;
  } catch {
    throw new Error(`${file} is not a RecLab model (it is not JSON).`);
  }
}

function checkManifest(file: string, m: Manifest, kind: Kind, model: string | undefined): Manifest {
  if (m?.format !== 'reclab-model') throw new Error(`${file} is not a RecLab model.`);
  if (m.version !== VERSION)
    throw new Error(
      typeof m.version === 'number' && m.version > VERSION
        ? `${file} was saved by a newer RecLab (format version ${m.version}; this one reads version ${VERSION}): ` +
            'update RecLab to load it.'
        : `${file} has format version ${JSON.stringify(m.version)}, which this RecLab does not read ` +
            `(it reads version ${VERSION}): save the model again.`,
    );
  const saved: Kind = m.ranking ? 'ranker' : 'model';
  if (saved !== kind || (model !== undefined && m.model !== model)) {
    const wanted = model ?? (kind === 'ranker' ? 'a ranker' : 'a retrieval or sequence model');
    throw new Error(
      `${file} holds a ${m.model} ${saved === 'ranker' ? 'ranker' : 'model'}, not ${wanted}: ` +
        `load it with rl.${m.model}.load(dir) or ${LOADER[saved]}.`,
    );
  }
  return m;
}

/** Puts a feature set's arrays among `arrays` (under `prefix`) and returns its groups' JSON. */
function putFeatures(prefix: string, f: FeatureSet, arrays: Record<string, StateArray>): GroupJson[] {
  return f.groups.map((g) => {
    arrays[`${prefix}.${g.name}.ids`] = g.ids;
    if (g.values) arrays[`${prefix}.${g.name}.values`] = g.values;
    const { ids: _ids, values: _values, ...rest } = g;
    return rest;
  });
}

function takeFeatures(prefix: string, groups: GroupJson[], rows: number, take: Take): FeatureSet {
  return new FeatureSet(
    rows,
    groups.map((g) => ({
      ...g,
      ids: take(`${prefix}.${g.name}.ids`) as Int32Array,
      values: g.kind === 'numeric' ? (take(`${prefix}.${g.name}.values`) as Float32Array) : null,
    })),
  );
}
