/**
 * The rankers in `npm run bench -- ranking`, on the synthetic Taobao-like behaviour log
 * (`rl.importSyntheticBehaviour`, default size) made into samples by `rl.rankingSamples`
 * (one click sample per pv, one sampled negative each, the last day the test set):
 * - DeepFM's and DIN's training throughput beside the same models in PyTorch
 *   (bench/reference/deepfm.py and din.py: same fields and embeddings, layers, initialisation,
 *   loss, batches and Adam, torch on the CPU with TensorFlow.js's thread count, on the same
 *   samples with the same history windows), timed over the epochs after the first of the fit
 *   whose AUC is then measured, with both sides' loss after epoch 1;
 * - the AUC, GAUC and log loss of every ranker on the test days (`rl.evaluateRanking`), with
 *   the targets: DIN over DNN, DIEN over DIN, ESMM's entire-space buy model over a CVR model
 *   trained on the clicked samples only, MMoE's buy task over a single-task buy model;
 * - the time and peak memory of `rl.rankingSamples` on generated logs of 1M and 10M rows, each
 *   built in a child process of its own (so its peak is the build's, read from VmHWM).
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Database } from '../src/data';
import { initTensorFlow } from '../src/tf-backend';
import {
  DIEN,
  DIN,
  DNN,
  DeepFM,
  ESMM,
  LogisticRegression,
  MMoE,
  evaluateRanking,
  importSyntheticBehaviour,
  rankingSamples,
  type EpochLog,
  type Ranker,
} from '../src/recsys';
import { TORCH, printTable, runReference, tensorFlowThreads } from './shared';

type Split = Awaited<ReturnType<typeof rankingSamples>>;
type Samples = Split['train'];
type Task = Ranker['tasks'][number];

/**
 * The fits, every one on all the training samples (no validation hold-out, so no early
 * stopping and no epoch pauses to validate) for the same 2 epochs: enough for the validation
 * AUC to level off on this log, few enough that the section stays near a quarter of an hour on
 * two cores. DIEN costs far more an epoch than the others (two GRUs over the history and an
 * auxiliary loss), but it is compared with DIN, so it gets DIN's epochs: with 1 it stopped
 * below DIN (0.9825 against 0.9836, seed 42), with 2 above it (0.9840).
 */
const FIT = { validation: 0, patience: 0 };
const EPOCHS = 2;

interface Candidate {
  make: () => Ranker & { config: { epochs: number } };
  /** The PyTorch reference of the model (a script in bench/reference), for DeepFM and DIN. */
  reference?: string;
}

const CVR = 'DNN CVR (buy, clicked only)';
const BUY = 'DNN (buy)';

const CANDIDATES: Record<string, Candidate> = {
  LogisticRegression: { make: () => new LogisticRegression({ ...FIT, epochs: EPOCHS }) },
  DNN: { make: () => new DNN({ ...FIT, epochs: EPOCHS }) },
  DeepFM: { make: () => new DeepFM({ ...FIT, epochs: EPOCHS }), reference: 'deepfm.py' },
  DIN: { make: () => new DIN({ ...FIT, epochs: EPOCHS }), reference: 'din.py' },
  DIEN: { make: () => new DIEN({ ...FIT, epochs: EPOCHS }) },
  MMoE: { make: () => new MMoE({ ...FIT, epochs: EPOCHS }) },
  ESMM: { make: () => new ESMM({ ...FIT, epochs: EPOCHS }) },
  [CVR]: { make: () => new DNN({ ...FIT, epochs: EPOCHS, task: 'buy', trainOn: 'clicked' }) },
  [BUY]: { make: () => new DNN({ ...FIT, epochs: EPOCHS, task: 'buy' }) },
};

/** PyTorch's timed epochs at most: a rate needs no more, and the section stays short. */
const REFERENCE_TIMED_EPOCHS = 1;

interface Throughput {
  samplesPerSecond: number;
  /** Mean loss of each epoch, the warm-up included. */
  losses: number[];
  /** PyTorch only: the loss of the very first step. */
  firstLoss?: number;
}

/**
 * The training samples as the rankers batch them (ranking-model.ts `fill`), built once:
 * slot values (index + 1) of user, item and category, each sample's history window of
 * `length` behaviours (items, categories, behaviour codes; left padded with 0) and its label.
 */
