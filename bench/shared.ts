import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Database, importMovieLens } from '../src/data';
import { Dataset, synthetic } from '../src/recsys';

/** Debian's python3, where python3-scipy and python3-torch (the references) are installed. */
export const PYTHON = '/usr/bin/python3';

/** The q-quantile of the samples (0.5: the median). */
export const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

/** A plain text table with a rule under the header. */
export function printTable(header: string[], lines: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  for (const l of [header, widths.map((w) => '─'.repeat(w)), ...lines]) console.log(l.map((c, i) => c.padEnd(widths[i])).join('  '));
}

/** MovieLens is read where it lies (its licence forbids copying it into the project). */
export const MOVIELENS = process.env.RECLAB_MOVIELENS ?? path.join(import.meta.dirname, '..', '..', 'shared', 'datasets', 'ml-latest-small');

/** The recommender benchmarks' data: ml-latest-small (every rating an interaction) where found, and the synthetic sample. */
export async function benchDatasets(): Promise<[string, Dataset][]> {
  const datasets: [string, Dataset][] = [];
  if (existsSync(path.join(MOVIELENS, 'ratings.csv'))) {
    const db = await Database.open();
    datasets.push(['ml-latest-small', Dataset.fromData(await importMovieLens(db, MOVIELENS)).implicit()]);
    db.close();
  } else {
    console.log(`(MovieLens skipped: ${MOVIELENS} not found; set RECLAB_MOVIELENS to the ml-latest-small folder)`);
  }
  datasets.push(['synthetic', synthetic()]);
  return datasets;
}
