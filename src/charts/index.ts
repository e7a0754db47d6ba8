export { Chart, chart } from './chart';
export type { ChartSize } from './chart';
export { renderSvg, loadECharts } from './render-svg';
export type { ChartData, ChartValues } from './chart-data';
export { setChartDatabase } from './chart-database';
export { binEdge, binLayout, binStats, binWidth, countBins } from './bins';
export type { BinLayout, BinOptions, BinStats } from './bins';
import { histogram } from './histogram';
import { bar } from './bar';
import { line } from './line';
import { scatter } from './scatter';
import { heatmap } from './heatmap';
export { histogram, bar, line, scatter, heatmap };
export type { HistogramOptions, SqlHistogramOptions } from './histogram';
export type { BarOptions } from './bar';
export type { LineOptions } from './line';
export type { ScatterOptions } from './scatter';
export type { HeatmapMatrix, HeatmapOptions, HeatmapTableOptions } from './heatmap';

/** The chart builders, as cells see them: `rl.charts.histogram(…)`. Named, so the editor's hover names it. */
export interface ChartBuilders {
  histogram: typeof histogram;
  bar: typeof bar;
  line: typeof line;
  scatter: typeof scatter;
  heatmap: typeof heatmap;
}

export const charts: ChartBuilders = { histogram, bar, line, scatter, heatmap };
