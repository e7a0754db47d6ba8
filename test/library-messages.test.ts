import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, readDataFile } from '../src/data';
import { createNotebook, newCodeCell, serializeNotebook } from '../src/notebook';
import { Dataset, MostPopular, evaluate } from '../src/recsys';
import type { KernelClient } from '../src/kernel-client';
import { run, suiteKernel } from './helpers/kernel';

let dir: string;
let db: Database;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-messages-'));
  db = await Database.open();
});
afterAll(async () => {
  db?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

async function read(name: string, text: string) {
  const file = path.join(dir, name);
  await fs.writeFile(file, text);
  return readDataFile(db, file);
}

describe('reading a data file', () => {
  it('names the line of a row with a different number of fields', async () => {
    await expect(read('ragged.csv', 'user,item,rating\n1,2,3\n4,5\n6,7,8\n')).rejects.toThrow(
      /ragged\.csv, line 3: expected 3 fields separated by ",", as on line 1 .*null_padding=true.*; found "4,5"\./,
    );
    await expect(read('ragged.tsv', 'user\titem\n1\t2\n3\n')).rejects.toThrow(
      /ragged\.tsv, line 3: expected 2 fields/,
    );
    // A delimiter inside quotes does not count.
    expect((await read('quoted.csv', 'name,n\n"a,b",2\n')).rows()).toEqual([{ name: 'a,b', n: 2 }]);
  });

  it('says an empty file is empty, rather than reading one column named column0', async () => {
    await expect(read('empty.csv', '')).rejects.toThrow(
      /empty\.csv: expected a header line and rows; found "an empty file"/,
    );
    await expect(read('blank.tsv', '\n\n')).rejects.toThrow(/found "an empty file"/);
  });
});

describe('making a dataset', () => {
  it('says a table without rows has nothing to learn from', async () => {
    const table = await read('header.csv', 'user,item,rating\n');
    expect(() => Dataset.fromTable(table, { user: 'user', item: 'item', rating: 'rating' })).toThrow(
      /Dataset: the table has no rows \(an empty file, a header without data/,
    );
  });

  it('shows the values of a text column that should be numbers, and how to convert it', async () => {
    const table = await read('text.csv', 'user,item,rating\n1,2,inf\n1,3,4\n');
    expect(() => Dataset.fromTable(table, { user: 'user', item: 'item', rating: 'rating' })).toThrow(
      /Column "rating" must be numeric .* string \(first values: "inf", "4"\)\. .*TRY_CAST\(rating AS DOUBLE\)/,
    );
  });

  it('tells an infinite rating from a missing one', () => {
    const make = (rating: number) => () =>
      Dataset.fromInteractions({ user: [1, 1], item: [1, 2], rating: [4, rating] });
    expect(make(Infinity)).toThrow(
      /row 2 \(user 1, item 2\) has infinity as its rating; .*isfinite\(rating\)/,
    );
    expect(make(-Infinity)).toThrow(/has minus infinity as its rating/);
    expect(make(NaN)).toThrow(/row 2 \(user 1, item 2\) has no rating; .*IS NOT NULL/);
  });
});

describe('evaluating', () => {
  it('says a split with an empty test part has nothing to measure', async () => {
    const train = Dataset.fromInteractions({ user: [1, 2], item: [1, 2] });
    const test = Dataset.fromInteractions({ user: [], item: [] });
    const split = { name: 'tiny', train, test, description: 'nothing held out' };
    await expect(evaluate(new MostPopular(), split, { progress: false })).rejects.toThrow(
      /evaluate: the test part of split "tiny" has no interactions \(nothing held out\), so there is nothing to measure/,
    );
  });
});

describe('a cell', () => {
  let kernel: KernelClient;
  suiteKernel((k) => (kernel = k));

  it('loads a module with await import(), as an import statement does', async () => {
    const r = await run(kernel, "const p = await import('node:path');\np.basename('/a/b.txt')");
    expect(r.reply.status).toBe('ok');
    expect(r.text).toBe('b.txt');
  });
});

describe('a notebook written for another kernel', () => {
  it('says so beside the error when its code fails as TypeScript', async () => {
    const notebook = createNotebook([newCodeCell('import numpy as np')]);
    notebook.metadata = {
      kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' },
      language_info: { name: 'python' },
    };
    const file = path.join(dir, 'python.ipynb');
    await fs.writeFile(file, serializeNotebook(notebook));
    const bin = path.join(import.meta.dirname, '..', 'bin', 'reclab.mjs');
    const r = spawnSync(process.execPath, [bin, 'run', file, '-o', `${file}.out.ipynb`], {
      encoding: 'utf8',
      env: { ...process.env, RECLAB_TF_BACKEND: 'wasm' },
    });
    expect(r.status).toBe(1);
    const written = await fs.readFile(`${file}.out.ipynb`, 'utf8');
    expect(written).toContain(
      'This notebook was written for a python kernel (Python 3 (ipykernel)); RecLab runs code cells as TypeScript',
    );
  });
});
