/**
 * The embedding projector's figures (in `npm run bench -- charts`): UMAP on 10,000 × 64
 * vectors end to end against the 30-second target, beside umap-js alone on the same
 * rows; t-SNE at its size limit; PCA on 100,000 × 64 and the projector's bundle for it; and
 * the neighbours of a clicked point among 100,000, beside the naive cosine that measures
 * every norm again per query.
 */
import { UMAP } from 'umap-js';
import { setTrainingHost } from '../src/recsys';
import { embeddings, type EmbeddingMap } from '../src/views';
import { Random } from '../src/recsys/random';
import { TopK } from '../src/recsys/top-k';
import { clusteredVectors } from '../dev';
import { printTable, quantile } from './shared';

const DIM = 64;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const ms = (x: number) => `${x >= 100 ? x.toFixed(0) : x.toFixed(2)} ms`;

async function timed<T>(f: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const t = performance.now();
  const value = await f();
  return { value, ms: performance.now() - t };
}

/** Seconds each progress bar ran, by label: the phases of a projection. */
function phaseTimer(): Map<string, number> {
  const phases = new Map<string, number>();
  setTrainingHost({
    progress: (label) => {
      const started = performance.now();
      return { tick() {}, done: () => void phases.set(label, performance.now() - started) };
    },
    check() {},
    show: () => ({ update() {} }),
  });
  return phases;
}

const vectors = (n: number, seed: number) =>
  clusteredVectors(n, DIM, { centres: 20, noise: 0.5, queries: 0, seed }).vectors;

export async function projectionBench(): Promise<void> {
  const lines: string[][] = [];
  try {
    const small = vectors(10_000, 1);
    const phases = phaseTimer();
    const umap = await timed(() => embeddings(small, { dim: DIM, method: 'umap' }));
    const alone = await timed(() => {
      const random = new Random(1);
      return new UMAP({ random: () => random.next() }).fit(
        Array.from({ length: 10_000 }, (_, i) => Array.from(small.subarray(i * DIM, (i + 1) * DIM))),
      );
    });
    const phaseText = [...phases].map(([label, t]) => `${label.replace('UMAP: ', '')} ${s(t)}`).join(', ');
    lines.push([
      'UMAP, 10,000 × 64, end to end',
      s(umap.ms),
      `${s(alone.ms)} (umap-js fit alone)`,
      `${(umap.ms / alone.ms).toFixed(2)}×`,
      `< 30 s ${umap.ms < 30_000 ? 'met' : 'MISSED'}`,
      phaseText,
    ]);

    phases.clear();
    const tsne = await timed(() => embeddings(small, { dim: DIM, method: 'tsne' }));
    lines.push([
      't-SNE, 10,000 × 64 (its limit), end to end',
      s(tsne.ms),
      '',
      '',
      '',
      [...phases].map(([label, t]) => `${label.replace('t-SNE: ', '')} ${s(t)}`).join(', '),
    ]);

    const large = vectors(100_000, 2);
    const pca = await timed(() => embeddings(large, { dim: DIM }));
    const floor = await timed(() => {
      let sum = 0;
      for (let i = 0; i < large.length; i++) sum += large[i];
      return sum;
    });
    lines.push([
      'PCA, 100,000 × 64, end to end',
      ms(pca.ms),
      `${ms(floor.ms)} (one pass summing the numbers)`,
      `${(pca.ms / floor.ms).toFixed(0)}×`,
      '',
      '',
    ]);
    const bundle = await timed(() => pca.value.bundle('bench'));
    const bytes = JSON.stringify(bundle.value).length;
    lines.push([
      'projector output for 100,000 points (payload + SVG)',
      ms(bundle.ms),
      '',
      '',
      '',
      `${(bytes / 1e6).toFixed(1)} MB as JSON`,
    ]);

    const { ours, naive } = neighbourTimes(pca.value, large);
    lines.push([
      'neighbours of a point among 100,000 (p50 / p99)',
      `${ms(quantile(ours, 0.5))} / ${ms(quantile(ours, 0.99))}`,
      `${ms(quantile(naive, 0.5))} / ${ms(quantile(naive, 0.99))} (naive cosine)`,
      `${(quantile(ours, 0.5) / quantile(naive, 0.5)).toFixed(2)}×`,
      '',
      '',
    ]);
  } finally {
    setTrainingHost(null);
  }
  console.log('\nEmbedding projector\n');
  printTable(['figure', 'RecLab', 'reference', 'ratio', 'target', 'notes'], lines);
}

/** Milliseconds per query, 200 random points: the map's neighbours, and a cosine that measures every norm again. */
function neighbourTimes(map: EmbeddingMap, data: Float32Array): { ours: number[]; naive: number[] } {
  const n = data.length / DIM;
  const random = new Random(3);
  const ours: number[] = [];
  const naive: number[] = [];
  for (let q = 0; q < 200; q++) {
    const i = random.int(n);
    let t = performance.now();
    map.neighbours(i, 10);
    ours.push(performance.now() - t);
    t = performance.now();
    const best = new TopK(10);
    let qq = 0;
    for (let c = 0; c < DIM; c++) qq += data[i * DIM + c] ** 2;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let dot = 0;
      let jj = 0;
      for (let c = 0; c < DIM; c++) {
        dot += data[i * DIM + c] * data[j * DIM + c];
        jj += data[j * DIM + c] ** 2;
      }
      best.push(j, dot / Math.sqrt(qq * jj));
    }
    best.take();
    naive.push(performance.now() - t);
  }
  return { ours, naive };
}
