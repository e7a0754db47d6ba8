/**
 * The embedding projector's view, apart from the DOM so that it can be tested: the payload
 * decoded into typed arrays, colours, points projected onto the screen and rasterised, and
 * the point under the pointer found through a screen-space grid.
 *
 * Screen positions are in CSS pixels from the canvas's top-left corner; only the raster
 * works in device pixels.
 */
import {
  MISSING_COLOUR,
  categoryColour,
  plainColour,
  rgb,
  sequentialColour,
  type ProjectorNeighbour,
  type ProjectorOutput,
} from '../../../src/api';

export type Legend =
  | { kind: 'none' }
  | { kind: 'category'; name: string; categories: string[]; counts: Uint32Array }
  | { kind: 'number'; name: string; min: number; max: number; missing: number };

export interface ProjectorData {
  count: number;
  dims: 2 | 3;
  /** `count × dims`, row-major. */
  coords: Float32Array;
  labels: string[];
  /**
   * Per point, its colour's index: the category, or the level of a number on the
   * sequential scale; `colourCount(legend)` (one past the last) for a missing value.
   */
  colour: Uint16Array;
  legend: Legend;
}

/** Steps of the sequential scale a number is drawn with. */
export const LEVELS = 64;

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// The payload is little-endian, as is every machine a browser runs on: its bytes are viewed as they are.
function decodeFloat32(text: string, length: number, what: string): Float32Array {
  const bytes = decodeBase64(text);
  if (bytes.length !== length * 4)
    throw new Error(
      `The projector's ${what} hold ${bytes.length / 4} numbers where ${length} were expected.`,
    );
  return new Float32Array(bytes.buffer, 0, length);
}

function decodeUint16(text: string, length: number, what: string): Uint16Array {
  const bytes = decodeBase64(text);
  if (bytes.length !== length * 2)
    throw new Error(`The projector's ${what} hold ${bytes.length / 2} values where ${length} were expected.`);
  return new Uint16Array(bytes.buffer, 0, length);
}

/** Throws, with a message for the user, when the payload's parts do not agree. */
export function decodeProjector(output: ProjectorOutput): ProjectorData {
  const { count, dims } = output;
  if (dims !== 2 && dims !== 3)
    throw new Error(`The projector shows 2 or 3 dimensions, not ${String(dims)}.`);
  if (output.labels.length !== count)
    throw new Error(`The projector has ${output.labels.length} labels for ${count} points.`);
  const coords = decodeFloat32(output.coords, count * dims, 'coordinates');
  const color = output.color;
  if (!color)
    return {
      count,
      dims,
      coords,
      labels: output.labels,
      colour: new Uint16Array(count),
      legend: { kind: 'none' },
    };
  if (color.kind === 'category') {
    const values = decodeUint16(color.values, count, `'${color.name}' colours`);
    const n = color.categories.length;
    const colour = new Uint16Array(count);
    const counts = new Uint32Array(n);
    for (let i = 0; i < count; i++) {
      const v = values[i];
      // An index past the categories is a missing value.
      colour[i] = v < n ? v : n;
      if (v < n) counts[v]++;
    }
    return {
      count,
      dims,
      coords,
      labels: output.labels,
      colour,
      legend: { kind: 'category', name: color.name, categories: color.categories, counts },
    };
  }
  const values = decodeFloat32(color.values, count, `'${color.name}' colours`);
  const { min, max } = color;
  const colour = new Uint16Array(count);
  const span = max - min;
  let missing = 0;
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      colour[i] = LEVELS;
      missing++;
      continue;
    }
    const t = span > 0 ? (v - min) / span : 0.5;
    colour[i] = Math.min(LEVELS - 1, Math.max(0, Math.floor(t * LEVELS)));
  }
  return {
    count,
    dims,
    coords,
    labels: output.labels,
    colour,
    legend: { kind: 'number', name: color.name, min, max, missing },
  };
}

// ---- colours ----

/** Colours (`#rrggbb`) by colour index: the last is for missing values. */
export function palette(legend: Legend, dark: boolean): string[] {
  if (legend.kind === 'none') return [plainColour(dark), MISSING_COLOUR];
  if (legend.kind === 'category')
    return [...legend.categories.map((_, i) => categoryColour(i)), MISSING_COLOUR];
  return [
    ...Array.from({ length: LEVELS }, (_, i) => sequentialColour((i + 0.5) / LEVELS, dark)),
    MISSING_COLOUR,
  ];
}

