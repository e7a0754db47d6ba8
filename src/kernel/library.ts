/**
 * The RecLab library as cells see it: the global `rl`, and `import * as rl from 'reclab'`.
 */
import { DataFileError, Table, importMovieLens, importTaobao, readDataFile } from '../data';
import { Chart, chart, charts, type ChartBuilders } from '../charts';
import * as recsys from '../recsys';
import * as views from '../views';

/** `rl.charts`: the chart builders and the embedding projector. */
export interface LibraryCharts extends ChartBuilders {
  embeddings: typeof views.embeddings;
}

// The projector is a chart to the cells (`rl.charts.embeddings`), not a top-level name; the
// training and serving hosts are the kernel's to install: a cell that replaced them would cut off progress,
// interrupt or `pipeline.serve()`.
const { setTrainingHost: _kernelOnly, setServingHost: _alsoKernelOnly, ...models } = recsys;
const { embeddings, ...otherViews } = views;
const libraryCharts: LibraryCharts = { ...charts, embeddings };

export const library = {
  ...models,
  ...otherViews,
  Table,
  Chart,
  chart,
  charts: libraryCharts,
  importMovieLens,
  importTaobao,
  readDataFile,
  DataFileError,
} as const;
export type Library = typeof library;
