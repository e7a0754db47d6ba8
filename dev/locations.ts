import * as path from 'node:path';

/** MovieLens is read where it lies (its licence forbids copying it into the project). */
export const MOVIELENS =
  process.env.RECLAB_MOVIELENS ??
  path.join(import.meta.dirname, '..', '..', 'shared', 'datasets', 'ml-latest-small');

/** Debian's Chromium, which the end-to-end tests and the workbench benchmark drive. */
export const CHROMIUM = '/usr/bin/chromium';

/** Debian's nginx, which the scale-out test and the serving benchmark run with deploy/nginx's config. */
export const NGINX = '/usr/sbin/nginx';
