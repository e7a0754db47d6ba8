/**
 * The recommender library's quality and speed, in `npm run bench`: for every model in the
 * registry, on MovieLens ml-latest-small (where found) and on the synthetic sample, under a
 * random 80/20 per-user split and leave-last-out, Recall@10 and NDCG@10 with full ranking,
 * the fit time and `recommend` latency (p50/p99). Beside them, ItemCF written in SciPy
 * sparse under both cuts (per target, RecBole's ItemKNN, and per source), run on the same
 * split in the same run, with both fit times and their ratio.
 */
import { benchDatasets, printTable, quantile, runReference, type PythonNeeds } from './shared';
import { initTensorFlow } from '../src/tf-backend';
import {
  ItemCF,
  MODELS,
  SequentialModel,
  evaluate,
  leaveLastOut,
  randomSplit,
  type FitOptions,
  type Model,
  type Split,
} from '../src/recsys';

/** Per-model fit options for the bench: EASE on items with at least 5 ratings, as the issue sets it. */
const FIT_OPTIONS: Record<string, FitOptions> = { EASE: { minCount: 5 } };

type Cut = ItemCF['config']['cut'];

/** ItemCF per source beside the registry's (per target), so both cuts meet their SciPy reference. */
const VARIANTS: Record<string, () => Model<object>> = {
  'ItemCF (source)': () => new ItemCF({ cut: 'source' }),
};
const ITEMCF_ROWS: Record<Cut, string> = { target: 'ItemCF', source: 'ItemCF (source)' };

const SCIPY: PythonNeeds = { name: 'SciPy', modules: ['scipy', 'numpy'], install: 'python3-scipy' };

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
  for (const [name, make] of [...Object.entries(MODELS), ...Object.entries(VARIANTS)]) {
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

/** ItemCF in SciPy on the same split, under each cut; a string says why it could not run. */
async function scipyItemCF(split: Split, config: ItemCF['config']): Promise<Record<Cut, Reference> | string> {
  type Out = { fit_seconds: number; recall10: number; ndcg10: number };
  const out = await runReference<Record<Cut, Out>>(
    'itemcf.py',
    SCIPY,
    { neighbours: config.neighbours, shrink: config.shrink },
    {
      'train_users.bin': split.train.users,
      'train_items.bin': split.train.items,
      'test_users.bin': split.test.users,
      'test_items.bin': split.test.items,
      'shape.bin': Int32Array.of(split.train.numUsers, split.train.numItems),
    },
  );
  if (typeof out === 'string') return out;
  const reference = (o: Out): Reference => ({
    fitMs: o.fit_seconds * 1000,
    recall: o.recall10,
    ndcg: o.ndcg10,
  });
  return { target: reference(out.target), source: reference(out.source) };
}

const f4 = (x: number) => x.toFixed(4);
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

export async function recsysBench(): Promise<void> {
  const backend = await initTensorFlow();
  console.log(
    `\nRecLab recommender benchmark — TensorFlow.js on ${backend.backend}; ` +
      'timings on a shared machine are approximate\n',
  );
  const datasets = await benchDatasets();

  const rows: Row[] = [];
  const references: string[][] = [];
  for (const [name, data] of datasets) {
    console.log(`${name}: ${data.toString()}`);
    for (const split of [randomSplit(data, { ratio: 0.8, seed: 0 }), leaveLastOut(data)]) {
      await runModels(name, split, rows);
      const reference = await scipyItemCF(split, new ItemCF().config);
      if (typeof reference === 'string') console.log(`  (SciPy ItemCF reference skipped: ${reference})`);
      else {
        for (const cut of ['target', 'source'] as const) {
          const ours = rows.find(
            (r) => r.dataset === name && r.split === split.name && r.model === ITEMCF_ROWS[cut],
          );
          if (!ours) continue;
          references.push([
            name,
            split.name,
            cut,
            `${ms(ours.fitMs)} ms`,
            `${ms(reference[cut].fitMs)} ms`,
            `${(ours.fitMs / reference[cut].fitMs).toFixed(2)}×`,
            `${f4(ours.recall)} / ${f4(reference[cut].recall)}`,
            `${f4(ours.ndcg)} / ${f4(reference[cut].ndcg)}`,
          ]);
        }
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
    console.log(
      '\nItemCF: RecLab (TypeScript) beside SciPy sparse, same data, split and settings; ' +
        'cut per target (RecBole’s ItemKNN, the default) and per source\n',
    );
    printTable(
      [
        'dataset',
        'split',
        'cut',
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
    if (r.model.startsWith('ItemCF'))
      check(`${r.model} fit on ml-latest-small (${r.split})`, '< 1 s', 1000, r.fitMs);
    if (r.model === 'EASE')
      check(`EASE fit on ml-latest-small, items with ≥ 5 ratings (${r.split})`, '< 15 s', 15000, r.fitMs);
  }
  for (const r of ml) check(`${r.model} recommend p99 on ${r.items} items (${r.split})`, '< 5 ms', 5, r.p99);
  if (targets.length) {
    console.log('\nTargets\n');
    printTable(['figure', 'target', 'measured', ''], targets);
  }
}