function sampleArrays(train: Samples, length: number, task: Task): Record<string, Int32Array | Float32Array> {
  const n = train.size;
  const plus1 = (a: Int32Array) => Int32Array.from(a, (v) => v + 1);
  const items = new Int32Array(n * length);
  const categories = new Int32Array(n * length);
  const behaviours = new Int32Array(n * length);
  for (let s = 0; s < n; s++) train.history(s, length, items, categories, behaviours, s * length);
  return {
    'users.i32': plus1(train.users),
    'items.i32': plus1(train.items),
    'categories.i32': plus1(train.categories),
    'history_items.i32': items,
    'history_categories.i32': categories,
    'history_behaviours.i32': behaviours,
    'labels.f32': Float32Array.from(train.labels[task]),
  };
}

/** Epochs before the timing starts (the first step builds the kernels); none where the fit has one epoch. */
const warmup = (epochs: number) => (epochs > 1 ? 1 : 0);

/** RecLab's figures from the fit's epochs (each epoch is every training sample once). */
function ours(logs: EpochLog[], samples: number): Throughput {
  const timed = logs.slice(warmup(logs.length));
  const seconds = timed.reduce((a, l) => a + l.seconds, 0);
  return { samplesPerSecond: (samples * timed.length) / seconds, losses: logs.map((l) => l.loss) };
}

/** The same training in PyTorch on the same samples; a reason string where it cannot run. */
function pytorch(
  script: string,
  train: Samples,
  config: { epochs: number; historyLength: number; task: Task },
  threads: number,
): Promise<Throughput | string> {
  const warmupEpochs = warmup(config.epochs);
  const timedEpochs = Math.min(config.epochs - warmupEpochs, REFERENCE_TIMED_EPOCHS);
  const v = train.vocabulary;
  const spec = {
    ...config,
    threads,
    users: v.users.length,
    items: v.items.length,
    categories: v.categories.length,
    warmupEpochs,
    timedEpochs,
  };
  return runReference<Throughput>(
    script,
    TORCH,
    spec,
    sampleArrays(train, config.historyLength, config.task),
  );
}

const f3 = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? '—' : x.toFixed(3);
const f4 = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? '—' : x.toFixed(4);

/** The names `--models` may give this section. */
export const RANKING_MODELS = Object.keys(CANDIDATES);

