/**
 * A map of embedding vectors in 2 or 3 dimensions, shown as the projector widget: the
 * points with their labels and colours for RecLab's view, a static scatter of a sample
 * for readers without RecLab, and nearest neighbours by cosine in the original space,
 * which the view asks for when a point is clicked.
 */
import {
  MISSING_COLOUR,
  categoryColour,
  formatCount,
  mapBounds,
  mapFrame,
  plainColour,
  sequentialColour,
  type JsonValue,
  MIME,
  type MimeBundle,
  type ProjectorColor,
  type ProjectorNeighbour,
  type ProjectorOutput,
  WIDGET,
  type Widget,
  type WidgetReply,
  type WidgetSpec,
} from '../api';
import type { ScatterSeriesOption } from 'echarts';
import { chart, renderSvg, type Chart } from '../charts';
import { closestNames, exactSearch, type Embeddings } from '../recsys';
import { PROJECTIONS, type ProjectionName } from './projection';
import { Random } from '../recsys/random';

/** Colours of the points as the kernel holds them. */
export type PointColours =
  /** `values`: an index into `categories` per point; `categories.length` for a missing value. */
  | { name: string; kind: 'category'; categories: string[]; values: Uint16Array }
  /** `values`: NaN for a missing value; `min`/`max` over the others. */
  | { name: string; kind: 'number'; min: number; max: number; values: Float32Array };

export interface EmbeddingMapParts {
  title: string;
  method: ProjectionName;
  dims: 2 | 3;
  /** `count × dims`, row-major. */
  coords: Float32Array;
  labels: string[];
  color: PointColours | null;
  /** The original vectors; the map keeps a normalised copy. */
  vectors: Embeddings;
  /** Picks the static preview's sample. */
  seed: number;
}

/** Points the static preview draws at most: enough to see the shape, small enough for the file. */
const PREVIEW_POINTS = 5000;
/** Categories the static preview names in its legend; the rest are drawn as "other". */
const PREVIEW_CATEGORIES = 9;
const DEFAULT_NEIGHBOURS = 10;

export class EmbeddingMap implements Widget {
  readonly title: string;
  readonly method: ProjectionName;
  readonly dims: 2 | 3;
  readonly count: number;
  /** `count × dims`, row-major. */
  readonly coords: Float32Array;
  readonly labels: readonly string[];
  readonly color: PointColours | null;
  /** Numbers per original vector. */
  readonly dim: number;
  /** The original vectors scaled to length 1 (a zero vector stays zero): cosine is then a dot product. */
  private readonly unit: Float32Array;
  private readonly seed: number;
  /** Marks the queried point, which is not its own neighbour. */
  private readonly exclude: Uint8Array;
  private labelIndex: Map<string, number> | undefined;

  constructor(parts: EmbeddingMapParts) {
    this.title = parts.title;
    this.method = parts.method;
    this.dims = parts.dims;
    this.coords = parts.coords;
    this.count = parts.coords.length / parts.dims;
    this.labels = parts.labels;
    this.color = parts.color;
    this.dim = parts.vectors.dim;
    this.seed = parts.seed;
    this.unit = normalisedRows(parts.vectors);
    this.exclude = new Uint8Array(this.count);
  }

  [WIDGET](): WidgetSpec {
    return {
      bundle: (widgetId) => this.bundle(widgetId),
      call: (method, params) => this.call(method, params),
    };
  }

  /**
   * The `k` points most similar to `point` (its index, or its label) by cosine in the
   * original space, most similar first; the point itself is left out.
   */
  neighbours(point: number | string, k = DEFAULT_NEIGHBOURS): ProjectorNeighbour[] {
    const i = this.pointIndex(point);
    if (!Number.isInteger(k) || k < 1)
      throw new Error(`neighbours: k must be a whole number of at least 1, got ${String(k)}.`);
    const { unit, dim } = this;
    this.exclude[i] = 1;
    try {
      const { ids, scores } = exactSearch(
        unit,
        dim,
        unit.subarray(i * dim, (i + 1) * dim),
        Math.min(k, this.count - 1),
        this.exclude,
      );
      return Array.from(ids, (j, r) => ({
        index: j,
        label: this.labels[j],
        similarity: Number(scores[r].toPrecision(6)),
      }));
    } finally {
      this.exclude[i] = 0;
    }
  }

