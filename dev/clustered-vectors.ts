import { Random } from '../src/recsys/random';

/**
 * n vectors (n × dim, row-major) around `centres` Gaussian centres, `noise` their spread,
 * and `queries` query vectors drawn the same way: what a trained model's item and user
 * vectors look like, for the tests and benchmarks of the ClusterIndex and the projector.
 */
export function clusteredVectors(
  n: number,
  dim: number,
  options: { centres: number; noise: number; queries: number; seed: number },
): { vectors: Float32Array; queries: Float32Array[] } {
  const random = new Random(options.seed);
  const means = Float32Array.from({ length: options.centres * dim }, () => random.normal());
  const draw = () => {
    const c = random.int(options.centres);
    return Float32Array.from({ length: dim }, (_, j) => means[c * dim + j] + options.noise * random.normal());
  };
  const vectors = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) vectors.set(draw(), i * dim);
  return { vectors, queries: Array.from({ length: options.queries }, draw) };
}
