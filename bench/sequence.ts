/**
 * The sequence models in `npm run bench -- sequence`, on ml-latest-small (where found) and on
 * the synthetic data in chains (the next item depends on the last one), under leave-last-out:
 * - SASRec's and GRU4Rec's training throughput beside the same models in PyTorch
 *   (bench/reference/sasrec.py and gru4rec.py: same layers, initialisation, loss, training
 *   windows and optimiser, torch on the CPU with TensorFlow.js's thread count), timed over
 *   the epochs after the first of the fit whose quality is then measured;
 * - the quality of GRU4Rec, SASRec and BST beside the order-blind MostPopular, ItemCF and
 *   EASE: HitRate, NDCG, MRR and MAP at 10 with full ranking, and the fit time.
 */
import { TORCH, benchDatasets, printTable, runReference, tensorFlowThreads } from './shared';
import { initTensorFlow } from '../src/tf-backend';
import {
  BST,
  EASE,
  GRU4Rec,
  ItemCF,
  MostPopular,
  SASRec,
  evaluate,
  leaveLastOut,
  type Dataset,
  type EpochLog,
  type FitOptions,
  type Recommender,
} from '../src/recsys';

/**
 * The training settings the throughput figures are for; no validation hold-out, so every item trains and no
 * epoch pauses to validate.
 */
const TRAINING = { maxLen: 50, batchSize: 128, embeddingDim: 64, validationUsers: 0, patience: 0 };
/** Epochs before the timing starts (the first step builds the kernels). */
const WARMUP_EPOCHS = 1;

interface Candidate {
  make: () => Recommender;
  fit?: FitOptions;
  /** The PyTorch reference of the model (a script in bench/reference), for SASRec and GRU4Rec. */
  reference?: string;
}

/** SASRec and GRU4Rec with the softmax over every item (RecBole's 'CE'), beside their sampled losses. */
const FULL_SOFTMAX = 'SASRec (full softmax)';
const GRU_FULL_SOFTMAX = 'GRU4Rec (full softmax)';

/**
 * The models compared, with settings that keep the section within about twenty minutes on two
 * cores: EASE on items with at least 5 interactions (as the recsys section), the sequence
 * models for a fixed number of epochs with every item training. The full softmax costs about
 * three times the sampled losses an epoch on ml-latest-small (a product with all 9,724 items per
 * slot); SASRec trains with it for 15 epochs there: after 5 its HitRate@10 was 0.061, after 10
 * 0.090 and after 15 0.107 in one run on two shared cores (GRU4Rec, fitted 5 epochs and then
 * resumed for 5: 0.044 and 0.092; 10 epochs in one fit here gave 0.079). BST trains on every
 * position of every history (about one sample per interaction) and ranks the catalogue with a
 * pass per 2,048 items per user, so it reads shorter histories in larger batches, for fewer
 * epochs.
 */
function candidates(dataset: string): Record<string, Candidate> {
  const movies = dataset === 'ml-latest-small';
  const epochs = movies ? 10 : 6;
  return {
    MostPopular: { make: () => new MostPopular() },
    ItemCF: { make: () => new ItemCF() },
    EASE: { make: () => new EASE(), fit: { minCount: 5 } },
    GRU4Rec: { make: () => new GRU4Rec({ ...TRAINING, hidden: 64, epochs }), reference: 'gru4rec.py' },
    [GRU_FULL_SOFTMAX]: {
      make: () => new GRU4Rec({ ...TRAINING, hidden: 64, loss: 'full', epochs }),
      reference: 'gru4rec.py',
    },
    SASRec: { make: () => new SASRec({ ...TRAINING, blocks: 2, heads: 1, epochs }), reference: 'sasrec.py' },
    [FULL_SOFTMAX]: {
      make: () =>
        new SASRec({ ...TRAINING, blocks: 2, heads: 1, loss: 'full', epochs: movies ? 15 : epochs }),
      reference: 'sasrec.py',
    },
    BST: {
      make: () =>
        new BST({ validationUsers: 0, patience: 0, maxLen: 10, batchSize: 512, epochs: movies ? 1 : 2 }),
    },
  };
}

/** PyTorch's timed epochs at most: a rate needs no more, and the section stays short. */
const REFERENCE_TIMED_EPOCHS = 2;

interface Throughput {
  samplesPerSecond: number;
  /** Mean loss of each epoch, the warm-up included. */
  losses: number[];
  /** PyTorch only: the loss of the very first step. */
  firstLoss?: number;
}

