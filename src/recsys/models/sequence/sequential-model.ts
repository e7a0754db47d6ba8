/**
 * The family base of the sequence models (SASRec, GRU4Rec, BST), as RecBole's
 * SequentialRecommender: a model reads each user's items in time order and predicts the
 * next one. The base does what they share: the sequences and their training samples, the
 * held-out validation item per user (the last training item) that drives early stopping,
 * the weights and optimiser (kept between fits, so `fit(train, { resume: true })` goes on
 * and a saved model resumes too), scoring in blocks, and the fallback for users with too
 * little history. A model adds its layers, its loss and its scores.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/dataset';
import type { Sequences } from '../../data/sequences';
import { checkpoint, restoreCheckpoint } from '../../engine/checkpoint';
import { NegativeSampler } from '../../engine/negatives';
import { Params, type Mode } from '../../engine/layers';
import { OPTIMIZER_SCHEMA, Optimizer, type OptimizerSettings } from '../../engine/optimizer';
import type { SettingsSchema } from '../../engine/settings';
import { runTraining, tapedStep } from '../../engine/trainer';
import { show, type EpochLog, type TrainingContext } from '../../engine/training';
import { Model } from '../../model';
import { Random } from '../../random';
import type { ModelState } from '../../store';

export interface SequenceSettings extends OptimizerSettings {
  /** Items of history a prediction reads (the latest ones). */
  maxLen: number;
  embeddingDim: number;
  epochs: number;
  /** Samples (sequences) per step. */
  batchSize: number;
  dropout: number;
  /** Sampled negatives per step (shared by the batch) or per positive (BST, BCE). */
  negatives: number;
  /** How negatives are drawn: uniformly or by popularity^alpha. */
  sampler: 'uniform' | 'popularity';
  alpha: number;
  /** Epochs without a better validation NDCG@10 before the fit stops (0: never stop early). */
  patience: number;
  /** Users whose held-out last training item measures each epoch (0: no validation, every item trains). */
  validationUsers: number;
  seed: number;
}

export const SEQUENCE_SCHEMA: SettingsSchema<SequenceSettings> = {
  maxLen: { type: 'int', min: 1, max: 1000, default: 50 },
  embeddingDim: { type: 'int', min: 1, default: 64 },
  epochs: { type: 'int', min: 1, default: 20 },
  batchSize: { type: 'int', min: 1, default: 128 },
  ...OPTIMIZER_SCHEMA,
  learningRate: { ...OPTIMIZER_SCHEMA.learningRate, default: 0.005 },
  dropout: { type: 'number', min: 0, max: 0.95, default: 0.2 },
  negatives: { type: 'int', min: 1, default: 1 },
  sampler: { type: 'choice', values: ['uniform', 'popularity'], default: 'uniform' },
  alpha: { type: 'number', min: 0, default: 0.75 },
  patience: { type: 'int', min: 0, default: 3 },
  validationUsers: { type: 'int', min: 0, default: 1000 },
  seed: { type: 'int', default: 42 },
};

/** Settings that shape the weights: a resumed fit keeps them. */
const ARCHITECTURE = ['maxLen', 'embeddingDim', 'blocks', 'heads', 'hidden', 'layers', 'useFeatures'];

/** Host arrays of one batch, reused from step to step. */
export interface SequenceBatch {
  size: number;
  users: Int32Array;
  /** size × maxLen slot values (item + 1; 0 pads). */
  inputs: Int32Array;
  /** 'windows': size × maxLen next items as slot values (0: no target); 'positions': size targets as item indices. */
  targets: Int32Array;
}

/** A training sample: user u's items before `end` (exclusive) are its history. */
interface Samples {
  users: Int32Array;
  ends: Int32Array;
}

/** Users scored at once when scoring or validating. */
const SCORE_BLOCK = 256;
const VALIDATION_K = 10;

export abstract class SequentialModel<C extends SequenceSettings> extends Model<C> {
  protected override readonly resumable = true;
  /** Weights and optimiser: kept after a fit (even an interrupted one) so a fit can resume. */
  protected params: Params | null = null;
  private optimizer: Optimizer | null = null;
  /** Epochs of the fits so far, so a resumed fit's curve continues theirs. */
  private logs: EpochLog[] = [];
  private seqs: Sequences | null = null;
  private popularity: Float32Array = new Float32Array(0);
  /** Changes whenever the weights do (a fit, a load): what a model caches from them is keyed by it. */
  protected weightsVersion = 0;
  /** Which slots a sample predicts: every slot's next item (SASRec, GRU4Rec) or one target after the history (BST). */
  protected abstract readonly objective: 'windows' | 'positions';

