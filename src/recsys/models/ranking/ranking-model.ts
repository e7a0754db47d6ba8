/**
 * The family base of the rankers (LogisticRegression, DNN, DeepFM, DIN, DIEN, MMoE, ESMM), as
 * RecBole's ContextRecommender: a ranker scores (user, item) pairs at a time, with the user's
 * behaviours before that time, as a probability per task. The base does what they share:
 * the embeddings of the fields (user, item, category, and the history's items, categories
 * and behaviours), the batches, the loss over the tasks a model trains, validation AUC per
 * epoch on the latest training samples with early stopping on it, prediction in blocks, and
 * `scoreItems` for a user's candidates now (what a pipeline ranks with). A model adds its
 * layers and its outputs.
 */
import * as tf from '@tensorflow/tfjs';
import { RankingSamples, TASKS, type RankingVocabulary, type Task } from '../../data/ranking-samples';
import { auc } from '../../evaluation/ranking-metrics';
import { Embedding, Params, type Mode } from '../../engine/layers';
import { OPTIMIZER_SCHEMA, Optimizer, type OptimizerSettings } from '../../engine/optimizer';
import { checkSettings, defaults, fitSettings, fitWith, type SettingsSchema } from '../../engine/settings';
import { runTraining, tapedStep } from '../../engine/trainer';
import { TrainingContext, type FitOptions, type History } from '../../engine/training';
import { unknownName } from '../../names';
import { Random } from '../../random';

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
  protected params: Params | null = null;
  protected fields: FieldEmbeddings | null = null;
  private vocabulary: RankingVocabulary | null = null;
  private log: RankingSamples['log'] | null = null;

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
    return this.vocabulary !== null;
  }

  async fit(train: RankingSamples, options: FitOptions = {}): Promise<History> {
    const settings = fitSettings(this.schema, options, `${this.name}.fit`);
    if (options.resume)
      throw new Error(`${this.name}.fit: resume is not offered for rankers yet; fit afresh.`);
    const ctx = new TrainingContext(this.name, options);
    this.vocabulary = null;
    await fitWith(this.config, settings, () => this.train(train, ctx));
    return ctx.finish();
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
    const learn = byTime.subarray(0, byTime.length - held);
    const validation = train.subset(byTime.subarray(byTime.length - held));
    const validationTask = this.tasks[0];
    const validated =
      held > 0 && validation.positiveRate(validationTask) > 0 && validation.positiveRate(validationTask) < 1;

    this.params?.dispose();
    const params = new Params(new Random(c.seed));
    this.params = params;
    this.fields = new FieldEmbeddings(params, train.vocabulary, c.embeddingDim);
    this.build(params, this.fields, train.vocabulary);
    const optimizer = new Optimizer(params.variables, c);
    const steps = Math.ceil(learn.length / c.batchSize);
    optimizer.plan(c.epochs * steps, c);
    const random = new Random(c.seed + 1);
    const mode: Mode = { training: true, random };
    const batch = this.batchArrays(Math.min(c.batchSize, learn.length));
    const order = Int32Array.from(learn);
    const step = tapedStep(params, optimizer, () => this.loss(batch, mode));
    this.log = train.log;
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
      optimizer.dispose();
    }
    this.vocabulary = train.vocabulary;
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
    const vocabulary = this.requireFitted();
    const u = indexOf(vocabulary.users, user, 'user');
    const ids =
      items instanceof Int32Array
        ? items
        : Int32Array.from(items, (i) => indexOf(vocabulary.items, i, 'item'));
    const log = this.log!;
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
    const predicted = this.predictSamples(candidates);
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

  private predictSamples(samples: RankingSamples): Predictions {
    const result: Predictions = {};
    for (const t of this.tasks) result[t] = new Float32Array(samples.size);
    const batch = this.batchArrays(Math.min(PREDICT_BLOCK, Math.max(1, samples.size)));
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
    const ids = {
      users: tf.tensor1d(batch.users.subarray(0, B), 'int32'),
      items: tf.tensor1d(batch.items.subarray(0, B), 'int32'),
      categories: tf.tensor1d(batch.categories.subarray(0, B), 'int32'),
      historyItems: tf.tensor2d(batch.historyItems.subarray(0, B * L), [B, L], 'int32'),
    };
    const historyCategories = tf.tensor2d(batch.historyCategories.subarray(0, B * L), [B, L], 'int32');
    const historyBehaviours = tf.tensor2d(batch.historyBehaviours.subarray(0, B * L), [B, L], 'int32');
    const mask = tf.cast(tf.greater(ids.historyItems, 0), 'float32') as tf.Tensor2D;
    const history = tf.mul(
      tf.add(
        tf.concat([f.items.apply(ids.historyItems), f.categories.apply(historyCategories)], 2),
        f.behaviours.apply(historyBehaviours),
      ),
      mask.expandDims(2),
    ) as tf.Tensor3D;
    return {
      size: B,
      user: f.users.apply(ids.users) as tf.Tensor2D,
      target: tf.concat([f.items.apply(ids.items), f.categories.apply(ids.categories)], 1) as tf.Tensor2D,
      history,
      mask,
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

  private requireFitted(): RankingVocabulary {
    if (!this.vocabulary) throw new Error(`${this.name} is not fitted yet: call fit(train) first.`);
    return this.vocabulary;
  }
}

function indexOf(names: readonly string[], name: string | number, what: 'user' | 'item'): number {
  const i = names.indexOf(String(name));
  if (i < 0) throw unknownName(what, name, names);
  return i;
}

/** The mean of the history's real slots: [batch, 2d] (zeros for an empty history). */
export function meanPool(inputs: RankingInputs): tf.Tensor2D {
  return tf.div(tf.sum(inputs.history, 1), tf.maximum(tf.sum(inputs.mask, 1, true), 1)) as tf.Tensor2D;
}
