/**
 * The family base of the rankers (LogisticRegression, DNN, DeepFM, DIN, DIEN, MMoE, ESMM), as
 * RecBole's ContextRecommender: a ranker scores (user, item) pairs at a time, with the user's
 * behaviours before that time, as a probability per task. The base does what they share:
 * the embeddings of the fields (user, item, category, and the history's items, categories
 * and behaviours), the batches, the loss over the tasks a model trains, validation AUC per
 * epoch on the latest training samples with early stopping on it, prediction in blocks,
 * `scoreItems` for a user's candidates now (what a pipeline ranks with), the weights and
 * optimiser (kept between fits, so `fit(train, { resume: true })` goes on), and `save(dir)` /
 * `load(dir)` of all a ranker needs to predict, score and resume. A model adds its layers and
 * its outputs.
 */
import * as tf from '@tensorflow/tfjs';
import { RankingSamples, TASKS, type RankingVocabulary, type Task } from '../../data/ranking-samples';
import { auc } from '../../evaluation/ranking-metrics';
import { checkpoint, restoreCheckpoint } from '../../engine/checkpoint';
import { Embedding, Params, type Mode } from '../../engine/layers';
import { OPTIMIZER_SCHEMA, Optimizer, type OptimizerSettings } from '../../engine/optimizer';
import { checkSettings, defaults, fitSettings, fitWith, type SettingsSchema } from '../../engine/settings';
import { checkSample, sampleRows } from '../../engine/sample-rows';
import { runTraining, tapedStep } from '../../engine/trainer';
import { TrainingContext, type EpochLog, type FitOptions, type History } from '../../engine/training';
import { indexNames, unknownName } from '../../names';
import { Random } from '../../random';
import { readRanker, writeRanker, type RankingData, type StoredRanker } from '../../store';

export interface RankingSettings extends OptimizerSettings {
  embeddingDim: number;
  /** Behaviours of the user's history a prediction reads (the latest ones). */
  historyLength: number;
  epochs: number;
  batchSize: number;
  dropout: number;
  /** The share of training samples, the latest by time, held out to measure AUC each epoch (0: none). */
  validation: number;
  /** Epochs without a better validation AUC before the fit stops (0: never stop early). */
  patience: number;
  seed: number;
}

export const RANKING_SCHEMA: SettingsSchema<RankingSettings> = {
  embeddingDim: { type: 'int', min: 1, default: 16 },
  historyLength: { type: 'int', min: 1, max: 1000, default: 20 },
  epochs: { type: 'int', min: 1, default: 5 },
  batchSize: { type: 'int', min: 1, default: 512 },
  ...OPTIMIZER_SCHEMA,
  learningRate: { ...OPTIMIZER_SCHEMA.learningRate, default: 0.003 },
  dropout: { type: 'number', min: 0, max: 0.95, default: 0 },
  validation: { type: 'number', min: 0, max: 0.5, default: 0.1 },
  patience: { type: 'int', min: 0, default: 2 },
  seed: { type: 'int', default: 42 },
};

/** Per task, the probability of each sample (only the tasks the model predicts). */
export type Predictions = Partial<Record<Task, Float32Array>>;

/** What every ranker offers, whatever its family base. */
export interface Ranker {
  readonly name: string;
  /** The tasks the model predicts. */
  readonly tasks: readonly Task[];
  readonly isFitted: boolean;
  /**
   * The users, items and categories the fitted ranker knows, by name: what a pipeline checks its
   * channels' items against and maps them through. Optional for rankers made outside RecLab.
   */
  readonly vocabulary?: RankingVocabulary;
  fit(train: RankingSamples, options?: FitOptions): Promise<History>;
  predict(samples: RankingSamples): Predictions;
  /**
   * Scores of `items` for `user` now (history: all the user's behaviours): one task's probability, or a
   * weighted sum over tasks.
   */
  scoreItems(
    user: string | number,
    items: readonly (string | number)[] | Int32Array,
    options?: ScoreOptions,
  ): Float32Array;
}

