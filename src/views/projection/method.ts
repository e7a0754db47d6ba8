/**
 * What a projection method (PCA, UMAP, t-SNE) offers the embedding projector: its limits and
 * settings, checked before anything heavy runs, and the run itself.
 */
import type { Embeddings, TrainingContext } from '../../recsys';

export interface ProjectionSettings {
  /** 2 or 3 output coordinates per point. */
  dims: 2 | 3;
  seed: number;
  /** UMAP: neighbours per point in its graph. */
  nNeighbors?: number;
  /** UMAP: how close points may lie in the map. */
  minDist?: number;
  /** UMAP and t-SNE: optimisation passes. */
  epochs?: number;
  /** t-SNE: the effective number of neighbours each point keeps. */
  perplexity?: number;
}

export type ProjectionSetting = 'nNeighbors' | 'minDist' | 'epochs' | 'perplexity';

export interface Projection {
  /** As messages and progress bars name it: 'PCA', 'UMAP', 't-SNE'. */
  readonly title: string;
  /** The most points of `dim` numbers it takes; more would take too long or too much memory. */
  maxPoints(dim: number): number;
  /** Why it takes no more than `maxPoints(dim)`, said when refusing after "takes at most N points". */
  limitReason(dim: number): string;
  /** The settings it reads besides `dims` and `seed`. */
  readonly settings: readonly ProjectionSetting[];
  /** Throws, with what to change, when the settings cannot work for `n` points. */
  check(n: number, settings: ProjectionSettings): void;
  /** `n × dims` coordinates, row-major; reports progress and stops on interrupt through `ctx`. */
  run(matrix: Embeddings, settings: ProjectionSettings, ctx: TrainingContext): Promise<Float32Array>;
}

/** An integer setting in [min, max], or its default when not given. */
export function integerSetting(
  method: string,
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max = Infinity,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
    throw new Error(`${method}: ${name} must be a whole number ${range}, got ${String(value)}.`);
  }
  return value;
}