export function colourCount(legend: Legend): number {
  return legend.kind === 'none' ? 1 : legend.kind === 'category' ? legend.categories.length : LEVELS;
}

/** A colour as an ImageData pixel seen through a Uint32Array (little-endian: ABGR). */
export function pixel(colour: string, alpha = 255): number {
  const [r, g, b] = rgb(colour);
  return ((alpha << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

// ---- the view ----

export type Mode = '2d' | '3d';

export interface View {
  /** CSS pixels per data unit. */
  scale: number;
  /** Where the data's centre sits, from the canvas's centre, in CSS pixels. */
  panX: number;
  panY: number;
  /** Row-major 3 × 3 rotation, used in 3-D. */
  rotation: Float64Array;
}

/** The box around the finite points, per dimension, and the farthest of them from its centre. */
export interface Extent {
  min: Float64Array;
  max: Float64Array;
  radius: number;
}

export function extent(coords: Float32Array, count: number, dims: number): Extent {
  const min = new Float64Array(dims).fill(Infinity);
  const max = new Float64Array(dims).fill(-Infinity);
  for (let i = 0; i < count; i++) {
    let finite = true;
    for (let d = 0; d < dims; d++) finite &&= Number.isFinite(coords[i * dims + d]);
    if (!finite) continue;
    for (let d = 0; d < dims; d++) {
      const v = coords[i * dims + d];
      if (v < min[d]) min[d] = v;
      if (v > max[d]) max[d] = v;
    }
  }
  // No finite point: an empty box around the origin.
  for (let d = 0; d < dims; d++) if (min[d] > max[d]) min[d] = max[d] = 0;
  let radius = 0;
  for (let i = 0; i < count; i++) {
    let r = 0;
    for (let d = 0; d < dims; d++) r += (coords[i * dims + d] - (min[d] + max[d]) / 2) ** 2;
    // NaN is never greater.
    if (r > radius) radius = r;
  }
  return { min, max, radius: Math.sqrt(radius) };
}

/** Turned a little, so that a 3-D map looks three-dimensional before it is dragged. */
function tilted(): Float64Array {
  return multiply(rotationX(0.35), rotationY(-0.5));
}

/** The whole map in a `width × height` canvas, with a margin. */
export function fit(box: Extent, mode: Mode, width: number, height: number): View {
  const span = (d: number) => box.max[d] - box.min[d];
  let scale: number;
  if (mode === '2d') {
    scale = Math.min((width * 0.9) / (span(0) || 1), (height * 0.9) / (span(1) || 1));
  } else {
    // No rotation shows a point farther from the centre than it is.
    scale = (Math.min(width, height) * 0.45) / (box.radius || 1);
  }
  return { scale, panX: 0, panY: 0, rotation: mode === '3d' ? tilted() : identity() };
}

/** Screen positions of every point, and depth (larger is nearer) in 3-D; NaN for a point with no position. */
export interface Frame {
  x: Float32Array;
  y: Float32Array;
  depth: Float32Array;
}

export function newFrame(count: number): Frame {
  return { x: new Float32Array(count), y: new Float32Array(count), depth: new Float32Array(count) };
}

export function project(
  coords: Float32Array,
  dims: number,
  box: Extent,
  mode: Mode,
  view: View,
  width: number,
  height: number,
  frame: Frame,
): void {
  const count = frame.x.length;
  const { x, y, depth } = frame;
  const ox = width / 2 + view.panX;
  const oy = height / 2 + view.panY;
  const s = view.scale;
  const cx = (box.min[0] + box.max[0]) / 2;
  const cy = (box.min[1] + box.max[1]) / 2;
  if (mode === '2d') {
    for (let i = 0; i < count; i++) {
      x[i] = ox + (coords[i * dims] - cx) * s;
      // Screen y grows downwards, the map's upwards.
      y[i] = oy - (coords[i * dims + 1] - cy) * s;
      depth[i] = 0;
    }
    return;
  }
  const cz = (box.min[2] + box.max[2]) / 2;
  const r = view.rotation;
  for (let i = 0; i < count; i++) {
    const px = coords[i * 3] - cx;
    const py = coords[i * 3 + 1] - cy;
    const pz = coords[i * 3 + 2] - cz;
    x[i] = ox + (r[0] * px + r[1] * py + r[2] * pz) * s;
    y[i] = oy - (r[3] * px + r[4] * py + r[5] * pz) * s;
    depth[i] = r[6] * px + r[7] * py + r[8] * pz;
  }
}

/** Zooms by `factor`, keeping what is under (`x`, `y`) where it is. */
export function zoomAt(
  view: View,
  factor: number,
  x: number,
  y: number,
  width: number,
  height: number,
): View {
  const mx = x - width / 2;
  const my = y - height / 2;
  return {
    ...view,
    scale: view.scale * factor,
    panX: mx - (mx - view.panX) * factor,
    panY: my - (my - view.panY) * factor,
  };
}

/** Pans so that what is at (`x`, `y`) comes to the canvas's centre. */
export function centreOn(view: View, x: number, y: number, width: number, height: number): View {
  return { ...view, panX: view.panX - (x - width / 2), panY: view.panY - (y - height / 2) };
}

/** Radians per pixel dragged. */
const TURN = 0.008;

/**
 * Turns the map as if dragged by (`dx`, `dy`) pixels: sideways about the screen's vertical axis, up and down
 * about its horizontal one.
 */
export function rotate(view: View, dx: number, dy: number): View {
  return { ...view, rotation: multiply(multiply(rotationY(dx * TURN), rotationX(dy * TURN)), view.rotation) };
}

function identity(): Float64Array {
  return Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
}

function rotationX(a: number): Float64Array {
  const [c, s] = [Math.cos(a), Math.sin(a)];
  return Float64Array.of(1, 0, 0, 0, c, -s, 0, s, c);
}

function rotationY(a: number): Float64Array {
  const [c, s] = [Math.cos(a), Math.sin(a)];
  return Float64Array.of(c, 0, s, 0, 1, 0, -s, 0, c);
}

function multiply(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(9);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++)
      out[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
  return out;
}

// ---- drawing ----

export interface Raster {
  /** ImageData's pixels, one Uint32 each. */
  pixels: Uint32Array;
  width: number;
  height: number;
  /** Device pixels per CSS pixel. */
  ratio: number;
  /** A point's side, in device pixels. */
  size: number;
  /** Per pixel, the depth of the point drawn there; only in 3-D. */
  depth?: Float32Array;
}

/**
 * Per point, 1 where it is drawn faint: its colour is dimmed (the legend picks others), or a
 * point's neighbours are shown and it is neither that point nor one of them. Undefined when
 * none is. Written into `into` when it fits: a large map repaints on every frame of a drag.
 */
export function faintPoints(
  colour: Uint16Array,
  dimmed: Uint8Array | undefined,
  highlighted: readonly number[] | undefined,
  into?: Uint8Array,
): Uint8Array | undefined {
  if (!dimmed && !highlighted) return undefined;
  const faint = into?.length === colour.length ? into : new Uint8Array(colour.length);
  if (highlighted) {
    faint.fill(1);
    for (const i of highlighted) faint[i] = dimmed ? dimmed[colour[i]] : 0;
  } else if (dimmed) {
    for (let i = 0; i < colour.length; i++) faint[i] = dimmed[colour[i]];
  }
  return faint;
}

/**
 * Draws every point as a square, faint ones first so that the others stay on top; in 3-D a
 * nearer point hides a farther one. Returns how many points fell on the canvas.
 */
export function rasterise(
  frame: Frame,
  colour: Uint16Array,
  colours: Uint32Array,
  faint: Uint8Array | undefined,
  raster: Raster,
): number {
  const { pixels, width, height, ratio, size, depth } = raster;
  pixels.fill(0);
  const half = size / 2;
  let drawn = 0;
  for (const pass of faint ? [1, 0] : [0]) {
    depth?.fill(-Infinity);
    for (let i = 0; i < frame.x.length; i++) {
      const c = colour[i];
      if (faint && faint[i] !== pass) continue;
      const x0 = Math.round(frame.x[i] * ratio - half);
      const y0 = Math.round(frame.y[i] * ratio - half);
      // NaN fails both tests too.
      if (!(x0 > -size && x0 < width && y0 > -size && y0 < height)) continue;
      drawn++;
      const z = frame.depth[i];
      const value = pass ? (colours[c] & 0x00ffffff) | 0x38000000 : colours[c];
      const xa = Math.max(0, x0);
      const xb = Math.min(width, x0 + size);
      for (let y = Math.max(0, y0), yb = Math.min(height, y0 + size); y < yb; y++) {
        for (let p = y * width + xa, end = y * width + xb; p < end; p++) {
          if (depth) {
            if (z < depth[p]) continue;
            depth[p] = z;
          }
          pixels[p] = value;
        }
      }
    }
  }
  return drawn;
}

// ---- finding points ----

/**
 * The points on screen, bucketed into square cells (a counting sort): the point nearest
 * the pointer is among the few in the cells around it, however many points there are.
 */
export class ScreenGrid {
  private cols = 0;
  private rows = 0;
  private start = new Int32Array(1);
  private items = new Int32Array(0);
  private frame: Frame | undefined;

  constructor(private readonly cell = 8) {}

  build(frame: Frame, width: number, height: number): void {
    const { x, y } = frame;
    const count = x.length;
    this.frame = frame;
    this.cols = Math.max(1, Math.ceil(width / this.cell));
    this.rows = Math.max(1, Math.ceil(height / this.cell));
    const cells = this.cols * this.rows;
    const start = new Int32Array(cells + 1);
    const at = new Int32Array(count).fill(-1);
    for (let i = 0; i < count; i++) {
      const c = this.cellOf(x[i], y[i]);
      if (c < 0) continue;
      at[i] = c;
      start[c + 1]++;
    }
    for (let c = 0; c < cells; c++) start[c + 1] += start[c];
    const next = start.slice(0, cells);
    if (this.items.length < count) this.items = new Int32Array(count);
    for (let i = 0; i < count; i++) if (at[i] >= 0) this.items[next[at[i]]++] = i;
    this.start = start;
  }

  private cellOf(x: number, y: number): number {
    const cx = Math.floor(x / this.cell);
    const cy = Math.floor(y / this.cell);
    // NaN fails these too.
    if (!(cx >= 0 && cx < this.cols && cy >= 0 && cy < this.rows)) return -1;
    return cy * this.cols + cx;
  }

  /** The point nearest (`x`, `y`) within `radius`, the nearer in depth on a tie; -1 when none. */
  nearest(x: number, y: number, radius: number): number {
    const frame = this.frame;
    if (!frame) return -1;
    let best = -1;
    let bestDistance = radius * radius;
    const c0 = Math.max(0, Math.floor((x - radius) / this.cell));
    const c1 = Math.min(this.cols - 1, Math.floor((x + radius) / this.cell));
    const r0 = Math.max(0, Math.floor((y - radius) / this.cell));
    const r1 = Math.min(this.rows - 1, Math.floor((y + radius) / this.cell));
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const cell = r * this.cols + c;
        for (let k = this.start[cell]; k < this.start[cell + 1]; k++) {
          const i = this.items[k];
          const d = (frame.x[i] - x) ** 2 + (frame.y[i] - y) ** 2;
          if (d < bestDistance || (d === bestDistance && best >= 0 && frame.depth[i] >= frame.depth[best])) {
            best = i;
            bestDistance = d;
          }
        }
      }
    }
    return best;
  }
}

/** The first `limit` labels containing `query`, ignoring case, and how many contain it. */
export function searchLabels(
  lowered: readonly string[],
  query: string,
  limit: number,
): { matches: number[]; total: number } {
  const q = query.trim().toLowerCase();
  const matches: number[] = [];
  let total = 0;
  if (!q) return { matches, total };
  for (let i = 0; i < lowered.length; i++) {
    if (!lowered[i].includes(q)) continue;
    if (matches.length < limit) matches.push(i);
    total++;
  }
  return { matches, total };
}

/** The kernel's answer to `neighbours`, checked: it crossed a process and a socket. */
export function readNeighbours(value: unknown): ProjectorNeighbour[] {
  const ok = (n: unknown): n is ProjectorNeighbour => {
    const o = n as Partial<ProjectorNeighbour> | null;
    return (
      typeof o === 'object' &&
      o !== null &&
      Number.isInteger(o.index) &&
      typeof o.label === 'string' &&
      typeof o.similarity === 'number'
    );
  };
  if (!Array.isArray(value) || !value.every(ok))
    throw new Error('The kernel answered with something other than a list of neighbours.');
  return value;
}