export interface ScoreOptions {
  /** The task whose probability is the score (default: the model's first). */
  task?: Task;
  /** A weighted sum of the tasks' probabilities instead (e.g. { click: 1, buy: 10 }). */
  weights?: Partial<Record<Task, number>>;
}

/** Embedded fields of one batch, what a model's layers read. */
export interface RankingInputs {
  size: number;
  /** [batch, d] */
  user: tf.Tensor2D;
  /** [batch, 2d]: the candidate item's embedding and its category's. */
  target: tf.Tensor2D;
  /** [batch, L, 2d]: each history slot's item and category embeddings, plus its behaviour's. */
  history: tf.Tensor3D;
  /** [batch, L]: 1 for a behaviour, 0 for padding. */
  mask: tf.Tensor2D;
  /** The slot values behind them (index + 1; 0 pads), for models with tables of their own. */
  ids: { users: tf.Tensor1D; items: tf.Tensor1D; categories: tf.Tensor1D; historyItems: tf.Tensor2D };
}

/** A model's outputs: logits for most tasks, probabilities where a model multiplies them (ESMM's CTCVR). */
export interface RankingOutputs {
  logits?: Partial<Record<Task, tf.Tensor1D>>;
  probabilities?: Partial<Record<Task, tf.Tensor1D>>;
  /** A loss of the model's own added to the tasks' (DIEN's auxiliary loss). */
  auxiliary?: tf.Scalar;
}

/** Host arrays of one batch, reused from step to step. */
interface Batch {
  size: number;
  users: Int32Array;
  items: Int32Array;
  categories: Int32Array;
  historyItems: Int32Array;
  historyCategories: Int32Array;
  historyBehaviours: Int32Array;
  labels: Record<Task, Float32Array>;
  /** Every row has row 0's user and history (one user's candidates): the history is embedded once. */
  shared?: boolean;
}

/**
 * Settings that shape the weights or say what they predict: a resumed fit keeps them (each model has those of
 * them it declares).
 */
const ARCHITECTURE = [
  'embeddingDim',
  'layers',
  'hidden',
  'experts',
  'expertUnits',
  'towerLayers',
  'task',
  'tasks',
];

/** What a fitted ranker scores with: its data, and name lookups built once (scoreItems runs per request). */
interface Fitted extends RankingData {
  users: Map<string, number>;
  items: Map<string, number>;
}

/** Samples predicted at once. */
const PREDICT_BLOCK = 2048;
const SCORING: Mode = { training: false, random: new Random(0) };

/** The field tables every ranker shares. */
export class FieldEmbeddings {
  readonly users: Embedding;
  readonly items: Embedding;
  readonly categories: Embedding;
  readonly behaviours: Embedding;

  constructor(
    params: Params,
    vocabulary: RankingVocabulary,
    readonly dim: number,
  ) {
    this.users = new Embedding(params, 'users', vocabulary.users.length + 1, dim);
    this.items = new Embedding(params, 'items', vocabulary.items.length + 1, dim);
    this.categories = new Embedding(params, 'categories', vocabulary.categories.length + 1, dim);
    this.behaviours = new Embedding(params, 'behaviours', 5, 2 * dim);
  }
}

export abstract class RankingModel<C extends RankingSettings> implements Ranker {
  readonly config: C;
  abstract readonly tasks: readonly Task[];
  /** Weights and optimiser: kept after a fit (even an interrupted one) so a fit can resume. */
  protected params: Params | null = null;
  protected fields: FieldEmbeddings | null = null;
  private optimizer: Optimizer | null = null;
  /** The vocabulary and shaping settings the weights were built for: what a resumed fit must match. */
  private built: { vocabulary: RankingVocabulary; shape: Record<string, string> } | null = null;
  /** Epochs of the fits so far, so a resumed fit's curve continues theirs. */
  private logs: EpochLog[] = [];
  /** Set when a fit succeeds or a model loads. */
  private fitted: Fitted | null = null;

