export { Chart, chart } from './chart';
export type { ChartSize } from './chart';
export { renderSvg, loadECharts } from './render-svg';
