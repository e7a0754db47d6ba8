/**
 * Labels of an x axis that stay inside the chart: the first starts where the axis starts and
 * the last ends where it ends (centred, as ECharts draws them, a date at either end runs off
 * the chart's edge), and a label that would overlap its neighbour is left out.
 */
export const INSIDE_LABELS = {
  axisLabel: { hideOverlap: true, alignMinLabel: 'left', alignMaxLabel: 'right' },
} as const;
