/**
 * The neural retrieval figures of `npm run bench`: TwoTower's training throughput beside
 * the same model in PyTorch (bench/reference/two_tower.py: same towers, loss, batches,
 * optimiser, data and split, torch on the CPU with TensorFlow.js's thread count), and the
 * ClusterIndex's recall@10 against exact search and its speed-up at 100,000 items.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { PYTHON, benchDatasets, printTable } from './shared';
import { initTensorFlow } from '../src/kernel/tf-backend';
import { ClusterIndex, Dataset, TwoTower, exactSearch, randomSplit, type FeatureSet } from '../src/recsys';
import { clusteredVectors } from '../test/helpers/clustered-vectors';

const EPOCHS = 5;

interface Throughput {
  samplesPerSecond: number;
  fitSeconds: number;
  meanLoss: number;
}

/** Samples per second over the whole fit (the final user and item vectors included). */
async function ours(train: Dataset, model: TwoTower): Promise<Throughput> {
  const losses: number[] = [];
  const started = performance.now();
  await model.fit(train, { epochs: EPOCHS, progress: false, onEpoch: (log) => losses.push(log.loss) });
  const fitSeconds = (performance.now() - started) / 1000;
  const batch = Math.min(model.config.batchSize, train.numInteractions);
  const samples = Math.floor(train.numInteractions / batch) * batch * EPOCHS;
  return { samplesPerSecond: samples / fitSeconds, fitSeconds, meanLoss: losses.reduce((a, b) => a + b, 0) / losses.length };
}