  constructor(
    readonly name: string,
    protected readonly schema: SettingsSchema<C>,
    config: Partial<C> = {},
  ) {
    this.config = { ...defaults(schema), ...checkSettings(schema, config, `new rl.${name}`) };
  }

  /** Creates the model's own layers (the field embeddings exist). */
  protected abstract build(params: Params, fields: FieldEmbeddings, vocabulary: RankingVocabulary): void;
  /** The outputs for a batch. */
  protected abstract outputs(inputs: RankingInputs, mode: Mode): RankingOutputs;

  /** The training samples the model learns from (a CVR model: the clicked ones only). */
  protected trainingRows(train: RankingSamples): Int32Array {
    return Int32Array.from({ length: train.size }, (_, i) => i);
  }

  get isFitted(): boolean {
    return this.fitted !== null;
  }

  async fit(train: RankingSamples, options: FitOptions = {}): Promise<History> {
    const settings = fitSettings(this.schema, options, `${this.name}.fit`);
    // Before anything changes: a refused resume leaves the model as it was.
    if (options.resume === true) this.checkResumable(train.vocabulary, { ...this.config, ...settings });
    checkSample(options.sample, `${this.name}.fit`);
    const ctx = new TrainingContext(this.name, options);
    this.fitted = null;
    await fitWith(this.config, settings, () => this.train(train, ctx));
    return ctx.finish();
  }

  /** Saves the settings, the vocabulary and behaviour log, the weights and the optimiser state to `dir`. */
  async save(dir: string): Promise<void> {
    const data = this.requireFitted();
    const config = { ...this.config } as Record<string, unknown>;
    const state = { config, ...checkpoint(this.params!, this.optimizer!, this.logs) };
    await writeRanker(dir, this.name, state, data);
  }

  /** Loads a ranker saved by `save`: `await rl.DIN.load(dir)` (`rl.loadRanker(dir)` for any class). */
  static async load<M extends RankingModel<RankingSettings>>(this: new () => M, dir: string): Promise<M> {
    const model = new this();
    model.adopt(await readRanker(dir, model.name));
    return model;
  }

  /** Takes over a saved ranker's settings, data, weights and optimiser state. */
  adopt(stored: StoredRanker): void {
    Object.assign(this.config, stored.state.config);
    this.reset();
    const optimizer = this.buildNetwork(stored.vocabulary);
    this.logs = restoreCheckpoint(stored.state, this.params!, optimizer);
    this.fitted = fitted(stored);
  }

  private async train(train: RankingSamples, ctx: TrainingContext): Promise<void> {
    const c = this.config;
    const rows = this.trainingRows(train);
    if (!rows.length)
      throw new Error(
        `${this.name}: no training samples${rows.length < train.size ? ' of the kind it learns from' : ''}.`,
      );
    // The latest samples by time are the validation set: the model is judged on what comes after what it learnt.
    const byTime = rows.slice().sort((a, b) => train.times[a] - train.times[b] || a - b);
    const held = c.validation > 0 ? Math.floor(byTime.length * c.validation) : 0;
    // Only the rows learnt from are sampled: the validation set stays the latest samples, all of them.
    const learn = sampleRows(
      byTime.subarray(0, byTime.length - held),
      ctx.options.sample,
      c.seed,
      `${this.name}.fit`,
    );
    ctx.sampledRows(learn.length, byTime.length - held);
    const validation = train.subset(byTime.subarray(byTime.length - held));
    const validationTask = this.tasks[0];
    const validated =
      held > 0 && validation.positiveRate(validationTask) > 0 && validation.positiveRate(validationTask) < 1;

    if (ctx.options.resume === true) ctx.continueFrom(this.logs);
    else {
      this.reset();
      this.buildNetwork(train.vocabulary);
    }
    const params = this.params!;
    const optimizer = this.optimizer!;
    const steps = Math.ceil(learn.length / c.batchSize);
    optimizer.plan(c.epochs * steps, c);
    // The batches depend on the seed and the epochs so far, so a resumed fit draws other batches than the fit
    // before it, and the same ones whether or not the model was saved and loaded between.
    const random = new Random(c.seed + 1 + this.logs.length);
    const mode: Mode = { training: true, random };
    const batch = this.batchArrays(Math.min(c.batchSize, learn.length));
    const order = Int32Array.from(learn);
    const step = tapedStep(params, optimizer, () => this.loss(batch, mode));
    try {
      await runTraining(ctx, {
        epochs: c.epochs,
        stepsPerEpoch: steps,
        startEpoch: () => random.shuffle(order),
        step: (s) => {
          this.fill(train, order, s * c.batchSize, batch);
          return step();
        },
        validate: validated
          ? async () => ({
              [`${validationTask} AUC`]:
                auc(this.predictSamples(validation)[validationTask]!, validation.labels[validationTask]) ??
                NaN,
            })
          : undefined,
        earlyStopping:
          validated && c.patience > 0 ? { metric: `${validationTask} AUC`, patience: c.patience } : undefined,
        params,
      });
    } finally {
      this.logs = ctx.loggedEpochs();
    }
    this.fitted = fitted(train);
  }