  /** What the projector's view asks for. */
  private call(method: string, params: JsonValue): WidgetReply {
    if (method !== 'neighbours')
      throw new Error(`The projector has no method "${method}"; it answers "neighbours".`);
    const p = (params ?? {}) as Record<string, JsonValue | undefined>;
    // Taken as given, not through Number(): that would read null, '' or false as point 0 and true as point 1.
    const { index, k = DEFAULT_NEIGHBOURS } = p;
    if (typeof index !== 'number' && typeof index !== 'string')
      throw new Error(
        `neighbours: index must be a point's number or its label, got ${JSON.stringify(index) ?? 'nothing'}.`,
      );
    if (typeof k !== 'number')
      throw new Error(`neighbours: k must be a whole number of at least 1, got ${JSON.stringify(k)}.`);
    return { result: this.neighbours(index, k) as unknown as JsonValue };
  }

  private pointIndex(point: number | string): number {
    if (typeof point === 'string') {
      this.labelIndex ??= new Map(this.labels.map((label, i) => [label, i] as const).reverse());
      const i = this.labelIndex.get(point);
      if (i === undefined)
        throw new Error(
          `No point is labelled "${point}"; the closest labels are ${closestNames(point, [
            ...this.labelIndex.keys(),
          ])
            .map((l) => `"${l}"`)
            .join(', ')}.`,
        );
      return i;
    }
    if (!Number.isInteger(point) || point < 0 || point >= this.count)
      throw new Error(`No point ${String(point)}: the map's points are numbered 0 to ${this.count - 1}.`);
    return point;
  }

  bundle(widgetId: string): MimeBundle {
    const payload: ProjectorOutput = {
      widgetId,
      title: this.title,
      method: this.method,
      dims: this.dims,
      count: this.count,
      coords: littleEndianBase64(this.coords),
      labels: [...this.labels],
      ...(this.color ? { color: payloadColour(this.color) } : {}),
    };
    return {
      'text/plain': this.describe(),
      'image/svg+xml': renderSvg(this.preview()),
      [MIME.projector]: payload as unknown as JsonValue,
    };
  }

  private describe(): string {
    const colour = !this.color
      ? ''
      : this.color.kind === 'category'
        ? `, coloured by ${this.color.name} (${this.color.categories.length} categories)`
        : `, coloured by ${this.color.name} (${round(this.color.min)} to ${round(this.color.max)})`;
    return (
      `${this.title}: ${formatCount(this.count)} points of ${this.dim} numbers mapped to ${this.dims}-D ` +
      `by ${PROJECTIONS[this.method].title}${colour}. Open the notebook in RecLab to hover, search and list neighbours.`
    );
  }

