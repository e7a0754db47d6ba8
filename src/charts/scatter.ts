import { formatCount } from '../api';
import type { EChartsOption, ScatterSeriesOption } from 'echarts';
import { INSIDE_LABELS } from './axis-labels';
import { Chart } from './chart';
import { ChartInput, labelsOf, leftOut, type ChartColumn, type ChartData } from './chart-data';
import { heading } from './heading';

export interface ScatterOptions {
  x: string;
  y: string;
  /**
   * A column that colours the points: text, or a few whole numbers (genre, cluster), gives
   * each value a colour and a legend entry; other numbers a colour scale.
   */
  color?: string;
  /** A column whose value names each point on hover (an item's title). */
  label?: string;
  title?: string;
}

/** Beyond this many points ECharts draws them in its large mode: one shape, no per-point hover state. */
const LARGE = 5000;
/** More colour groups than this cannot be told apart; the smallest merge into "other". */
const MAX_GROUPS = 20;

type Point = (number | string)[];

/** Points whose x or y (or numeric colour) is missing are left out, and the subtitle says how many. */
export function scatter(data: ChartData, options: ScatterOptions): Chart {
  const input = new ChartInput('scatter', data);
  const x = input.numbers(options.x, 'x');
  const y = input.numbers(options.y, 'y');
  const colour = options.color === undefined ? undefined : input.column(options.color, 'color');
  const groups = colour && isGrouping(colour) ? labelsOf(colour) : undefined;
  const scale = colour && !groups ? (colour.values as ArrayLike<number>) : undefined;
  const labels = options.label === undefined ? undefined : labelsOf(input.column(options.label, 'label'));

  const dimensions = [x.name, y.name, ...(scale ? [colour!.name] : []), ...(labels ? [options.label!] : [])];
  const n = input.numRows;
  const byGroup = new Map<string, Point[]>();
  let kept = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let r = 0; r < n; r++) {
    const px = x.values[r];
    const py = y.values[r];
    const c = scale ? scale[r] : 0;
    if (!(Number.isFinite(px) && Number.isFinite(py) && Number.isFinite(c))) continue;
    const point: Point = [px, py];
    if (scale) {
      point.push(c);
      lo = Math.min(lo, c);
      hi = Math.max(hi, c);
    }
    if (labels) point.push(labels[r]);
    const key = groups ? groups[r] : '';
    let list = byGroup.get(key);
    if (!list) byGroup.set(key, (list = []));
    list.push(point);
    kept++;
  }
  if (kept === 0) {
    const names = [x.name, y.name, ...(scale ? [colour!.name] : [])].map((s) => `"${s}"`).join(', ');
    throw new Error(
      `scatter: nothing to draw: no row has finite values in ${names} (${formatCount(n)} rows).`,
    );
  }

  const merged = groups ? mergeSmallGroups(byGroup) : byGroup;
  const large = kept > LARGE;
  const series: ScatterSeriesOption[] = [...merged].map(([name, points]) => ({
    type: 'scatter',
    name: name || y.name,
    data: points,
    dimensions,
    encode: { x: 0, y: 1, tooltip: labels ? [dimensions.length - 1, 0, 1] : [0, 1] },
    symbolSize: large ? 3 : 6,
    ...(large ? { large: true, largeThreshold: LARGE } : {}),
  }));
  const notes = [
    `${formatCount(kept)} points`,
    leftOut(n - kept, n),
    merged.size < byGroup.size
      ? `${byGroup.size - merged.size + 1} smallest groups of "${colour!.name}" drawn as other`
      : '',
  ];
  const head = heading(options.title ?? `${y.name} against ${x.name}`, notes, groups !== undefined);
  const option: EChartsOption = {
    ...head,
    tooltip: { trigger: 'item' },
    xAxis: {
      type: x.kind === 'time' ? 'time' : 'value',
      scale: true,
      ...(x.kind === 'time' ? INSIDE_LABELS : {}),
      name: x.name,
      nameLocation: 'middle',
      nameGap: 28,
    },
    yAxis: { type: y.kind === 'time' ? 'time' : 'value', scale: true, name: y.name },
    series,
  };
  if (scale) {
    option.visualMap = {
      type: 'continuous',
      dimension: 2,
      min: lo,
      max: hi,
      text: [colour!.name, ''],
      right: 8,
      top: 'middle',
      calculable: true,
      inRange: { color: ['#313695', '#74add1', '#fee090', '#f46d43', '#a50026'] },
    };
    option.grid = { ...(head.grid as object), right: 96 };
  }
  return new Chart(option);
}

/**
 * Text colours by value; so do whole numbers with few distinct values (cluster ids), which are names more
 * than amounts.
 */
function isGrouping(c: ChartColumn): boolean {
  if (c.kind === 'category') return true;
  if (c.kind === 'time') return false;
  const seen = new Set<number>();
  for (let i = 0; i < c.values.length; i++) {
    const v = c.values[i];
    if (Number.isNaN(v)) continue;
    if (!Number.isInteger(v)) return false;
    seen.add(v);
    if (seen.size > MAX_GROUPS) return false;
  }
  return true;
}

/**
 * The groups in their natural order (numbers by value), the smallest beyond MAX_GROUPS − 1 merged into
 * "other", last.
 */
function mergeSmallGroups(groups: Map<string, Point[]>): Map<string, Point[]> {
  const bySize = [...groups].sort((a, b) => b[1].length - a[1].length);
  const kept = groups.size > MAX_GROUPS ? bySize.slice(0, MAX_GROUPS - 1) : bySize;
  const out = new Map(kept.sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true })));
  if (kept.length < groups.size)
    out.set(
      'other',
      bySize.slice(kept.length).flatMap(([, points]) => points),
    );
  return out;
}