  /** Creates the layers, sized by the data. */
  protected abstract build(params: Params, seqs: Sequences): void;
  /** The batch's loss (on the device), in training mode. */
  protected abstract loss(batch: SequenceBatch, sampler: NegativeSampler, mode: Mode): tf.Scalar;
  /** Scores of every item for each window (rows × maxLen slot values) into `out` (rows × numItems). */
  protected abstract scoreWindows(windows: Int32Array, users: Int32Array, out: Float32Array): void;

  /** The sequences of the data the model was fitted on (scoring reads the latest windows). */
  protected get sequences(): Sequences {
    // Set before the first epoch, so validation scores during the fit.
    if (!this.seqs) void this.train;
    return this.seqs!;
  }

  protected async fitModel(train: Dataset, ctx: TrainingContext): Promise<void> {
    const c = this.config;
    if (train.numInteractions === 0) throw new Error(`${this.name}: the training data has no interactions.`);
    if (!train.timestamps)
      show(
        `${this.name}: the data has no timestamps; each user's interactions are taken in the order they appear.`,
      );
    const seqs = train.sequences({ maxLen: c.maxLen });
    const resume = ctx.options.resume === true;
    if (resume) this.checkResumable(train);
    else this.reset();
    // The held-out users depend on the seed alone, so a resumed fit validates on the same ones; the batches
    // go on differently.
    const validation =
      c.validationUsers > 0 ? this.validationUsers(seqs, new Random(c.seed)) : new Int32Array(0);
    const random = new Random(c.seed + 1 + this.logs.length);
    const held = new Uint8Array(train.numUsers);
    for (const u of validation) held[u] = 1;
    const samples = this.samples(seqs, held);
    this.describeData(seqs, samples);
    if (!samples.users.length)
      throw new Error(
        `${this.name}: no user has two or more interactions, so there is no next item to learn.`,
      );

    if (!this.params) {
      this.params = new Params(new Random(c.seed));
      this.build(this.params, seqs);
      this.optimizer = new Optimizer(this.params.variables, c);
    } else ctx.continueFrom(this.logs);
    const params = this.params;
    const optimizer = this.optimizer!;
    const steps = Math.ceil(samples.users.length / c.batchSize);
    optimizer.plan(c.epochs * steps, c);
    const counts = train.itemCounts();
    const sampler = new NegativeSampler(counts, { strategy: c.sampler, alpha: c.alpha, random });
    const mode: Mode = { training: true, random };
    const batch = this.batchArrays(Math.min(c.batchSize, samples.users.length));
    const order = Int32Array.from({ length: samples.users.length }, (_, i) => i);
    const step = tapedStep(params, optimizer, () => this.loss(batch, sampler, mode));
    this.seqs = seqs;
    this.popularity = popularityScores(counts);
    try {
      await runTraining(ctx, {
        epochs: c.epochs,
        stepsPerEpoch: steps,
        startEpoch: () => random.shuffle(order),
        step: (s) => {
          this.fillBatch(seqs, samples, order, s * c.batchSize, batch);
          return step();
        },
        validate: validation.length ? async () => this.validate(seqs, validation, ctx) : undefined,
        earlyStopping:
          validation.length && c.patience > 0
            ? { metric: `NDCG@${VALIDATION_K}`, patience: c.patience }
            : undefined,
        params,
      });
    } finally {
      this.logs = ctx.loggedEpochs();
      this.weightsVersion++;
    }
  }

