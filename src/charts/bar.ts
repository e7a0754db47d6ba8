import { formatCount } from '../api';
import type { BarSeriesOption } from 'echarts';
import { Chart } from './chart';
import { ChartInput, labelsOf, leftOut, type ChartData } from './chart-data';
import { heading } from './heading';

export interface BarOptions {
  /** The column of categories: items, users, models. */
  x: string;
  /** The column of heights, or several columns drawn as grouped bars. */
  y: string | readonly string[];
  title?: string;
  /** Bars grow to the right, the first row at the top. */
  horizontal?: boolean;
  /** A logarithmic value axis, for counts spanning orders of magnitude; values ≤ 0 are left out. */
  logY?: boolean;
}

/**
 * Beyond this many bars (a catalogue's popularity long tail) ECharts draws them as one
 * shape and keeps the tallest bar of each pixel column: the tail's outline survives, the
 * output stays small and the chart stays responsive.
 */
const LARGE = 1000;

export function bar(data: ChartData, options: BarOptions): Chart {
  const input = new ChartInput('bar', data);
  const labels = labelsOf(input.column(options.x, 'x'));
  const ys = input.series(options.y);
  const n = input.numRows;
  const large = n > LARGE;
  let missing = 0;
  let nonPositive = 0;
  const series: BarSeriesOption[] = ys.map((c) => {
    const heights = new Array<number | null>(n);
    for (let r = 0; r < n; r++) {
      const v = c.values[r];
      if (!Number.isFinite(v)) missing++;
      else if (options.logY && v <= 0) nonPositive++;
      heights[r] = Number.isFinite(v) && !(options.logY && v <= 0) ? v : null;
    }
    return {
      type: 'bar',
      name: c.name,
      data: heights,
      ...(large ? { large: true, largeThreshold: LARGE, sampling: 'max' as const } : {}),
    };
  });
  const cells = n * ys.length;
  if (missing + nonPositive === cells) {
    throw new Error(
      `bar: nothing to draw: ${ys.map((c) => `"${c.name}"`).join(', ')} ` +
        `${options.logY ? 'has no finite value above 0 for the log axis' : 'has no finite values'}.`,
    );
  }
  const category = {
    type: 'category' as const,
    name: options.x,
    data: labels,
    inverse: options.horizontal === true,
  };
  const value = {
    type: options.logY ? ('log' as const) : ('value' as const),
    name: ys.length === 1 ? ys[0].name : '',
  };
  const notes = [
    leftOut(missing, cells, 'values'),
    nonPositive ? `${formatCount(nonPositive)} values ≤ 0 left out of the log axis` : '',
  ];
  return new Chart({
    ...heading(options.title ?? `${ys.map((c) => c.name).join(', ')} by ${options.x}`, notes, ys.length > 1),
    tooltip: { trigger: 'axis' },
    xAxis: options.horizontal
      ? { ...value, nameLocation: 'middle', nameGap: 28 }
      : { ...category, nameLocation: 'middle', nameGap: 28 },
    // Inverted, the category axis ends at the bottom: its name goes at its start, on top.
    yAxis: options.horizontal ? { ...category, nameLocation: 'start' } : value,
    series,
  });
}
