import type { EChartsOption } from 'echarts';

/**
 * The title, the notes under it (what was left out) and the legend, placed so they never
 * overlap the plot: every builder's charts start alike.
 */
export function heading(
  title: string,
  notes: readonly string[],
  legend: boolean,
): Pick<EChartsOption, 'title' | 'legend' | 'grid'> {
  const subtext = notes.filter(Boolean).join(' · ');
  const top = 40 + (subtext ? 18 : 0);
  return {
    title: {
      text: title,
      subtext,
      left: 'center',
      textStyle: { fontSize: 14 },
      subtextStyle: { fontSize: 11 },
    },
    ...(legend ? { legend: { top, type: 'scroll' as const } } : {}),
    // The plot shrinks inside these margins until the axis labels and names fit.
    grid: {
      top: top + (legend ? 34 : 12),
      left: 16,
      right: 32,
      bottom: 12,
      outerBoundsMode: 'same',
      outerBoundsContain: 'all',
    },
  };
}
