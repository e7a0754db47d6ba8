import type { LineSeriesOption } from 'echarts';
import { Chart } from './chart';
import { ChartInput, labelsOf, leftOut, type ChartData } from './chart-data';
import { heading } from './heading';
import { INSIDE_LABELS } from './axis-labels';

export interface LineOptions {
  /** The column along the horizontal axis: numbers, times or categories (epochs, days, K). */
  x: string;
  /** The column of values, or several columns drawn as one line each. */
  y: string | readonly string[];
  title?: string;
}

/** Beyond this many points a line is drawn without its point markers, thinned to the pixels. */
const DENSE = 200;

/**
 * Lines in the data's order. A point whose y (or numeric x) is missing is left out and the
 * line joins its neighbours: a metric measured every few epochs still draws as one line.
 */
export function line(data: ChartData, options: LineOptions): Chart {
  const input = new ChartInput('line', data);
  const x = input.column(options.x, 'x');
  const ys = input.series(options.y);
  const n = input.numRows;
  const dense = n > DENSE;
  const labels = x.kind === 'category' ? labelsOf(x) : undefined;
  let missing = 0;
  let drawn = 0;
  const series: LineSeriesOption[] = ys.map((c) => {
    const points: (number | null | [number, number])[] = [];
    for (let r = 0; r < n; r++) {
      const v = c.values[r];
      const at = labels ? 0 : (x.values[r] as number);
      const ok = Number.isFinite(v) && Number.isFinite(at);
      if (ok) drawn++;
      else missing++;
      // A category axis places values by position, so a missing one keeps its place as null.
      if (labels) points.push(ok ? v : null);
      else if (ok) points.push([at, v]);
    }
    return {
      type: 'line',
      name: c.name,
      data: points,
      connectNulls: true,
      showSymbol: !dense,
      ...(dense ? { sampling: 'lttb' as const } : {}),
    };
  });
  if (drawn === 0)
    throw new Error(
      `line: nothing to draw: ${ys.map((c) => `"${c.name}"`).join(', ')} ` +
        `${x.kind === 'category' ? '' : `against "${x.name}" `}has no finite values.`,
    );
  // Whole numbers on x (epochs, steps, k) get whole ticks: "epoch 2.5" means nothing.
  const whole =
    !labels && x.kind !== 'time' && Array.from(x.values as ArrayLike<number>).every(Number.isInteger);
  const xAxis = labels
    ? { type: 'category' as const, data: labels, boundaryGap: false }
    : {
        type: x.kind === 'time' ? ('time' as const) : ('value' as const),
        scale: true,
        ...(whole ? { minInterval: 1 } : {}),
      };
  return new Chart({
    ...heading(
      options.title ?? `${ys.map((c) => c.name).join(', ')} by ${x.name}`,
      [leftOut(missing, n * ys.length, 'points')],
      ys.length > 1,
    ),
    tooltip: { trigger: 'axis' },
    xAxis: { ...xAxis, ...INSIDE_LABELS, name: x.name, nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', scale: true, name: ys.length === 1 ? ys[0].name : '' },
    series,
  });
}