/**
 * The training samples as the sequence models make them (sequential-model.ts): per user,
 * windows of maxLen + 1 items back from the latest, each slot's input an item (slot value
 * item + 1, left-padded with 0) and its target the next item (0 where the slot has no input).
 */
function trainingWindows(
  data: Dataset,
  maxLen: number,
): { count: number; inputs: Int32Array; targets: Int32Array } {
  const seqs = data.sequences({ maxLen });
  const samples: [number, number][] = [];
  for (let u = 0; u < seqs.numUsers; u++)
    for (let end = seqs.length(u); end >= 2; end -= maxLen) samples.push([u, end]);
  const inputs = new Int32Array(samples.length * maxLen);
  const targets = new Int32Array(samples.length * maxLen);
  samples.forEach(([u, end], s) => {
    seqs.window(u, end - 1, inputs, s * maxLen);
    seqs.window(u, end, targets, s * maxLen);
  });
  for (let p = 0; p < inputs.length; p++) if (inputs[p] === 0) targets[p] = 0;
  return { count: samples.length, inputs, targets };
}

/** RecLab's figures from the fit's epochs (each epoch is every window once). */
function ours(logs: EpochLog[], samples: number): Throughput {
  const timed = logs.slice(WARMUP_EPOCHS);
  const seconds = timed.reduce((a, l) => a + l.seconds, 0);
  return { samplesPerSecond: (samples * timed.length) / seconds, losses: logs.map((l) => l.loss) };
}

type Windows = ReturnType<typeof trainingWindows>;

/** The same training in PyTorch on the same windows; a reason string where it cannot run. */
function pytorch(
  script: string,
  train: Dataset,
  windows: Windows,
  config: object & { epochs: number },
  threads: number,
): Promise<Throughput | string> {
  const counts = new Int32Array(train.numItems);
  for (const i of train.items) counts[i]++;
  const timedEpochs = Math.min(config.epochs - WARMUP_EPOCHS, REFERENCE_TIMED_EPOCHS);
  const spec = {
    ...config,
    epochs: WARMUP_EPOCHS + timedEpochs,
    threads,
    numItems: train.numItems,
    warmupEpochs: WARMUP_EPOCHS,
    timedEpochs,
  };
  return runReference<Throughput>(script, TORCH, spec, {
    'inputs.i32': windows.inputs,
    'targets.i32': windows.targets,
    'counts.i32': counts,
  });
}

const METRICS = ['HitRate@10', 'NDCG@10', 'MRR@10', 'MAP@10'];
const f3 = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(3));

/** The names `--models` may give this section. */
export const SEQUENCE_MODELS = Object.keys(candidates('synthetic'));

