/**
 * How an embedding map looks, wherever it is drawn: RecLab's view, the static SVG the kernel
 * saves, and the exported page. One palette and one geometry, so that a reader without RecLab
 * sees the colours and proportions the analyst saw.
 */

/** Points without a colour of their own (a missing value, or a category past a legend). */
export const MISSING_COLOUR = '#8b949e';

/** Points of a map with no colouring, on a light or a dark background. */
export function plainColour(dark: boolean): string {
  return dark ? '#6ea8fe' : '#3b6fb6';
}

const TABLEAU10 = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** The colour (`#rrggbb`) of category `i`, the categories ordered largest first. */
export function categoryColour(i: number): string {
  if (i < TABLEAU10.length) return TABLEAU10[i];
  // Past the palette, hues a golden angle apart stay distinct from their neighbours.
  return hsl((i * 137.508) % 360, 0.55, 0.58);
}

function hsl(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return hex(channel(0), channel(8), channel(4));
}

const hex = (r: number, g: number, b: number) =>
  `#${((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1)}`;

/** Viridis, every tenth. */
const VIRIDIS = [
  '#440154',
  '#482475',
  '#414487',
  '#355f8d',
  '#2a788e',
  '#21918c',
  '#22a884',
  '#44bf70',
  '#7ad151',
  '#bddf26',
  '#fde725',
];

/**
 * Viridis at `t` in [0, 1], leaving out the end that would vanish into the background:
 * the pale yellow on white, the dark violet on black.
 */
export function sequentialColour(t: number, dark: boolean): string {
  const [from, to] = dark ? [0.15, 1] : [0, 0.85];
  const x = (from + Math.min(1, Math.max(0, t)) * (to - from)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [rgb(VIRIDIS[i]), rgb(VIRIDIS[i + 1])];
  return hex(
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
  );
}

export function rgb(colour: string): [number, number, number] {
  const v = parseInt(colour.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** The box of a map's points in its own units. */
export interface MapBounds {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

/** A rectangle of a chart, in pixels. */
export interface MapArea {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** What a static map is drawn in: its chart's width and greatest height, margins, and what stands right of it. */
export interface MapLayout {
  width: number;
  maxHeight: number;
  /** Room for the title above the map. */
  top: number;
  /** Pixels kept clear of the map on the left, below and on the right (before the side). */
  margin: number;
  /** A legend's names, which get a column as wide as they need; or the pixels a colour scale takes. */
  side: readonly string[] | number;
}

/** A legend entry's height in ECharts (14 px swatch, 10 px gap), and its padding. */
const LEGEND_ROW = 24;

/**
 * An ECharts scatter's layout for a map: as large as fits with a unit as long across as up,
 * as RecLab's view fits it, and the chart as tall as the map (or its legend) needs, so that
 * its proportions are the map's. The axes' `min`/`max` are the points' own bounds, where
 * ECharts would round them out to nice numbers and stretch each axis apart.
 */
export function mapFrame(
  bounds: MapBounds,
  layout: MapLayout,
): {
  grid: MapArea;
  x: { min: number; max: number };
  y: { min: number; max: number };
  height: number;
  /** The legend column's width, text and swatch; 0 without a legend. */
  legend: number;
} {
  // One point, or all on a line: a unit either side of it, as the view does.
  const axis = (min: number, max: number) => {
    if (max > min) return { min, max };
    const centre = Number.isFinite(min) ? min : 0;
    return { min: centre - 0.5, max: centre + 0.5 };
  };
  const x = axis(bounds.minX, bounds.maxX);
  const y = axis(bounds.minY, bounds.maxY);
  const { width: chartWidth, maxHeight, top, margin, side } = layout;
  const legend = typeof side === 'number' ? 0 : legendWidth(side);
  const beside = typeof side === 'number' ? side : legend + margin;
  const room = {
    width: chartWidth - 2 * margin - beside,
    height: maxHeight - top - margin,
  };
  const scale = Math.min(room.width / (x.max - x.min), room.height / (y.max - y.min));
  const width = (x.max - x.min) * scale;
  const height = (y.max - y.min) * scale;
  const legendHeight = typeof side === 'number' ? 0 : side.length * LEGEND_ROW + 2 * margin;
  return {
    grid: { left: margin + (room.width - width) / 2, top, width, height },
    x,
    y,
    height: Math.min(maxHeight, Math.max(Math.ceil(top + height + margin), legendHeight)),
    legend,
  };
}

/**
 * Pixels a legend of `names` needs beside a map, at ECharts' 12 px type: wide enough for the
 * longest name up to `most`, where a longer one wraps; never cut short.
 */
function legendWidth(names: readonly string[], most = 200): number {
  // An average sans-serif character at 12 px, rounded up: a name must fit, not just about fit.
  const longest = names.reduce((w, n) => Math.max(w, n.length), 0) * 7.5;
  // The swatch (10), the gap after it (5) and some air.
  return Math.min(most, Math.ceil(longest)) + 30;
}

/** The points' bounds in coordinates `[x, y]` at `stride` numbers per point (NaN left out). */
export function mapBounds(coords: ArrayLike<number>, count: number, stride: number): MapBounds {
  const b = { minX: Infinity, maxX: -Infinity, minY: Infinity, maxY: -Infinity };
  for (let i = 0; i < count; i++) {
    const [x, y] = [coords[i * stride], coords[i * stride + 1]];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    b.minX = Math.min(b.minX, x);
    b.maxX = Math.max(b.maxX, x);
    b.minY = Math.min(b.minY, y);
    b.maxY = Math.max(b.maxY, y);
  }
  return b;
}