  /** New weights (seeded) and optimiser for `vocabulary` and the settings in force; returns the optimiser. */
  private buildNetwork(vocabulary: RankingVocabulary): Optimizer {
    const c = this.config;
    const params = new Params(new Random(c.seed));
    this.params = params;
    this.fields = new FieldEmbeddings(params, vocabulary, c.embeddingDim);
    this.build(params, this.fields, vocabulary);
    this.optimizer = new Optimizer(params.variables, c);
    this.built = { vocabulary, shape: shape(c) };
    return this.optimizer;
  }

  /** Frees the weights and optimiser (a fresh fit or a load builds new ones). */
  private reset(): void {
    this.params?.dispose();
    this.optimizer?.dispose();
    this.params = null;
    this.fields = null;
    this.optimizer = null;
    this.built = null;
    this.logs = [];
  }

  /** Refuses a resumed fit on `vocabulary` with `config` (the settings it would run with) that cannot go on. */
  private checkResumable(vocabulary: RankingVocabulary, config: C): void {
    if (!this.params || !this.built)
      throw new Error(
        `${this.name}.fit: nothing to resume; fit it first (or load a saved model), then fit(train, { resume: true }).`,
      );
    const before = this.built.vocabulary;
    if (!sameVocabulary(before, vocabulary))
      throw new Error(
        `${this.name}.fit: resume needs samples of the vocabulary of the last fit ` +
          `(${describe(before)}; samples built together share it); these have ${describe(vocabulary)}. ` +
          'Fit afresh without resume.',
      );
    const now = shape(config);
    for (const [key, was] of Object.entries(this.built.shape))
      if (now[key] !== was)
        throw new Error(
          `${this.name}.fit: ${key} was ${was} in the last fit; a resumed fit keeps the model's shape ` +
            `(${Object.keys(now).join(', ')}).`,
        );
  }

  predict(samples: RankingSamples): Predictions {
    this.requireFitted();
    return this.predictSamples(samples);
  }

  scoreItems(
    user: string | number,
    items: readonly (string | number)[] | Int32Array,
    options: ScoreOptions = {},
  ): Float32Array {
    const { vocabulary, log, users, items: itemIndex } = this.requireFitted();
    const u = lookUp(users, vocabulary.users, user, 'user');
    const ids =
      items instanceof Int32Array
        ? items
        : Int32Array.from(items, (i) => lookUp(itemIndex, vocabulary.items, i, 'item'));
    const n = ids.length;
    const none = new Uint8Array(n);
    const candidates = new RankingSamples({
      name: `candidates of ${vocabulary.users[u]}`,
      vocabulary,
      log,
      users: new Int32Array(n).fill(u),
      items: ids,
      categories: Int32Array.from(ids, (i) => vocabulary.itemCategory[i]),
      times: new Float64Array(n).fill(Infinity),
      historyEnds: new Int32Array(n).fill(log.indptr[u + 1] - log.indptr[u]),
      labels: { click: none, cart: none, buy: none },
    });
    const predicted = this.predictSamples(candidates, true);
    const weights = options.weights ?? { [options.task ?? this.tasks[0]]: 1 };
    const out = new Float32Array(n);
    for (const [task, w] of Object.entries(weights) as [Task, number][]) {
      const p = predicted[task];
      if (!p)
        throw new Error(`${this.name} does not predict "${task}"; it predicts ${this.tasks.join(', ')}.`);
      for (let i = 0; i < n; i++) out[i] += w * p[i];
    }
    return out;
  }