/** `models`: only these candidates (all when null). */
export async function sequenceBench(models: string[] | null = null): Promise<void> {
  const backend = await initTensorFlow();
  const threads = tensorFlowThreads(backend.backend);
  console.log(
    `\nRecLab sequence model benchmark — TensorFlow.js on ${backend.backend} (${backend.device}); ` +
      'timings on a shared machine are approximate\n',
  );
  const datasets = await benchDatasets({ order: 'chains' });

  const speed: string[][] = [];
  const ratios: number[] = [];
  const scores: string[][] = [];
  const hitRate = new Map<string, number>();
  for (const [dataset, data] of datasets) {
    console.log(`${dataset}: ${data.toString()}`);
    const split = leaveLastOut(data);
    for (const [name, { make, fit, reference }] of Object.entries(candidates(dataset))) {
      if (models && !models.includes(name)) continue;
      const model = make();
      const logs: EpochLog[] = [];
      const settings =
        model instanceof SASRec || model instanceof GRU4Rec || model instanceof BST
          ? `${model.config.epochs} epoch${model.config.epochs === 1 ? '' : 's'}, ` +
            `maxLen ${model.config.maxLen}, batch ${model.config.batchSize}`
          : '';
      try {
        const started = performance.now();
        await model.fit(split.train, { progress: false, ...fit, onEpoch: (log) => logs.push(log) });
        const fitSeconds = (performance.now() - started) / 1000;
        const e = await evaluate(model, split, { k: [10], progress: false });
        const values = METRICS.map((m) => e.value(m, 0) as number);
        hitRate.set(`${dataset}/${name}`, values[0]);
        scores.push([
          dataset,
          name,
          settings,
          ...values.map((v) => v.toFixed(4)),
          `${fitSeconds.toFixed(1)} s`,
        ]);
      } catch (err) {
        console.log(`  ${name} on ${dataset} failed: ${err instanceof Error ? err.message : String(err)}`);
        scores.push([dataset, name, settings, ...METRICS.map(() => 'failed'), '—']);
        continue;
      }
      if (reference && (model instanceof SASRec || model instanceof GRU4Rec)) {
        const windows = trainingWindows(split.train, model.config.maxLen);
        const mine = ours(logs, windows.count);
        const theirs = await pytorch(reference, split.train, windows, model.config, threads);
        const timedTheirs = typeof theirs === 'string' ? '—' : theirs.losses.length - WARMUP_EPOCHS;
        const timed = `${logs.length - WARMUP_EPOCHS} / ${timedTheirs}`;
        const row = [
          dataset,
          name,
          `${windows.count} / ${Math.ceil(windows.count / model.config.batchSize)}`,
          timed,
          mine.samplesPerSecond.toFixed(0),
        ];
        if (typeof theirs === 'string') {
          console.log(`  (PyTorch ${name} reference skipped: ${theirs})`);
          speed.push([
            ...row,
            '—',
            '—',
            '',
            `${f3(mine.losses[0])} / —`,
            `${mine.losses.length}: ${f3(mine.losses.at(-1))} / —`,
          ]);
        } else {
          const ratio = mine.samplesPerSecond / theirs.samplesPerSecond;
          ratios.push(ratio);
          const target = `${ratio >= 0.5 ? 'met' : 'MISSED'}; goal ${ratio >= 1 ? 'met' : 'not yet'}`;
          // The last epoch both ran: the curves should agree (same model, data and optimiser).
          const last = theirs.losses.length;
          const losses = [
            `${f3(mine.losses[0])} / ${f3(theirs.losses[0])} (${f3(theirs.firstLoss)})`,
            `${last}: ${f3(mine.losses[last - 1])} / ${f3(theirs.losses[last - 1])}`,
          ];
          speed.push([...row, theirs.samplesPerSecond.toFixed(0), `${ratio.toFixed(2)}×`, target, ...losses]);
        }
      }
      console.log(`  ${dataset} / ${name}: done`);
    }
  }

  console.log(
    '\nSASRec and GRU4Rec training, timed over the epochs after the first ' +
      '(samples = training windows of up to maxLen + 1 items, each once an epoch; ' +
      `maxLen ${TRAINING.maxLen}, batch ${TRAINING.batchSize}, embeddings ${TRAINING.embeddingDim}; ` +
      'SASRec 2 blocks × 1 head, BCE with one sampled negative per slot or the full softmax; ' +
      `GRU4Rec hidden 64, sampled softmax over ${new GRU4Rec().config.negatives} shared negatives ` +
      'or the full softmax; ' +
      `Adam; no validation), on the leave-last-out training data; ${threads} thread(s) each\n`,
  );
  printTable(
    [
      'dataset',
      'model',
      'samples / steps an epoch',
      'timed epochs RecLab / PyTorch',
      'RecLab samples/s',
      'PyTorch samples/s',
      'ratio',
      'target ≥ 0.5× (goal 1×)',
      'epoch 1 loss RecLab / PyTorch (PyTorch step 1)',
      'epoch k: loss RecLab / PyTorch',
    ],
    speed,
  );
  if (ratios.length)
    console.log(
      `\nTarget: RecLab ≥ 0.5× PyTorch's samples/s (goal 1×): ${ratios.every((r) => r >= 0.5) ? 'met' : 'MISSED'} ` +
        `(worst ${Math.min(...ratios).toFixed(2)}×, best ${Math.max(...ratios).toFixed(2)}×)`,
    );

  console.log(
    "\nQuality under leave-last-out (each user's latest item), " +
      'full ranking over every item the user has not trained on\n',
  );
  printTable(['dataset', 'model', 'settings', ...METRICS, 'fit'], scores);
  const targets: string[][] = [];
  const check = (what: string, model: string, baseline: string, factor: number) => {
    const [m, b] = [hitRate.get(model), hitRate.get(baseline)];
    if (m !== undefined && b !== undefined)
      targets.push([
        what,
        `${m.toFixed(4)} vs ${(factor * b).toFixed(4)}`,
        m >= factor * b ? 'met' : 'MISSED',
      ]);
  };
  check(
    "SASRec HitRate@10 (full softmax) ≥ EASE's on ml-latest-small",
    `ml-latest-small/${FULL_SOFTMAX}`,
    'ml-latest-small/EASE',
    1,
  );
  check(
    "SASRec HitRate@10 ≥ 1.5 × ItemCF's on the synthetic chains",
    'synthetic (chains)/SASRec',
    'synthetic (chains)/ItemCF',
    1.5,
  );
  if (targets.length) {
    console.log('\nTargets\n');
    printTable(['target', 'measured', ''], targets);
  }
}
