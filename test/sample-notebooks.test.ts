/**
 * The sample notebooks run from top to bottom with `reclab run`, on the synthetic sample by
 * default and on MovieLens when the parameter cell names a folder; what they show is there.
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MIME,
  joinText,
  serializeNotebook,
  type CodeCell,
  type MimeBundle,
  type Notebook,
} from '../src/notebook';
import { readNotebookFile, writeNotebookFile } from '../src/server';
import type { ProjectorOutput, RecommendOutput } from '../src/api';
import { MOVIELENS } from '../dev';
import { nbformatAvailable, validateWithNbformat } from './helpers/nbformat';

const ROOT = path.join(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'reclab.mjs');
/**
 * Generous: the bound is two minutes a sample, which the test log's durations show; a loaded machine
 * must not fail it.
 */
const LIMIT = 300_000;

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-samples-'));
});

function reclabRun(
  file: string,
  out: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'run', file, '-o', out], {
      env: { ...process.env, RECLAB_TF_BACKEND: 'wasm' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a sample (optionally with its MOVIELENS parameter set) and returns the notebook written. */
async function runSample(name: string, movielens?: string): Promise<Notebook> {
  let file = path.join(ROOT, 'notebooks', `${name}.ipynb`);
  if (movielens) {
    const nb = await readNotebookFile(file);
    const params = nb.cells.find((c) => joinText(c.source).includes("const MOVIELENS = '';"))!;
    params.source = joinText(params.source).replace(
      "const MOVIELENS = '';",
      `const MOVIELENS = ${JSON.stringify(movielens)};`,
    );
    file = path.join(dir, `${name}-movielens.ipynb`);
    await writeNotebookFile(file, nb);
  }
  const out = path.join(dir, `${name}${movielens ? '-movielens' : ''}-out.ipynb`);
  const before = await fs.readFile(file, 'utf8');
  // Shipped without outputs, and in RecLab's canonical form, so a save changes nothing.
  const shipped = await readNotebookFile(file);
  expect(shipped.cells.every((c) => c.cell_type !== 'code' || c.outputs.length === 0)).toBe(true);
  expect(serializeNotebook(shipped)).toBe(before);
  const r = await reclabRun(file, out);
  expect(r.stderr, r.stdout).toBe('');
  expect(r.code).toBe(0);
  if (nbformatAvailable()) expect(validateWithNbformat(out)).toBe('');
  return readNotebookFile(out);
}

function bundles(nb: Notebook): MimeBundle[] {
  return (nb.cells.filter((c) => c.cell_type === 'code') as CodeCell[]).flatMap((c) =>
    c.outputs.flatMap((o) =>
      o.output_type === 'display_data' || o.output_type === 'execute_result' ? [o.data] : [],
    ),
  );
}

/** Every chart has its static form drawn, beside its interactive one, and no cell failed. */
function expectDrawn(nb: Notebook): { charts: number } {
  const outputs = (nb.cells.filter((c) => c.cell_type === 'code') as CodeCell[]).flatMap((c) => c.outputs);
  expect(outputs.filter((o) => o.output_type === 'error')).toEqual([]);
  const charts = bundles(nb).filter((b) => b[MIME.echarts] !== undefined);
  for (const b of charts)
    expect(joinText(b['image/svg+xml'] as string | string[])).toMatch(/^<svg[\s\S]*<path/);
  return { charts: charts.length };
}

/** What the cells showed (not their sources, which name the same things). */
const shown = (nb: Notebook) =>
  JSON.stringify((nb.cells.filter((c) => c.cell_type === 'code') as CodeCell[]).map((c) => c.outputs));

const widgetsOf = (nb: Notebook) =>
  bundles(nb).flatMap((b) => (b[MIME.recommend] ? [b[MIME.recommend] as unknown as RecommendOutput] : []));

describe('sample notebooks on the synthetic sample (reclab run)', () => {
  it(
    '01-explore: overview, rating distribution, long tail, user activity, genres, time',
    async () => {
      const nb = await runSample('01-explore');
      expect(expectDrawn(nb).charts).toBe(5);
      expect(shown(nb)).toContain('Rating distribution');
    },
    LIMIT,
  );

  it(
    '02-itemcf-usercf: the three tables in DuckDB, SQL agreeing with the model, recall, the top-10 widget',
    async () => {
      const nb = await runSample('02-itemcf-usercf');
      expectDrawn(nb);
      const text = shown(nb);
      expect(text).toMatch(/itemcf_user_interest.*itemcf_item_similarity.*usercf_user_similarity/);
      expect(text).toMatch(/SQL and the model agree on \*\*(9|10) of 10\*\*/);
      const [widget] = widgetsOf(nb);
      expect(widget.models).toEqual(['itemcf', 'usercf']);
      expect(widget.last?.rows).toHaveLength(10);
    },
    LIMIT,
  );

  it(
    '03-autoencoder: live training curve, a named user’s top 10 with scores, against popularity',
    async () => {
      const nb = await runSample('03-autoencoder');
      expect(expectDrawn(nb).charts).toBeGreaterThanOrEqual(3);
      const [widget] = widgetsOf(nb);
      expect(widget.last?.rows).toHaveLength(10);
      expect(widget.last?.columns).toContain('score');
    },
    LIMIT,
  );

  it(
    '04-two-tower: in-batch and mixed negatives, the item embedding map, cluster index against exact search',
    async () => {
      const nb = await runSample('04-two-tower');
      expectDrawn(nb);
      const maps = bundles(nb).flatMap((b) =>
        b[MIME.projector] ? [b[MIME.projector] as unknown as ProjectorOutput] : [],
      );
      expect(maps).toHaveLength(1);
      expect(maps[0]).toMatchObject({ method: 'umap', dims: 2 });
      expect(maps[0].labels).toHaveLength(maps[0].count);
      expect(maps[0].color?.kind).toBe('category');
      expect(shown(nb)).toContain('recall@10 vs exact');
      expect(widgetsOf(nb)[0].last?.rows).toHaveLength(10);
    },
    LIMIT,
  );

  it(
    '05-compare: every model on one split, the metrics table and charts, a reading from the numbers',
    async () => {
      const nb = await runSample('05-compare');
      expectDrawn(nb);
      const text = shown(nb);
      for (const model of ['MostPopular', 'ItemCF', 'UserCF', 'EASE', 'AutoEncoder', 'TwoTower'])
        expect(text).toContain(model);
      expect(text).toMatch(/Models by NDCG@10/);
      expect(widgetsOf(nb)[0].models).toHaveLength(6);
    },
    LIMIT,
  );

  it(
    '06-sequences: GRU4Rec, SASRec and BST against order-blind models, attention maps, the widget, a reading',
    async () => {
      const nb = await runSample('06-sequences');
      expectDrawn(nb);
      const text = shown(nb);
      for (const model of ['MostPopular', 'ItemCF', 'EASE', 'GRU4Rec', 'SASRec', 'BST'])
        expect(text).toContain(`**${model}**: HitRate@10`);
      expect(text).toMatch(/SASRec: attention of user .* strongest: after /);
      expect(text).toMatch(/BST: attention of user .* strongest: /);
      const [widget] = widgetsOf(nb);
      expect(widget.models).toEqual(['SASRec', 'BST', 'GRU4Rec', 'ItemCF']);
      expect(JSON.stringify(widget.last?.rows)).toContain('after ');
    },
    LIMIT,
  );

  it(
    '07-ranking: samples built in DuckDB, every ranker compared, ESMM and MMoE against single models, a reading',
    async () => {
      const nb = await runSample('07-ranking');
      expectDrawn(nb);
      const text = shown(nb);
      expect(text).toMatch(/Ranking samples from \\"taobao\\"/);
      for (const model of ['LogisticRegression', 'DNN', 'DeepFM', 'DIN', 'DIEN'])
        expect(text).toMatch(new RegExp(`\\d+\\. \\*\\*${model}\\*\\*: 0\\.\\d{4}`));
      expect(text).toMatch(/calibration of click/);
      expect(text).toMatch(/DIN: attention of user .* strongest: /);
      expect(text).toMatch(
        /Buy AUC over every test sample: ESMM 0\.\d{4}, the CVR model trained on clicks only 0\.\d{4}; MMoE 0\.\d{4}/,
      );
    },
    LIMIT,
  );
  it(
    '08-pipeline: channels, MMoE, evaluation, stores in DuckDB, both training modes, served and reloaded',
    async () => {
      const nb = await runSample('08-pipeline');
      expect(expectDrawn(nb).charts).toBeGreaterThanOrEqual(4);
      const text = shown(nb);
      expect(widgetsOf(nb)[0].models).toEqual(['Pipeline']);
      expect(text).toMatch(/Pipeline .* retrieval Recall@300/s);
      expect(text).toContain('pipeline_tower_clusters');
      expect(text).toMatch(/Pipeline server at http:\/\/127\.0\.0\.1:\d+, bundle version 1/);
      expect(text).toMatch(/p50 \d+\.\d ms, p99 \d+\.\d ms over 200 requests/);
      expect(text).toMatch(/MMoE: 3 epochs on a sample of [\d,]+ of [\d,]+ rows/);
      // Exported as version 2 after the incremental fit, reloaded, and the server answers what the notebook says.
      expect(text).toContain(
        'exported: 2, reload: { ok: true, version: 2, previous: 1 }, serving: 2, sameList: true',
      );
      expect(text).toMatch(/The pipeline's NDCG@10 is 0\.\d{4}, against ItemCF 0\.\d{4}/);
    },
    LIMIT,
  );
});

describe.skipIf(!existsSync(path.join(MOVIELENS, 'ratings.csv')))(
  'sample notebooks on MovieLens (skipped without ../shared/datasets/ml-latest-small or RECLAB_MOVIELENS)',
  () => {
    it(
      '01-explore switches to the real data with its one parameter',
      async () => {
        const nb = await runSample('01-explore', MOVIELENS);
        expectDrawn(nb);
        expect(shown(nb)).toContain('100836');
      },
      LIMIT,
    );

    it(
      '02-itemcf-usercf runs on it too, its widget showing a real user’s list',
      async () => {
        const nb = await runSample('02-itemcf-usercf', MOVIELENS);
        expect(widgetsOf(nb)[0].last?.rows).toHaveLength(10);
      },
      LIMIT,
    );
  },
);