  /** A static scatter of a sample of the points (a 3-D map by its first two coordinates). */
  private preview(): Chart {
    const shown = new Random(this.seed).sample(this.count, PREVIEW_POINTS);
    const subtitle = [
      shown.length < this.count
        ? `${formatCount(shown.length)} of ${formatCount(this.count)} points`
        : `${formatCount(this.count)} points`,
      this.dims === 3 ? 'first two of three coordinates' : '',
      this.color ? `colour: ${this.color.name}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    const series = this.previewSeries(shown);
    // The legend as wide as its names (a long one wraps), the map beside it in the view's proportions.
    const frame = mapFrame(mapBounds(this.coords, this.count, this.dims), {
      width: 640,
      maxHeight: 480,
      top: 70,
      margin: 20,
      side: this.color ? series.map((s) => String(s.name)) : 0,
    });
    const legend = {
      orient: 'vertical' as const,
      right: 20,
      top: 'middle',
      type: 'scroll' as const,
      // Square swatches, as the view's legend has.
      icon: 'roundRect',
      itemWidth: 10,
      itemHeight: 10,
      textStyle: { width: frame.legend - 30, overflow: 'break' as const },
    };
    return chart(
      {
        title: { text: this.title, subtext: subtitle, left: 'center' },
        grid: frame.grid,
        // A map's axes have no units to read: none are drawn.
        xAxis: { type: 'value', ...frame.x, show: false },
        yAxis: { type: 'value', ...frame.y, show: false },
        ...(this.color ? { legend } : {}),
        series,
        animation: false,
      },
      { width: 640, height: frame.height },
    );
  }

  /** One series per colour: ECharts' large mode, which keeps the SVG small, draws a series in one colour. */
  private previewSeries(shown: Int32Array): ScatterSeriesOption[] {
    const point = (i: number): number[] => [
      round(this.coords[i * this.dims]),
      round(this.coords[i * this.dims + 1]),
    ];
    // Opaque, as the view draws them: ECharts' default opacity would pale every colour.
    const base = { type: 'scatter' as const, symbol: 'rect', symbolSize: 3, large: true, largeThreshold: 0 };
    const style = (color: string) => ({ itemStyle: { color, opacity: 1 } });
    const color = this.color;
    if (!color) return [{ ...base, ...style(plainColour(false)), data: Array.from(shown, point) }];
    if (color.kind === 'category') {
      const named = Math.min(color.categories.length, PREVIEW_CATEGORIES);
      const groups = Array.from({ length: named + 1 }, () => [] as number[][]);
      for (const i of shown) groups[Math.min(color.values[i], named)].push(point(i));
      // The last group holds the missing values, and the categories past the legend when there are any.
      const names = [
        ...color.categories.slice(0, named),
        color.categories.length > named ? 'other' : 'missing',
      ];
      return groups
        .map((data, g) => ({
          ...base,
          ...style(g === named ? MISSING_COLOUR : categoryColour(g)),
          name: names[g],
          data,
        }))
        .filter((s) => s.data.length > 0);
    }
    const bands = Array.from({ length: BANDS + 1 }, () => [] as number[][]);
    const span = color.max - color.min;
    for (const i of shown) {
      const v = color.values[i];
      const band = Number.isNaN(v)
        ? BANDS
        : span > 0
          ? Math.min(BANDS - 1, Math.floor(((v - color.min) / span) * BANDS))
          : 0;
      bands[band].push(point(i));
    }
    const bandName = (b: number) =>
      b === BANDS
        ? 'missing'
        : `${round(color.min + (span * b) / BANDS)} to ${round(color.min + (span * (b + 1)) / BANDS)}`;
    return bands
      .map((data, b) => ({
        ...base,
        name: bandName(b),
        data,
        ...style(b === BANDS ? MISSING_COLOUR : sequentialColour((b + 0.5) / BANDS, false)),
      }))
      .filter((s) => s.data.length > 0);
  }
}

/** Steps of the colour scale in the legend of a static picture, which has no gradient. */
const BANDS = 8;

/** Four significant digits are plenty for a picture, and keep the SVG small. */
const round = (v: number) => Number(v.toPrecision(4));

function normalisedRows({ data, dim }: Embeddings): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < data.length; r += dim) {
    let norm = 0;
    for (let c = 0; c < dim; c++) norm += data[r + c] * data[r + c];
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let c = 0; c < dim; c++) out[r + c] = data[r + c] * scale;
  }
  return out;
}

/** The array's numbers in little-endian bytes, as base64: the payload's byte order whatever the machine's. */
function littleEndianBase64(values: Float32Array | Uint16Array): string {
  const bytes = Buffer.alloc(values.byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (values instanceof Float32Array) values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else values.forEach((v, i) => view.setUint16(i * 2, v, true));
  return bytes.toString('base64');
}

function payloadColour(color: PointColours): ProjectorColor {
  return color.kind === 'category'
    ? {
        name: color.name,
        kind: 'category',
        categories: color.categories,
        values: littleEndianBase64(color.values),
      }
    : {
        name: color.name,
        kind: 'number',
        min: color.min,
        max: color.max,
        values: littleEndianBase64(color.values),
      };
}
