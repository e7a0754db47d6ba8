/**
 * A neural model's training state as the store keeps it, the same for every family (sequence
 * models, rankers): each variable of its `Params` as `weights.<name>` (running statistics
 * included), the optimiser's moments as `optimizer.<i>` and its step count, and the epochs so far
 * (a resumed fit's curve continues them, and its batches are drawn from them). With these a loaded
 * model's `fit(train, { resume: true })` goes on exactly as the saved one would have.
 */
import type { ModelState } from '../store';
import type { Params } from './layers/params';
import type { Optimizer } from './optimizer';
import type { EpochLog } from './training';

const WEIGHTS = 'weights.';
const MOMENTS = 'optimizer.';

/** The arrays and meta of the checkpoint (a readback: for save, never inside a step). */
export function checkpoint(
  params: Params,
  optimizer: Optimizer,
  epochs: readonly EpochLog[],
): Pick<ModelState, 'arrays' | 'meta'> {
  const arrays: ModelState['arrays'] = {};
  for (const [name, w] of Object.entries(params.export())) arrays[`${WEIGHTS}${name}`] = w;
  const { steps, moments } = optimizer.export();
  moments.forEach((m, i) => (arrays[`${MOMENTS}${i}`] = m));
  return { arrays, meta: { optimizerSteps: steps, epochs } };
}

/** Sets `params` and `optimizer` (built for the saved settings) from a checkpoint; returns its epochs. */
export function restoreCheckpoint(state: ModelState, params: Params, optimizer: Optimizer): EpochLog[] {
  const weights: Record<string, Float32Array> = {};
  for (const [name, a] of Object.entries(state.arrays))
    if (name.startsWith(WEIGHTS)) weights[name.slice(WEIGHTS.length)] = a as Float32Array;
  params.import(weights);
  const moments = Object.keys(state.arrays)
    .filter((name) => name.startsWith(MOMENTS))
    .sort((a, b) => Number(a.slice(MOMENTS.length)) - Number(b.slice(MOMENTS.length)))
    .map((name) => state.arrays[name] as Float32Array);
  optimizer.import({ steps: Number(state.meta?.optimizerSteps ?? 0), moments });
  return (state.meta?.epochs as EpochLog[] | undefined) ?? [];
}
