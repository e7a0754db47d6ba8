import type { EChartsOption } from 'echarts';

export interface ChartSize {
  width?: number;
  height?: number;
}

/** An ECharts option with the size it is drawn at; `display` shows it. */
export class Chart {
  readonly width: number;
  readonly height: number;
  constructor(
    readonly option: EChartsOption,
    size: ChartSize = {},
    /** The chart as a line of text, where its title alone says too little (a heatmap names its strongest cells). */
    readonly text?: string,
  ) {
    this.width = size.width ?? 640;
    this.height = size.height ?? 360;
  }
}

export function chart(option: EChartsOption, size?: ChartSize): Chart {
  return new Chart(option, size);
}