  /** Users with two or more items are scored by the model; the rest by popularity (the fallback). */
  override scoreUsers(users: Int32Array, out: Float32Array): void {
    const seqs = this.sequences;
    const n = this.train.numItems;
    const L = seqs.maxLen;
    // The rows of `users` the model scores; the others get the fallback.
    const rows: number[] = [];
    users.forEach((u, r) => (seqs.length(u) >= 2 ? rows.push(r) : out.set(this.popularity, r * n)));
    const block = Math.min(SCORE_BLOCK, rows.length);
    const part = new Int32Array(block);
    const windows = new Int32Array(block * L);
    const scores = new Float32Array(block * n);
    for (let start = 0; start < rows.length; start += block) {
      const size = Math.min(block, rows.length - start);
      for (let b = 0; b < size; b++) {
        part[b] = users[rows[start + b]];
        windows.set(seqs.windows.subarray(part[b] * L, (part[b] + 1) * L), b * L);
      }
      this.scoreWindows(windows.subarray(0, size * L), part.subarray(0, size), scores.subarray(0, size * n));
      for (let b = 0; b < size; b++) out.set(scores.subarray(b * n, (b + 1) * n), rows[start + b] * n);
    }
  }

  protected scoreUser(u: number, out: Float32Array): void {
    this.scoreUsers(Int32Array.of(u), out);
  }

  protected override reason(u: number, item: number): string {
    if (this.sequences.length(u) < 2) return 'popular (too little history for the sequence)';
    return this.sequenceReason(u, item);
  }

  /** Why the model recommends `item` after user u's sequence. */
  protected abstract sequenceReason(u: number, item: number): string;

  /** The user's latest window as an int32 [1, maxLen] tensor. */
  protected userWindow(u: number): tf.Tensor2D {
    const L = this.sequences.maxLen;
    return tf.tensor2d(this.sequences.windows.subarray(u * L, (u + 1) * L), [1, L], 'int32');
  }

  protected state(): ModelState {
    return {
      config: { ...this.config } as Record<string, unknown>,
      ...checkpoint(this.network(), this.optimizer!, this.logs),
    };
  }

  protected restore(state: ModelState): void {
    this.reset();
    const seqs = this.train.sequences({ maxLen: this.config.maxLen });
    const params = new Params(new Random(this.config.seed));
    this.build(params, seqs);
    const optimizer = new Optimizer(params.variables, this.config);
    this.logs = restoreCheckpoint(state, params, optimizer);
    this.params = params;
    this.optimizer = optimizer;
    this.seqs = seqs;
    this.weightsVersion++;
    this.popularity = popularityScores(this.train.itemCounts());
  }

  protected network(): Params {
    void this.train;
    return this.params!;
  }

  /** Frees the weights and optimiser (a fresh fit builds new ones). */
  private reset(): void {
    this.params?.dispose();
    this.optimizer?.dispose();
    this.params = null;
    this.optimizer = null;
    this.logs = [];
  }

  private checkResumable(train: Dataset): void {
    if (!this.params)
      throw new Error(
        `${this.name}.fit: nothing to resume; fit it first (or load a saved model), then fit(train, { resume: true }).`,
      );
    const previous = this.seqs!.data;
    if (previous.numItems !== train.numItems)
      throw new Error(
        `${this.name}.fit: resume needs the same items as the last fit (${previous.numItems}); ` +
          `this data has ${train.numItems}. Fit afresh without resume.`,
      );
    const fitted = this.seqs!.maxLen;
    if (fitted !== this.config.maxLen)
      throw new Error(
        `${this.name}.fit: maxLen was ${fitted} in the last fit; a resumed fit keeps the model's shape ` +
          `(${ARCHITECTURE.filter((k) => k in this.config).join(', ')}).`,
      );
  }

  /**
   * Up to `validationUsers` users with three or more items (seeded): their last item is held out of training
   * and ranked each epoch.
   */
  private validationUsers(seqs: Sequences, random: Random): Int32Array {
    const eligible = Int32Array.from({ length: seqs.numUsers }, (_, u) => u).filter(
      (u) => seqs.length(u) >= 3,
    );
    random.shuffle(eligible);
    return eligible.slice(0, this.config.validationUsers).sort();
  }

  /**
   * The training samples. 'windows': chunks of maxLen + 1 items back from each user's end
   * (every slot predicts the next), so a long history trains on all of it, not only its
   * latest maxLen items. 'positions': every item after the first is a target.
   */
  private samples(seqs: Sequences, held: Uint8Array): Samples {
    const users: number[] = [];
    const ends: number[] = [];
    const L = seqs.maxLen;
    for (let u = 0; u < seqs.numUsers; u++) {
      const end = seqs.length(u) - held[u];
      if (end < 2) continue;
      if (this.objective === 'windows') {
        for (let e = end; e >= 2; e -= L) {
          users.push(u);
          ends.push(e);
        }
      } else {
        for (let t = 1; t < end; t++) {
          users.push(u);
          ends.push(t + 1);
        }
      }
    }
    return { users: Int32Array.from(users), ends: Int32Array.from(ends) };
  }