  /** The weight of a task's term in the loss (MMoE's taskWeights); 1 unless a model says otherwise. */
  protected taskWeight(_task: Task): number {
    return 1;
  }

  /** The BCE of every task the model outputs, each times its taskWeight, plus the model's own auxiliary loss. */
  private loss(batch: Batch, mode: Mode): tf.Scalar {
    const out = this.outputs(this.inputs(batch), mode);
    const terms: tf.Scalar[] = [];
    const weighted = (task: Task, term: tf.Tensor) => {
      const w = this.taskWeight(task);
      terms.push((w === 1 ? term : tf.mul(term, w)) as tf.Scalar);
    };
    for (const [task, logits] of Object.entries(out.logits ?? {}) as [Task, tf.Tensor1D][]) {
      weighted(
        task,
        tf.losses.sigmoidCrossEntropy(tf.tensor1d(batch.labels[task].subarray(0, batch.size)), logits),
      );
    }
    for (const [task, p] of Object.entries(out.probabilities ?? {}) as [Task, tf.Tensor1D][]) {
      weighted(
        task,
        tf.losses.logLoss(tf.tensor1d(batch.labels[task].subarray(0, batch.size)), p, undefined, 1e-7),
      );
    }
    if (out.auxiliary) terms.push(out.auxiliary);
    return tf.addN(terms) as tf.Scalar;
  }

  private predictSamples(samples: RankingSamples, shared = false): Predictions {
    const result: Predictions = {};
    for (const t of this.tasks) result[t] = new Float32Array(samples.size);
    const batch = this.batchArrays(Math.min(PREDICT_BLOCK, Math.max(1, samples.size)));
    batch.shared = shared;
    const rows = Int32Array.from({ length: samples.size }, (_, i) => i);
    for (let from = 0; from < samples.size; from += PREDICT_BLOCK) {
      this.fill(samples, rows, from, batch);
      tf.tidy(() => {
        const out = this.outputs(this.inputs(batch), SCORING);
        for (const t of this.tasks) {
          const logits = out.logits?.[t];
          const p = logits ? tf.sigmoid(logits) : out.probabilities?.[t];
          if (p) result[t]!.set(p.dataSync() as Float32Array, from);
        }
      });
    }
    return result;
  }

  /** The batch's fields embedded (inside the step's tidy). */
  protected inputs(batch: Batch): RankingInputs {
    const f = this.fields!;
    const B = batch.size;
    const L = this.config.historyLength;
    // One user's candidates share a history: it is embedded for one row and repeated, not B times.
    const H = batch.shared ? 1 : B;
    const rows = <T extends tf.Tensor>(t: T): T =>
      H === B ? t : (tf.broadcastTo(t, [B, ...t.shape.slice(1)]) as T);
    const historyItems = tf.tensor2d(batch.historyItems.subarray(0, H * L), [H, L], 'int32');
    const historyCategories = tf.tensor2d(batch.historyCategories.subarray(0, H * L), [H, L], 'int32');
    const historyBehaviours = tf.tensor2d(batch.historyBehaviours.subarray(0, H * L), [H, L], 'int32');
    const mask = tf.cast(tf.greater(historyItems, 0), 'float32') as tf.Tensor2D;
    const history = tf.mul(
      tf.add(
        tf.concat([f.items.apply(historyItems), f.categories.apply(historyCategories)], 2),
        f.behaviours.apply(historyBehaviours),
      ),
      mask.expandDims(2),
    ) as tf.Tensor3D;
    const ids = {
      users: tf.tensor1d(batch.users.subarray(0, B), 'int32'),
      items: tf.tensor1d(batch.items.subarray(0, B), 'int32'),
      categories: tf.tensor1d(batch.categories.subarray(0, B), 'int32'),
      historyItems: rows(historyItems),
    };
    return {
      size: B,
      user: f.users.apply(ids.users) as tf.Tensor2D,
      target: tf.concat([f.items.apply(ids.items), f.categories.apply(ids.categories)], 1) as tf.Tensor2D,
      history: rows(history),
      mask: rows(mask),
      ids,
    };
  }

