import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { Database, importMovieLens } from '../src/data';
import { Dataset, synthetic, type SyntheticOptions } from '../src/recsys';
import { MOVIELENS } from '../dev';

/** Where ml-latest-small lies (dev/locations.ts), for every benchmark. */
export { MOVIELENS };

/** Debian's python3, where python3-scipy and python3-torch (the references) are installed. */
export const PYTHON = '/usr/bin/python3';

/** The q-quantile of the samples (0.5: the median). */
export const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

/** A plain text table with a rule under the header. */
export function printTable(header: string[], lines: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  for (const l of [header, widths.map((w) => '─'.repeat(w)), ...lines])
    console.log(l.map((c, i) => c.padEnd(widths[i])).join('  '));
}

/**
 * The recommender benchmarks' data: ml-latest-small (every rating an interaction) where
 * found, and the synthetic sample made with `syntheticOptions` (e.g. `{ order: 'chains' }`).
 */
export async function benchDatasets(syntheticOptions: SyntheticOptions = {}): Promise<[string, Dataset][]> {
  const datasets: [string, Dataset][] = [];
  if (existsSync(path.join(MOVIELENS, 'ratings.csv'))) {
    const db = await Database.open();
    datasets.push(['ml-latest-small', Dataset.fromData(await importMovieLens(db, MOVIELENS)).implicit()]);
    db.close();
  } else {
    console.log(
      `(MovieLens skipped: ${MOVIELENS} not found; set RECLAB_MOVIELENS to the ml-latest-small folder)`,
    );
  }
  datasets.push([
    syntheticOptions.order === 'chains' ? 'synthetic (chains)' : 'synthetic',
    synthetic(syntheticOptions),
  ]);
  return datasets;
}

/**
 * The threads TensorFlow.js computes with on `backend`: what the references are given, so both sides use the
 * same cores.
 */
export function tensorFlowThreads(backend: string): number {
  return backend === 'wasm' ? getThreadsCount() : os.cpus().length;
}

/**
 * What a reference script needs of PYTHON: the library (by name), the modules it imports, the Debian package
 * that has them.
 */
export interface PythonNeeds {
  name: string;
  modules: string[];
  install: string;
}

export const TORCH: PythonNeeds = { name: 'PyTorch', modules: ['torch', 'numpy'], install: 'python3-torch' };

/**
 * Runs `bench/reference/<script> DIR` on a fresh DIR holding spec.json and `arrays` (each
 * written raw, little-endian, under its file name), and returns the JSON line the script
 * prints; a string says why it could not run (no python, a module missing, the script failed).
 */
export async function runReference<T>(
  script: string,
  needs: PythonNeeds,
  spec: object,
  arrays: Record<string, Int32Array | Float32Array>,
): Promise<T | string> {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', `import ${needs.modules.join(', ')}`], { encoding: 'utf8' });
  if (probe.status !== 0)
    return `${needs.name} is not installed for ${PYTHON} (apt-get install ${needs.install})`;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `reclab-${path.basename(script, '.py')}-`));
  try {
    await Promise.all([
      fs.writeFile(path.join(dir, 'spec.json'), JSON.stringify(spec)),
      ...Object.entries(arrays).map(([name, a]) =>
        fs.writeFile(path.join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength)),
      ),
    ]);
    // No __pycache__ left in bench/reference by scripts that import a shared module.
    const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
    const r = spawnSync(PYTHON, [path.join(import.meta.dirname, 'reference', script), dir], {
      encoding: 'utf8',
      env,
    });
    if (r.status !== 0) return `${script} failed: ${r.stderr.trim().split('\n').at(-1)}`;
    return JSON.parse(r.stdout) as T;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
