/** What the attention models show of themselves: a user's attention as a map, a heatmap, and a reason. */
import { heatmap, type Chart } from '../../charts';

/** Attention weights: rows read columns (history items); values row-major, each row summing to at most 1. */
export interface AttentionMap {
  user: string;
  rows: string[];
  columns: string[];
  values: Float32Array;
}

export function attentionChart(model: string, map: AttentionMap): Chart {
  // Softmax weights lie in [0, 1]; DIN's unnormalised ones may not, and the scale follows them.
  let lo = 0;
  let hi = 1;
  for (const v of map.values) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return heatmap(
    { values: map.values, rows: map.rows, columns: map.columns },
    {
      title: `${model}: attention of user ${map.user}`,
      rowName: 'prediction',
      columnName: 'history item',
      valueName: 'attention',
      min: lo,
      max: hi,
      format: (v) => v.toFixed(2),
    },
  );
}

/** "after Alien (0.41), Heat (0.22)": the history items with the most weight, strongest first. */
export function attentionReason(titles: readonly string[], weights: ArrayLike<number>, shown = 2): string {
  const order = Array.from(titles.keys()).sort((a, b) => weights[b] - weights[a]);
  const top = order.slice(0, shown).filter((i) => weights[i] > 0);
  return top.length ? `after ${top.map((i) => `${titles[i]} (${weights[i].toFixed(2)})`).join(', ')}` : '';
}