  /** Says what of the data the fit leaves out, once. */
  private describeData(seqs: Sequences, samples: Samples): void {
    const notes: string[] = [];
    if (seqs.truncated)
      notes.push(
        `${seqs.truncated} users have more than maxLen = ${seqs.maxLen} items: ` +
          `predictions read their latest ${seqs.maxLen} (training still learns from every item)`,
      );
    let single = 0;
    for (let u = 0; u < seqs.numUsers; u++) if (seqs.length(u) === 1) single++;
    if (single)
      notes.push(
        `${single} users with one interaction are left out of training; ` +
          'they are recommended popular items (the fallback)',
      );
    if (notes.length) show(`${this.name}: ${notes.join('; ')}. ${samples.users.length} training samples.`);
  }

  private batchArrays(size: number): SequenceBatch {
    const L = this.config.maxLen;
    return {
      size,
      users: new Int32Array(size),
      inputs: new Int32Array(size * L),
      targets: new Int32Array(this.objective === 'windows' ? size * L : size),
    };
  }

  private fillBatch(
    seqs: Sequences,
    samples: Samples,
    order: Int32Array,
    from: number,
    batch: SequenceBatch,
  ): void {
    const L = seqs.maxLen;
    const size = Math.min(batch.users.length, order.length - from);
    batch.size = size;
    for (let b = 0; b < size; b++) {
      const s = order[from + b];
      const u = samples.users[s];
      const end = samples.ends[s];
      batch.users[b] = u;
      seqs.window(u, end - 1, batch.inputs, b * L);
      if (this.objective === 'windows') seqs.window(u, end, batch.targets, b * L);
      else batch.targets[b] = seqs.item(u, end - 1);
    }
    if (this.objective === 'windows') {
      // A slot predicts only when its input is an item (the first item has no predecessor in the window).
      for (let p = 0; p < size * L; p++) if (batch.inputs[p] === 0) batch.targets[p] = 0;
    }
  }

  /** HitRate@10 and NDCG@10 of each validation user's held-out item, ranked among every item they have not had. */
  private async validate(
    seqs: Sequences,
    users: Int32Array,
    ctx: TrainingContext,
  ): Promise<Record<string, number>> {
    const n = seqs.data.numItems;
    const L = seqs.maxLen;
    const block = Math.min(SCORE_BLOCK, users.length);
    const windows = new Int32Array(block * L);
    const scores = new Float32Array(block * n);
    let hits = 0;
    let ndcg = 0;
    for (let start = 0; start < users.length; start += block) {
      const part = users.subarray(start, start + block);
      part.forEach((u, r) => seqs.window(u, seqs.length(u) - 1, windows, r * L));
      this.scoreWindows(windows.subarray(0, part.length * L), part, scores.subarray(0, part.length * n));
      part.forEach((u, r) => {
        const row = scores.subarray(r * n, (r + 1) * n);
        const len = seqs.length(u);
        const target = seqs.item(u, len - 1);
        for (let i = 0; i < len - 1; i++) row[seqs.item(u, i)] = -Infinity;
        const s = row[target];
        let rank = 1;
        // Ties count against the model, as evaluate counts them.
        for (let j = 0; j < n; j++) if (j !== target && row[j] >= s) rank++;
        if (rank <= VALIDATION_K) {
          hits++;
          ndcg += 1 / Math.log2(rank + 1);
        }
      });
      await ctx.pause();
    }
    return {
      [`HitRate@${VALIDATION_K}`]: hits / users.length,
      [`NDCG@${VALIDATION_K}`]: ndcg / users.length,
    };
  }
}

/** Popularity as scores for the fallback: counts scaled into (0, 1]. */
function popularityScores(counts: Int32Array): Float32Array {
  let max = 1;
  for (const c of counts) if (c > max) max = c;
  return Float32Array.from(counts, (c) => c / max);
}
