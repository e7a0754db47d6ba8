import { createRequire } from 'node:module';
import type * as ECharts from 'echarts';
import type { Chart } from './chart';

// ECharts takes half a second to load; only a kernel that draws a chart pays for it.
// Not named `require`: bundlers for the desktop app declare one of their own.
const requireHere = createRequire(import.meta.url);
let echarts: typeof ECharts | undefined;
export function loadECharts(): typeof ECharts {
  return (echarts ??= requireHere('echarts') as typeof ECharts);
}

/**
 * The static form of a chart, drawn by ECharts' server-side SVG renderer, for readers
 * without RecLab (GitHub, Jupyter, VS Code). Animation is off: there is one frame.
 */
export function renderSvg(chart: Chart): string {
  const instance = loadECharts().init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: chart.width,
    height: chart.height,
  });
  try {
    instance.setOption({ ...chart.option, animation: false });
    return instance.renderToSVGString();
  } finally {
    instance.dispose();
  }
}