  private batchArrays(size: number): Batch {
    const L = this.config.historyLength;
    const labels = {} as Record<Task, Float32Array>;
    for (const t of TASKS) labels[t] = new Float32Array(size);
    return {
      size,
      users: new Int32Array(size),
      items: new Int32Array(size),
      categories: new Int32Array(size),
      historyItems: new Int32Array(size * L),
      historyCategories: new Int32Array(size * L),
      historyBehaviours: new Int32Array(size * L),
      labels,
    };
  }

  /** Samples order[from …] into the batch, as slot values (index + 1). */
  private fill(samples: RankingSamples, order: Int32Array, from: number, batch: Batch): void {
    const L = this.config.historyLength;
    const size = Math.min(batch.users.length, order.length - from);
    batch.size = size;
    for (let b = 0; b < size; b++) {
      const s = order[from + b];
      batch.users[b] = samples.users[s] + 1;
      batch.items[b] = samples.items[s] + 1;
      batch.categories[b] = samples.categories[s] + 1;
      samples.history(s, L, batch.historyItems, batch.historyCategories, batch.historyBehaviours, b * L);
      for (const t of TASKS) batch.labels[t][b] = samples.labels[t][s];
    }
  }

  get vocabulary(): RankingVocabulary {
    return this.requireFitted().vocabulary;
  }

  private requireFitted(): Fitted {
    if (!this.fitted) throw new Error(`${this.name} is not fitted yet: call fit(train) first.`);
    return this.fitted;
  }
}

/** The shaping settings of `config`, as JSON text (compared, never parsed back). */
function shape(config: RankingSettings): Record<string, string> {
  const c = { ...config } as Record<string, unknown>;
  return Object.fromEntries(ARCHITECTURE.filter((k) => k in c).map((k) => [k, JSON.stringify(c[k])]));
}

function fitted({ vocabulary, log }: RankingData): Fitted {
  return { vocabulary, log, users: indexNames(vocabulary.users), items: indexNames(vocabulary.items) };
}

function lookUp(
  index: Map<string, number>,
  names: readonly string[],
  name: string | number,
  what: 'user' | 'item',
): number {
  const i = index.get(String(name));
  if (i === undefined) throw unknownName(what, name, names);
  return i;
}

/** Whether two vocabularies number the same users, items and categories alike (the weights' rows mean the same). */
function sameVocabulary(a: RankingVocabulary, b: RankingVocabulary): boolean {
  if (a === b) return true;
  const same = <T>(x: ArrayLike<T>, y: ArrayLike<T>) => {
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  };
  return (
    same(a.users, b.users) &&
    same(a.items, b.items) &&
    same(a.categories, b.categories) &&
    same(a.itemCategory, b.itemCategory)
  );
}

function describe(v: RankingVocabulary): string {
  return `${v.users.length} users, ${v.items.length} items, ${v.categories.length} categories`;
}

/** The mean of the history's real slots: [batch, 2d] (zeros for an empty history). */
export function meanPool(inputs: RankingInputs): tf.Tensor2D {
  return tf.div(tf.sum(inputs.history, 1), tf.maximum(tf.sum(inputs.mask, 1, true), 1)) as tf.Tensor2D;
}
