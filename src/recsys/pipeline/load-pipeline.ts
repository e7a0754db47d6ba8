/** Reading a pipeline bundle back into a pipeline (the other half of `Pipeline.export`). */
import { readBundle, type BundleManifest } from './bundle';
import { Pipeline } from './pipeline';
import type { PipelineOptions } from './pipeline-options';

export interface OpenedBundle {
  pipeline: Pipeline;
  manifest: BundleManifest;
}

/** Verifies every checksum, loads every part, and builds the pipeline as it was exported. */
export async function openBundle(dir: string): Promise<OpenedBundle> {
  const b = await readBundle(dir);
  const { settings } = b.manifest;
  const options: PipelineOptions = {
    channels: Object.fromEntries(
      b.channels.map((c) => [
        c.name,
        c.index ? { model: c.model, quota: c.quota, index: c.index } : { model: c.model, quota: c.quota },
      ]),
    ),
    k: settings.k,
    fallback: b.fallback,
    filters: {
      seen: settings.filters.seen,
      ...(settings.filters.perCategory !== null && { perCategory: settings.filters.perCategory }),
      ...(b.available && { available: b.available }),
    },
    ...(b.ranker && { ranker: b.ranker }),
    ...(settings.objective !== null && { objective: settings.objective }),
    ...(b.categories && { categories: b.categories }),
  };
  return { pipeline: new Pipeline(options), manifest: b.manifest };
}

/** `await rl.loadPipeline(dir)`: the pipeline a bundle holds, after its checksums are verified. */
export async function loadPipeline(dir: string): Promise<Pipeline> {
  return (await openBundle(dir)).pipeline;
}
