/** The embedding projector's methods, by the names cells choose them with. */
import type { Projection } from './method';
import { pca } from './pca';
import { tsne } from './tsne';
import { umap } from './umap';

export type { Projection, ProjectionSetting, ProjectionSettings } from './method';

export const PROJECTIONS = { pca, umap, tsne } as const satisfies Record<string, Projection>;
export type ProjectionName = keyof typeof PROJECTIONS;

/** The method called `name`; an unknown name is an error that lists the known ones. */
export function projection(name: unknown): Projection {
  if (typeof name === 'string' && Object.hasOwn(PROJECTIONS, name))
    return PROJECTIONS[name as ProjectionName];
  throw new Error(
    `No projection method ${JSON.stringify(name)}: choose ${Object.keys(PROJECTIONS)
      .map((m) => `'${m}'`)
      .join(', ')}.`,
  );
}