/** The PyTorch reference on the same training interactions and features; a reason string where it cannot run. */
async function pytorch(train: Dataset, model: TwoTower, threads: number): Promise<Throughput | string> {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) return `PyTorch is not installed for ${PYTHON} (apt-get install python3-torch)`;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-two-tower-'));
  try {
    const write = (name: string, a: Int32Array | Float32Array) => fs.writeFile(path.join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const side = async (name: string, count: number, features: FeatureSet) => {
      const groups = model.config.useFeatures ? features.groups : [];
      await Promise.all(groups.map((g) => (g.kind === 'numeric' ? write(`${name}.${g.name}.f32`, g.values!) : write(`${name}.${g.name}.i32`, g.ids))));
      return { count, groups: groups.map((g) => ({ name: g.name, kind: g.kind, width: g.width, cardinality: g.cardinality })) };
    };
    const spec = {
      ...model.config,
      epochs: EPOCHS,
      threads,
      user: await side('user', train.numUsers, train.userFeatures),
      item: await side('item', train.numItems, train.itemFeatures),
    };
    await Promise.all([write('users.i32', train.users), write('items.i32', train.items), fs.writeFile(path.join(dir, 'spec.json'), JSON.stringify(spec))]);
    const r = spawnSync(PYTHON, [path.join(import.meta.dirname, 'reference', 'two_tower.py'), dir], { encoding: 'utf8' });
    if (r.status !== 0) return `the PyTorch script failed: ${r.stderr.trim().split('\n').at(-1)}`;
    return JSON.parse(r.stdout) as Throughput;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Alternate runs of each side; the machine is shared, so each side's best run is reported. */
const RUNS = 3;

async function throughput(datasets: [string, Dataset][], threads: number): Promise<void> {
  const lines: string[][] = [];
  const ratios: number[] = [];
  const best = (runs: Throughput[]) => runs.reduce((a, b) => (b.samplesPerSecond > a.samplesPerSecond ? b : a));
  for (const [name, data] of datasets) {
    const { train } = randomSplit(data, { ratio: 0.8, seed: 0 });
    const mineRuns: Throughput[] = [];
    const referenceRuns: Throughput[] = [];
    let skipped = '';
    for (let run = 0; run < RUNS; run++) {
      const model = new TwoTower();
      const reference = skipped ? skipped : await pytorch(train, model, threads);
      if (typeof reference === 'string') skipped = reference;
      else referenceRuns.push(reference);
      mineRuns.push(await ours(train, model));
    }
    const mine = best(mineRuns);
    if (skipped) {
      console.log(`  (PyTorch reference skipped on ${name}: ${skipped})`);
      lines.push([name, `${mine.samplesPerSecond.toFixed(0)}`, '—', '—', `${mine.fitSeconds.toFixed(2)} s`, '—', mine.meanLoss.toFixed(3), '—']);
      continue;
    }
    const reference = best(referenceRuns);
    ratios.push(mine.samplesPerSecond / reference.samplesPerSecond);
    lines.push([
      name,
      mine.samplesPerSecond.toFixed(0),
      reference.samplesPerSecond.toFixed(0),
      `${(mine.samplesPerSecond / reference.samplesPerSecond).toFixed(2)}×`,
      `${mine.fitSeconds.toFixed(2)} s`,
      `${reference.fitSeconds.toFixed(2)} s`,
      mine.meanLoss.toFixed(3),
      reference.meanLoss.toFixed(3),
    ]);
  }
  const c = new TwoTower().config;
  console.log(`\nTwoTower training, ${EPOCHS} epochs, best of ${RUNS} alternating runs each: batch ${c.batchSize}, embeddings ${c.embeddingDim}, layers [${c.layers.join(', ')}], ${c.score}, in-batch negatives${c.uniformNegatives ? ` + ${c.uniformNegatives} uniform` : ''}${c.logQ ? ', logQ' : ''}; ${threads} thread(s) each\n`);
  printTable(['dataset', 'RecLab samples/s', 'PyTorch samples/s', 'ratio', 'RecLab fit', 'PyTorch fit', 'RecLab mean loss', 'PyTorch mean loss'], lines);
  if (ratios.length) console.log(`\nTarget: RecLab ≥ 0.25× PyTorch's samples/s (goal 1×): ${ratios.every((r) => r >= 0.25) ? 'met' : 'MISSED'} (worst ${Math.min(...ratios).toFixed(2)}×)`);
}

function clusterIndex(): void {
  const n = 100_000;
  const dim = 32;
  const { vectors, queries } = clusteredVectors(n, dim, { centres: 1000, noise: 0.5, queries: 300, seed: 7 });
  const started = performance.now();
  const index = ClusterIndex.build(vectors, dim, { seed: 1 });
  const buildMs = performance.now() - started;
  const exact = queries.map((q) => exactSearch(vectors, dim, q, 10));
  const exactMs: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    exactSearch(vectors, dim, q, 10);
    exactMs.push(performance.now() - t);
  }
  const exactPerQuery = exactMs.reduce((a, b) => a + b, 0) / queries.length;
  const lines: string[][] = [];
  let chosen: { nprobe: number; recall: number; speedUp: number } | undefined;
  for (const nprobe of [4, 8, 16, 32, 64]) {
    let found = 0;
    const t = performance.now();
    const results = queries.map((q) => index.search(q, 10, { nprobe }));
    const perQuery = (performance.now() - t) / queries.length;
    results.forEach((r, i) => {
      const truth = new Set(exact[i].ids);
      for (const id of r.ids) if (truth.has(id)) found++;
    });
    const recall = found / (10 * queries.length);
    const speedUp = exactPerQuery / perQuery;
    if (!chosen && recall >= 0.95) chosen = { nprobe, recall, speedUp };
    lines.push([String(nprobe), recall.toFixed(4), `${perQuery.toFixed(3)} ms`, `${exactPerQuery.toFixed(3)} ms`, `${speedUp.toFixed(1)}×`]);
  }
  console.log(`\nClusterIndex over ${n.toLocaleString('en')} item vectors (${dim} dims, 1,000 taste centres), ${index.numClusters} k-means clusters built in ${(buildMs / 1000).toFixed(1)} s; ${queries.length} queries, top 10 by inner product\n`);
  printTable(['nprobe', 'recall@10 vs exact', 'index per query', 'exact per query', 'speed-up'], lines);
  console.log(
    chosen
      ? `\nTarget: recall@10 ≥ 0.95 of exact with a speed-up at 100,000 items: ${chosen.speedUp > 1 ? 'met' : 'MISSED'} (nprobe ${chosen.nprobe}: recall ${chosen.recall.toFixed(3)}, ${chosen.speedUp.toFixed(1)}× faster)`
      : '\nTarget: recall@10 ≥ 0.95 of exact with a speed-up at 100,000 items: MISSED (no nprobe tried reached 0.95)',
  );
}

export async function neuralBench(): Promise<void> {
  const backend = await initTensorFlow();
  const threads = backend.backend === 'wasm' ? getThreadsCount() : os.cpus().length;
  console.log(`\nRecLab neural retrieval benchmark — TensorFlow.js on ${backend.backend} (${backend.device})`);
  const datasets = await benchDatasets();
  await throughput(datasets, threads);
  clusterIndex();
}
