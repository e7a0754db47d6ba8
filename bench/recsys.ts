/**
 * The recommender library's quality and speed, in `npm run bench`: for every model in the
 * registry, on MovieLens ml-latest-small (where found) and on the synthetic sample, under a
 * random 80/20 per-user split and leave-last-out, Recall@10 and NDCG@10 with full ranking,
 * the fit time and `recommend` latency (p50/p99). Beside them, ItemCF written in SciPy
 * sparse, run on the same split in the same run, with both fit times and their ratio.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PYTHON, benchDatasets, printTable, quantile } from './shared';
import { initTensorFlow } from '../src/kernel/tf-backend';
import {
  ItemCF,
  MODELS,
  SequentialModel,
  evaluate,
  leaveLastOut,
  randomSplit,
  type FitOptions,
  type Split,
} from '../src/recsys';

/** Per-model fit options for the bench: EASE on items with at least 5 ratings, as the issue sets it. */
const FIT_OPTIONS: Record<string, FitOptions> = { EASE: { minCount: 5 } };

interface Row {
  dataset: string;
  split: string;
  model: string;
  recall: number;
  ndcg: number;
  fitMs: number;
  p50: number;
  p99: number;
  items: number;
}

function latency(model: ReturnType<(typeof MODELS)[string]>, split: Split): { p50: number; p99: number } {
  const users = split.train.userNames;
  for (let i = 0; i < 20; i++) model.recommend(users[i % users.length], { k: 10 });
  const times: number[] = [];
  for (let i = 0; i < 300; i++) {
    const user = users[(i * 7919) % users.length];
    const t = performance.now();
    model.recommend(user, { k: 10 });
    times.push(performance.now() - t);
  }
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

async function runModels(dataset: string, split: Split, rows: Row[]): Promise<void> {
  for (const [name, make] of Object.entries(MODELS)) {
    const model = make();
    // The sequence models have a section of their own (npm run bench -- sequence), with settings for them.
    if (model instanceof SequentialModel) continue;
    const started = performance.now();
    try {
      await model.fit(split.train, { progress: false, ...FIT_OPTIONS[name] });
    } catch (e) {
      console.log(
        `  ${name} on ${dataset} / ${split.name} failed: ${e instanceof Error ? e.message : String(e)}`,
      );
      continue;
    }
    const fitMs = performance.now() - started;
    const e = await evaluate(model, split, { k: [10], progress: false });
    rows.push({
      dataset,
      split: split.name,
      model: name,
      recall: e.value('Recall@10', 0) as number,
      ndcg: e.value('NDCG@10', 0) as number,
      fitMs,
      ...latency(model, split),
      items: split.train.numItems,
    });
    process.stdout.write(`  ${dataset} / ${split.name} / ${name}: done\n`);
  }
}

interface Reference {
  fitMs: number;
  recall: number;
  ndcg: number;
}

/** ItemCF in SciPy on the same split; null (with the reason printed) where it cannot run. */
async function scipyItemCF(split: Split, config: ItemCF['config']): Promise<Reference | string> {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import scipy, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) return `SciPy is not installed for ${PYTHON} (apt-get install python3-scipy)`;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-ref-'));
  try {
    const write = (name: string, a: Int32Array) =>
      fs.writeFile(path.join(dir, `${name}.bin`), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    await Promise.all([
      write('train_users', split.train.users),
      write('train_items', split.train.items),
      write('test_users', split.test.users),
      write('test_items', split.test.items),
      write('shape', Int32Array.of(split.train.numUsers, split.train.numItems)),
    ]);
    const script = path.join(import.meta.dirname, 'reference', 'itemcf.py');
    const r = spawnSync(PYTHON, [script, dir, String(config.neighbours), String(config.shrink)], {
      encoding: 'utf8',
    });
    if (r.status !== 0) return `the SciPy script failed: ${r.stderr.trim().split('\n').at(-1)}`;
    const out = JSON.parse(r.stdout) as { fit_seconds: number; recall10: number; ndcg10: number };
    return { fitMs: out.fit_seconds * 1000, recall: out.recall10, ndcg: out.ndcg10 };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const f4 = (x: number) => x.toFixed(4);
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

export async function recsysBench(): Promise<void> {
  const backend = await initTensorFlow();
  console.log(
    `\nRecLab recommender benchmark — TensorFlow.js on ${backend.backend}; timings on a shared machine are approximate\n`,
  );
  const datasets = await benchDatasets();

  const rows: Row[] = [];
  const references: string[][] = [];
  for (const [name, data] of datasets) {
    console.log(`${name}: ${data.toString()}`);
    for (const split of [randomSplit(data, { ratio: 0.8, seed: 0 }), leaveLastOut(data)]) {
      await runModels(name, split, rows);
      const ours = rows.find((r) => r.dataset === name && r.split === split.name && r.model === 'ItemCF');
      const reference = await scipyItemCF(split, new ItemCF().config);
      if (typeof reference === 'string') console.log(`  (SciPy ItemCF reference skipped: ${reference})`);
      else if (ours) {
        references.push([
          name,
          split.name,
          `${ms(ours.fitMs)} ms`,
          `${ms(reference.fitMs)} ms`,
          `${(ours.fitMs / reference.fitMs).toFixed(2)}×`,
          `${f4(ours.recall)} / ${f4(reference.recall)}`,
          `${f4(ours.ndcg)} / ${f4(reference.ndcg)}`,
        ]);
      }
    }
  }

  console.log('\nQuality (full ranking over all items, training items excluded) and speed\n');
  printTable(
    ['dataset', 'split', 'model', 'Recall@10', 'NDCG@10', 'fit', 'recommend p50', 'p99'],
    rows.map((r) => [
      r.dataset,
      r.split,
      r.model,
      f4(r.recall),
      f4(r.ndcg),
      `${ms(r.fitMs)} ms`,
      `${ms(r.p50)} ms`,
      `${ms(r.p99)} ms`,
    ]),
  );
  if (references.length) {
    console.log('\nItemCF: RecLab (TypeScript) beside SciPy sparse, same data, split and settings\n');
    printTable(
      [
        'dataset',
        'split',
        'RecLab fit',
        'SciPy fit',
        'ratio',
        'Recall@10 ours / SciPy',
        'NDCG@10 ours / SciPy',
      ],
      references,
    );
  }
  const ml = rows.filter((r) => r.dataset === 'ml-latest-small');
  const targets: string[][] = [];
  const check = (what: string, label: string, limit: number, value: number) =>
    targets.push([what, label, `${ms(value)} ms`, value < limit ? 'met' : 'MISSED']);
  for (const r of ml) {
    if (r.model === 'ItemCF') check(`ItemCF fit on ml-latest-small (${r.split})`, '< 1 s', 1000, r.fitMs);
    if (r.model === 'EASE')
      check(`EASE fit on ml-latest-small, items with ≥ 5 ratings (${r.split})`, '< 15 s', 15000, r.fitMs);
  }
  for (const r of ml) check(`${r.model} recommend p99 on ${r.items} items (${r.split})`, '< 5 ms', 5, r.p99);
  if (targets.length) {
    console.log('\nTargets\n');
    printTable(['figure', 'target', 'measured', ''], targets);
  }
}
