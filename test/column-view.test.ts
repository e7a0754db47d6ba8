import { describe, expect, it } from 'vitest';
import type { CategorySummary, NumericSummary } from '../src/api';
import { binLabel, columnChart, formatSummaryValue, summaryText } from '../renderer/src/lib/column-view';

const ratings: NumericSummary = {
  kind: 'numeric',
  column: 'rating',
  type: 'int32',
  rows: 7,
  nulls: 1,
  infinite: 0,
  min: 1,
  max: 5,
  histogram: { start: 1, width: 1, counts: [1, 0, 2, 0, 3], discrete: true },
};
const scores: NumericSummary = {
  kind: 'numeric',
  column: 'score',
  type: 'float64',
  rows: 4,
  nulls: 0,
  infinite: 1,
  min: 0,
  max: 1,
  histogram: { start: 0, width: 1 / 3, counts: [1, 1, 1], discrete: false },
};
const genres: CategorySummary = {
  kind: 'category',
  column: 'genre',
  type: 'string',
  rows: 12_000,
  nulls: 2,
  distinct: 10_000,
  distinctCapped: true,
  top: [
    { value: 'drama', count: 1500 },
    { value: 'comedy', count: 900 },
  ],
};

describe('how a column summary is shown', () => {
  it('labels a discrete bin by its value and another by its range', () => {
    expect([0, 2, 4].map((i) => binLabel(ratings, i))).toEqual(['1', '3', '5']);
    expect(binLabel(scores, 1)).toBe('0.3333 – 0.6667');
  });

  it('writes times as dates, or dates and minutes', () => {
    expect(formatSummaryValue(86_400_000 * 365, 'date')).toBe('1971-01-01');
    expect(formatSummaryValue(Date.UTC(2024, 1, 3, 4, 5, 6), 'timestamp')).toBe('2024-02-03 04:05');
  });

  it('says the range, the NULLs and the infinite values, or the distinct count and top values', () => {
    expect(summaryText(ratings)).toBe('min 1 · max 5 · 1 NULL');
    expect(summaryText(scores)).toBe('min 0 · max 1 · 0 NULL · 1 infinite');
    expect(summaryText(genres)).toBe('≥ 10,000 distinct · 2 NULL\ntop: drama (1,500), comedy (900)');
    expect(
      summaryText({ ...ratings, min: null, max: null, histogram: { ...ratings.histogram, counts: [] } }),
    ).toBe('no finite values · 1 NULL');
  });

  it('charts numbers as a histogram and other values as bars, the most frequent on top', () => {
    const histogram = columnChart(ratings).option as {
      xAxis: { data: string[] };
      series: { type: string; data: number[] }[];
    };
    expect(histogram.xAxis.data).toEqual(['1', '2', '3', '4', '5']);
    expect(histogram.series[0]).toMatchObject({ type: 'bar', data: [1, 0, 2, 0, 3] });
    const bars = columnChart(genres).option as { yAxis: { data: string[] }; series: { data: number[] }[] };
    expect(bars.yAxis.data).toEqual(['comedy', 'drama']);
    expect(bars.series[0].data).toEqual([900, 1500]);
  });
});