/** `models`: only these candidates, and no sample-building figures (everything when null). */
export async function rankingBench(models: string[] | null = null): Promise<void> {
  const backend = await initTensorFlow();
  const threads = tensorFlowThreads(backend.backend);
  console.log(
    `\nRecLab ranking benchmark — TensorFlow.js on ${backend.backend} (${backend.device}); ` +
      'timings on a shared machine are approximate\n',
  );

  const db = await Database.open();
  let split: Split;
  try {
    const log = await importSyntheticBehaviour(db);
    console.log(log.truth.description.split('\n')[0]);
    split = await rankingSamples(db, 'taobao');
  } finally {
    db.close();
  }
  console.log(`${split.description}\n`);

  // Every fit first (each logs its epochs), then the figures.
  const fitted: Record<string, Ranker> = {};
  const fitSeconds = new Map<string, number>();
  const epochLogs = new Map<string, EpochLog[]>();
  for (const [name, { make }] of Object.entries(CANDIDATES)) {
    if (models && !models.includes(name)) continue;
    const model = make();
    const logs: EpochLog[] = [];
    try {
      const started = performance.now();
      await model.fit(split.train, { progress: false, onEpoch: (log) => logs.push(log) });
      fitSeconds.set(name, (performance.now() - started) / 1000);
      fitted[name] = model;
      epochLogs.set(name, logs);
      console.log(
        `  ${name}: ${model.config.epochs} epoch${model.config.epochs === 1 ? '' : 's'} ` +
          `in ${fitSeconds.get(name)!.toFixed(1)} s, loss ${logs.map((l) => f3(l.loss)).join(' → ')}`,
      );
    } catch (err) {
      console.log(`  ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  await throughputFigures(split.train, fitted, epochLogs, threads);
  await aucFigures(split, fitted, fitSeconds);
  if (!models) await buildFigures();
}

async function throughputFigures(
  train: Samples,
  fitted: Record<string, Ranker>,
  epochLogs: Map<string, EpochLog[]>,
  threads: number,
): Promise<void> {
  const speed: string[][] = [];
  const ratios: number[] = [];
  const settings: string[] = [];
  for (const [name, { reference }] of Object.entries(CANDIDATES)) {
    const model = fitted[name] as
      | (Ranker & {
          config: {
            epochs: number;
            historyLength: number;
            batchSize: number;
            embeddingDim: number;
            task: Task;
            layers: number[];
          };
        })
      | undefined;
    if (!reference || !model) continue;
    const c = model.config;
    settings.push(`${name} ${c.epochs} epochs, layers [${c.layers.join(', ')}]`);
    const logs = epochLogs.get(name)!;
    const mine = ours(logs, train.size);
    const theirs = await pytorch(reference, train, c, threads);
    const timedTheirs = typeof theirs === 'string' ? '—' : theirs.losses.length - warmup(c.epochs);
    const timed = `${logs.length - warmup(logs.length)} / ${timedTheirs}`;
    const row = [
      name,
      `${train.size} / ${Math.ceil(train.size / c.batchSize)}`,
      timed,
      mine.samplesPerSecond.toFixed(0),
    ];
    if (typeof theirs === 'string') {
      console.log(`  (PyTorch ${name} reference skipped: ${theirs})`);
      speed.push([...row, '—', '—', '', `${f3(mine.losses[0])} / —`]);
      continue;
    }
    const ratio = mine.samplesPerSecond / theirs.samplesPerSecond;
    ratios.push(ratio);
    speed.push([
      ...row,
      theirs.samplesPerSecond.toFixed(0),
      `${ratio.toFixed(2)}×`,
      ratio >= 0.5 ? 'met' : 'MISSED',
      `${f3(mine.losses[0])} / ${f3(theirs.losses[0])} (${f3(theirs.firstLoss)})`,
    ]);
  }
  if (!speed.length) return;
  const any = fitted.DIN ?? fitted.DeepFM;
  const c = (
    any as unknown as {
      config: { historyLength: number; batchSize: number; embeddingDim: number; learningRate: number };
    }
  ).config;
  console.log(
    '\nDeepFM and DIN training (click), timed over the epochs after the first ' +
      `(samples = training samples, each once an epoch; embeddings ${c.embeddingDim}, ` +
      `history ${c.historyLength}, batch ${c.batchSize}, Adam ${c.learningRate}; ${settings.join('; ')}; ` +
      `no validation), on the ${train.size} training samples; ${threads} thread(s) each\n`,
  );
  printTable(
    [
      'model',
      'samples / steps an epoch',
      'timed epochs RecLab / PyTorch',
      'RecLab samples/s',
      'PyTorch samples/s',
      'ratio',
      'target ≥ 0.5×',
      'epoch 1 loss RecLab / PyTorch (PyTorch step 1)',
    ],
    speed,
  );
  if (ratios.length)
    console.log(
      `\nTarget: RecLab ≥ 0.5× PyTorch's samples/s: ${ratios.every((r) => r >= 0.5) ? 'met' : 'MISSED'} ` +
        `(worst ${Math.min(...ratios).toFixed(2)}×, best ${Math.max(...ratios).toFixed(2)}×)`,
    );
}

async function aucFigures(
  split: Split,
  fitted: Record<string, Ranker>,
  fitSeconds: Map<string, number>,
): Promise<void> {
  if (!Object.keys(fitted).length) return;
  // The models are fitted already: evaluateRanking only predicts the test samples and judges them.
  const e = await evaluateRanking(fitted, split, { progress: false });
  const lines: string[][] = [];
  for (const name of e.models) {
    const model = fitted[name] as Ranker & { config: { epochs: number } };
    for (const task of model.tasks) {
      const m = (metric: 'AUC' | 'GAUC' | 'log_loss') => e.metric(name, task, metric);
      lines.push([
        name,
        String(model.config.epochs),
        task,
        f4(m('AUC')),
        f4(m('GAUC')),
        f4(m('log_loss')),
        `${fitSeconds.get(name)!.toFixed(1)} s`,
      ]);
    }
  }
  console.log(
    `\nRankers on the test days of the synthetic log (${split.test.size} samples; ` +
      `AUC over all of them, GAUC per user), fitted on the ${split.train.size} training samples ` +
      'with no validation hold-out\n',
  );
  printTable(['model', 'epochs', 'task', 'AUC', 'GAUC', 'log loss', 'fit'], lines);

  const targets: string[][] = [];
  const auc = (model: string, task: Task) => (fitted[model] ? e.metric(model, task, 'AUC') : null);
  const check = (what: string, model: number | null, baseline: number | null, margin = 0) => {
    if (model === null || baseline === null) targets.push([what, 'not measured', '—']);
    else
      targets.push([
        what,
        `${model.toFixed(4)} vs ${(baseline + margin).toFixed(4)}`,
        model >= baseline + margin ? 'met' : 'MISSED',
      ]);
  };
  check("DIN's click AUC ≥ DNN's + 0.01", auc('DIN', 'click'), auc('DNN', 'click'), 0.01);
  check("DIEN's click AUC ≥ DIN's", auc('DIEN', 'click'), auc('DIN', 'click'));
  check(
    `ESMM's buy AUC (pCTCVR, all test samples) ≥ the clicked-only CVR model's (all test samples)`,
    auc('ESMM', 'buy'),
    auc(CVR, 'buy'),
  );
  check("MMoE's buy AUC ≥ the single-task buy model's", auc('MMoE', 'buy'), auc(BUY, 'buy'));
  console.log('\nTargets\n');
  printTable(['target', 'measured', ''], targets);
}

// ——— Sample building ———

/** The log sizes built, and the targets at the largest. */
const BUILD_ROWS = [1_000_000, 10_000_000];
const BUILD_TARGET = { seconds: 60, bytes: 4 * 2 ** 30 };
/** A child still building after this long is stopped. */
const BUILD_TIMEOUT_MS = 600_000;
const CHILD = '--ranking-build-child';

/**
 * A Taobao UserBehavior-like log of `rows` rows made in SQL (hash-based columns, so the same
 * rows every run, and never held in JavaScript): a user per 100 rows, an item per 25 (popularity
 * skewed: the item is the square of a uniform draw), a category per 10,000 (each item in one),
 * behaviours pv 89.5 %, cart 5.5 %, fav 3 %, buy 2 %, over 9 days from 2017-11-25, in no order.
 */
function generateLog(rows: number): string {
  const users = Math.max(1, Math.round(rows / 100));
  const items = Math.max(1, Math.round(rows / 25));
  const categories = Math.max(10, Math.round(rows / 10_000));
  const start = Date.UTC(2017, 10, 25) / 1000 - 8 * 3600;
  const uniform = (salt: number) => `((hash(range, ${salt}) % 1000000007) / 1000000007.0)`;
  return `CREATE OR REPLACE TABLE behaviour_log AS
    SELECT "user", item, (hash(item, 3) % ${categories})::INTEGER + 1 AS category, behaviour, "timestamp" FROM (
      SELECT (hash(range, 1) % ${users})::INTEGER + 1 AS "user",
             least(floor(pow(${uniform(2)}, 2) * ${items}), ${items - 1})::INTEGER + 1 AS item,
             CASE WHEN b < 0.895 THEN 'pv' WHEN b < 0.95 THEN 'cart' WHEN b < 0.98 THEN 'fav' ELSE 'buy' END
               AS behaviour,
             (${start} + hash(range, 4) % ${9 * 86_400})::BIGINT AS "timestamp"
      FROM (SELECT range, ${uniform(5)} AS b FROM range(${rows}))
    )`;
}

interface BuildFigures {
  rows: number;
  generateSeconds: number;
  buildSeconds: number;
  /** Resident memory before the build (the log in DuckDB, the libraries loaded). */
  rssBefore: number;
  /**
   * The process's peak resident memory (VmHWM), the log's generation included; the largest RSS sampled during
   * the build where /proc is not there.
   */
  peak: number;
  peakSource: string;
  train: number;
  test: number;
  behaviours: number;
  users: number;
  items: number;
}

/** The peak resident memory from /proc/self/status, or null where there is none. */
function vmHWM(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** In the child: generate the log, build the samples, report. */
async function buildChild(rows: number): Promise<BuildFigures> {
  const db = await Database.open();
  try {
    let started = performance.now();
    await db.run(generateLog(rows));
    const generateSeconds = (performance.now() - started) / 1000;
    const rssBefore = process.memoryUsage().rss;
    let sampled = rssBefore;
    const timer = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 50);
    started = performance.now();
    let split: Split;
    try {
      split = await rankingSamples(db, 'behaviour_log');
    } finally {
      clearInterval(timer);
    }
    const buildSeconds = (performance.now() - started) / 1000;
    const hwm = vmHWM();
    return {
      rows,
      generateSeconds,
      buildSeconds,
      rssBefore,
      peak: hwm ?? Math.max(sampled, process.memoryUsage().rss),
      peakSource: hwm === null ? 'sampled RSS' : 'VmHWM',
      train: split.train.size,
      test: split.test.size,
      behaviours: split.train.log.items.length,
      users: split.train.vocabulary.users.length,
      items: split.train.vocabulary.items.length,
    };
  } finally {
    db.close();
  }
}

/**
 * Runs buildChild(rows) in a fresh process (this file, with the parent's loader); a string says why it gave
 * nothing.
 */
function inChild(rows: number): Promise<BuildFigures | string> {
  return new Promise((resolve) => {
    const child = fork(import.meta.filename, [CHILD, String(rows)], {
      execArgv: process.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    let result: BuildFigures | string | null = null;
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('message', (m) => (result = m as BuildFigures | string));
    const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result !== null) resolve(result);
      else if (signal === 'SIGKILL')
        resolve(`stopped after ${BUILD_TIMEOUT_MS / 1000} s (or killed for memory)`);
      else resolve(`the child exited with ${signal ?? code}: ${stderr.trim().split('\n').at(-1) ?? ''}`);
    });
  });
}

async function buildFigures(): Promise<void> {
  const lines: string[][] = [];
  const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  const largest = BUILD_ROWS.at(-1)!;
  const verdicts: string[] = [];
  for (const rows of BUILD_ROWS) {
    const r = await inChild(rows);
    const label = `${rows / 1e6}M`;
    if (typeof r === 'string') {
      console.log(`  (building ${label} rows failed: ${r})`);
      lines.push([label, '—', '—', '—', '—', '—', '—']);
      if (rows === largest) verdicts.push('time MISSED (no result)', 'memory MISSED (no result)');
      continue;
    }
    lines.push([
      label,
      [r.behaviours, r.users, r.items].map((n) => n.toLocaleString('en-US')).join(' / '),
      `${r.train.toLocaleString('en-US')} / ${r.test.toLocaleString('en-US')}`,
      `${r.generateSeconds.toFixed(1)} s`,
      `${r.buildSeconds.toFixed(1)} s`,
      gb(r.rssBefore),
      `${gb(r.peak)} (${r.peakSource})`,
    ]);
    if (rows === largest) {
      verdicts.push(
        `time ${r.buildSeconds.toFixed(1)} s < ${BUILD_TARGET.seconds} s ` +
          (r.buildSeconds < BUILD_TARGET.seconds ? 'met' : 'MISSED'),
      );
      verdicts.push(
        `peak memory ${gb(r.peak)} < ${gb(BUILD_TARGET.bytes)} ${r.peak < BUILD_TARGET.bytes ? 'met' : 'MISSED'}`,
      );
    }
  }
  console.log(
    '\nrl.rankingSamples on generated Taobao-like logs (a user per 100 rows, an item per 25, skewed; ' +
      'pv 89.5 %, cart 5.5 %, fav 3 %, buy 2 %; 9 days; defaults: 1 negative per click, the last day the test), ' +
      'each in a child process of its own: the log is made in DuckDB SQL, then the samples built; ' +
      'peak = the process’s peak resident memory, the log’s generation included\n',
  );
  printTable(
    [
      'log rows',
      'behaviours / users / items kept',
      'samples train / test',
      'generate',
      'build',
      'RSS before build',
      'peak',
    ],
    lines,
  );
  console.log(`\nTargets at ${largest / 1e6}M rows: ${verdicts.join('; ')}`);
}

if (process.argv[1] === import.meta.filename && process.argv[2] === CHILD) {
  let message: BuildFigures | string;
  try {
    message = await buildChild(Number(process.argv[3]));
  } catch (err) {
    message = err instanceof Error ? err.message : String(err);
  }
  process.send!(message, () => process.exit(0));
}
