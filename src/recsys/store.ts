/**
 * A model on disk: `model.json` (which model, its settings, the names and features of its
 * training data) and one little-endian binary file per typed array, so large embedding
 * matrices and similarity tables load without parsing text.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Dataset } from './data/dataset';
import { FeatureSet, type FeatureGroup } from './data/features';

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

interface Manifest {
  format: 'reclab-model';
  version: 1;
  model: string;
  config: Record<string, unknown>;
  meta?: Record<string, unknown>;
  arrays: ArrayEntry[];
  dataset: {
    name: string;
    feedback: Dataset['feedback'];
    userNames: readonly string[];
    itemNames: readonly string[];
    itemTitles: readonly (string | null)[] | null;
    userFeatures: GroupJson[];
    itemFeatures: GroupJson[];
  };
}

type GroupJson = Omit<FeatureGroup, 'ids' | 'values'>;

const TYPES = { int32: Int32Array, float32: Float32Array, float64: Float64Array } as const;

function typeOf(a: StateArray): ArrayEntry['type'] {
  return a instanceof Int32Array ? 'int32' : a instanceof Float32Array ? 'float32' : 'float64';
}

export async function writeModel(
  dir: string,
  model: string,
  state: ModelState,
  train: Dataset,
): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const arrays: Record<string, StateArray> = { ...state.arrays };
  const put = (prefix: string, f: FeatureSet) =>
    f.groups.map((g) => {
      arrays[`${prefix}.${g.name}.ids`] = g.ids;
      if (g.values) arrays[`${prefix}.${g.name}.values`] = g.values;
      const { ids: _ids, values: _values, ...rest } = g;
      return rest;
    });
  Object.assign(arrays, {
    'train.users': train.users,
    'train.items': train.items,
    'train.values': train.values,
  });
  if (train.timestamps) arrays['train.timestamps'] = train.timestamps;
  // Before the manifest lists the arrays: `put` adds the feature arrays it must list.
  const userFeatures = put('userFeatures', train.userFeatures);
  const itemFeatures = put('itemFeatures', train.itemFeatures);
  const manifest: Manifest = {
    format: 'reclab-model',
    version: 1,
    model,
    config: state.config,
    meta: state.meta,
    arrays: Object.entries(arrays).map(([name, a]) => ({ name, type: typeOf(a), length: a.length })),
    dataset: {
      name: train.name,
      feedback: train.feedback,
      userNames: train.userNames,
      itemNames: train.itemNames,
      itemTitles: train.itemTitles,
      userFeatures,
      itemFeatures,
    },
  };
  await Promise.all(
    Object.entries(arrays).map(([name, a]) =>
      fs.writeFile(path.join(dir, `${name}.bin`), new Uint8Array(a.buffer, a.byteOffset, a.byteLength)),
    ),
  );
  await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify(manifest));
}

export interface StoredModel {
  model: string;
  state: ModelState;
  train: Dataset;
}

export async function readModel(dir: string): Promise<StoredModel> {
  const file = path.join(dir, 'model.json');
  const manifest = JSON.parse(await fs.readFile(file, 'utf8')) as Manifest;
  if (manifest.format !== 'reclab-model') throw new Error(`${file} is not a RecLab model.`);
  const arrays: Record<string, StateArray> = {};
  for (const entry of manifest.arrays) {
    const bytes = await fs.readFile(path.join(dir, `${entry.name}.bin`));
    const Type = TYPES[entry.type];
    const copy = new Uint8Array(entry.length * Type.BYTES_PER_ELEMENT);
    if (bytes.length !== copy.length)
      throw new Error(`${entry.name}.bin in ${dir} has ${bytes.length} bytes; expected ${copy.length}.`);
    copy.set(bytes);
    arrays[entry.name] = new Type(copy.buffer);
  }
  const take = (name: string) => {
    const a = arrays[name];
    delete arrays[name];
    return a;
  };
  const features = (prefix: string, groups: GroupJson[], rows: number) =>
    new FeatureSet(
      rows,
      groups.map((g) => ({
        ...g,
        ids: take(`${prefix}.${g.name}.ids`) as Int32Array,
        values: g.kind === 'numeric' ? (take(`${prefix}.${g.name}.values`) as Float32Array) : null,
      })),
    );
  const d = manifest.dataset;
  const train = new Dataset({
    name: d.name,
    feedback: d.feedback,
    userNames: d.userNames,
    itemNames: d.itemNames,
    itemTitles: d.itemTitles,
    users: take('train.users') as Int32Array,
    items: take('train.items') as Int32Array,
    values: take('train.values') as Float32Array,
    timestamps: (take('train.timestamps') as Float64Array | undefined) ?? null,
    userFeatures: features('userFeatures', d.userFeatures, d.userNames.length),
    itemFeatures: features('itemFeatures', d.itemFeatures, d.itemNames.length),
  });
  return { model: manifest.model, state: { config: manifest.config, arrays, meta: manifest.meta }, train };
}
