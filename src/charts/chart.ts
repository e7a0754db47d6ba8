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
  ) {
    this.width = size.width ?? 640;
    this.height = size.height ?? 360;
  }
}

export function chart(option: EChartsOption, size?: ChartSize): Chart {
  return new Chart(option, size);
}
