/**
 * How a column summary (from the kernel's `columnSummary`) is shown: in a grid header's
 * tooltip and distribution, and as the chart a header's button opens.
 */
import { formatCount } from '../../../src/api';
import type { ChartOutput, ColumnSummary, NumericSummary } from '../../../src/api';

/** Bins of a column's one-click histogram, and bars of its top-values chart. */
export const CHART_BINS = 40;
export const CHART_TOP = 20;

/** A number or time of a column, short: times as ISO text (dates without the clock). */
export function formatSummaryValue(v: number, type: string): string {
  if (type === 'date') return new Date(v).toISOString().slice(0, 10);
  if (type === 'timestamp') return new Date(v).toISOString().slice(0, 16).replace('T', ' ');
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

/** What bin `i` holds: its value when discrete, else its range. */
export function binLabel(s: NumericSummary, i: number): string {
  const { start, width, discrete } = s.histogram;
  if (discrete || width === 0) return formatSummaryValue(start + i * width, s.type);
  return `${formatSummaryValue(start + i * width, s.type)} – ${formatSummaryValue(start + (i + 1) * width, s.type)}`;
}

export function distinctText(s: ColumnSummary & { kind: 'category' }): string {
  return `${s.distinctCapped ? '≥ ' : ''}${formatCount(s.distinct)} distinct`;
}

/** One line or two for a header's tooltip: the range or the distinct values, and the missing ones. */
export function summaryText(s: ColumnSummary): string {
  const missing = `${formatCount(s.nulls)} NULL`;
  if (s.kind === 'category') {
    const top = s.top.map((t) => `${t.value} (${formatCount(t.count)})`).join(', ');
    return `${distinctText(s)} · ${missing}${top ? `\ntop: ${top}` : ''}`;
  }
  const infinite = s.infinite ? ` · ${formatCount(s.infinite)} infinite` : '';
  if (s.min === null || s.max === null) return `no finite values · ${missing}${infinite}`;
  return `min ${formatSummaryValue(s.min, s.type)} · max ${formatSummaryValue(s.max, s.type)} · ${missing}${infinite}`;
}

/**
 * The chart of one column: a histogram of a numeric one, the most frequent values of
 * another as horizontal bars (long labels stay readable). Colours come from the theme
 * the chart is drawn with, so it reads in dark mode too.
 */
export function columnChart(s: ColumnSummary): ChartOutput {
  const title = {
    text: s.column,
    subtext: summaryText(s).split('\n')[0],
    left: 8,
    textStyle: { fontSize: 13 },
    subtextStyle: { fontSize: 11 },
  };
  if (s.kind === 'numeric') {
    const labels = s.histogram.counts.map((_, i) => binLabel(s, i));
    return {
      width: 720,
      height: 300,
      option: {
        title,
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        grid: { left: 64, right: 24, top: 64, bottom: 48 },
        xAxis: { type: 'category', data: labels, axisLabel: { hideOverlap: true } },
        yAxis: { type: 'value' },
        series: [
          {
            type: 'bar',
            name: s.column,
            data: s.histogram.counts,
            barCategoryGap: s.histogram.discrete ? '20%' : '2%',
          },
        ],
      },
    };
  }
  // Most frequent at the top: a category axis runs from the bottom up.
  const top = [...s.top].reverse();
  return {
    width: 720,
    height: 88 + 22 * Math.max(top.length, 1),
    option: {
      title,
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 160, right: 32, top: 64, bottom: 24 },
      xAxis: { type: 'value' },
      yAxis: {
        type: 'category',
        data: top.map((t) => t.value),
        axisLabel: { width: 148, overflow: 'truncate' },
      },
      series: [{ type: 'bar', name: s.column, data: top.map((t) => t.count) }],
    },
  };
}
