/**
 * A heatmap: rows × columns of values, such as one user's attention in a sequence model
 * (rows: the query positions or the prediction, columns: the history's items).
 */
import { formatCount, formatCountOf } from '../api';
import type { EChartsOption, HeatmapSeriesOption } from 'echarts';
import { Table } from '../data';
import { Chart } from './chart';
import { ChartInput, describeValue, isValues, labelsOf, leftOut, type ChartData } from './chart-data';
import { heading } from './heading';

/** Values with their labels, row-major: `values[r * columns.length + c]`, or `values[r][c]`. */
export interface HeatmapMatrix {
  /** One flat array (a tensor's `dataSync()`) or one array per row (its `arraySync()`). */
  values: ArrayLike<number> | readonly ArrayLike<number>[];
  rows: readonly string[];
  columns: readonly string[];
}

export interface HeatmapOptions {
  title?: string;
  /** The axes' names: what a row is (query position) and what a column is (history item). */
  rowName?: string;
  columnName?: string;
  /** What a cell holds (attention), in the tooltip and the default title. */
  valueName?: string;
  /** The ends of the colour scale (default: the smallest and largest value); values beyond take the end colours. */
  min?: number;
  max?: number;
  /** How a value reads in cells, tooltips and the text (default: two significant digits). */
  format?: (value: number) => string;
}

/** A `Table` or named columns, one row per cell: its column label, row label and value. */
export interface HeatmapTableOptions extends HeatmapOptions {
  /** The column naming each cell's column. */
  x: string;
  /** The column naming each cell's row. */
  y: string;
  value: string;
}

/**
 * Beyond this many cells the drawing and the saved option grow too large for a notebook; a heatmap that big
 * says nothing one can read anyway.
 */
const MAX_CELLS = 100_000;
/** Cells show their values only while they are large enough to hold them. */
const MAX_LABELLED = 15;
/** How many cells the text names. */
const STRONGEST = 3;
/** Axis labels longer than this many pixels end in an ellipsis (the tooltip has them whole). */
const LABEL_WIDTH = 100;
/**
 * About how wide a character of a 12 px axis label is, and how wide the plot is at the default width: enough
 * to tell when column labels need turning.
 */
const CHAR_PX = 7;
const PLOT_WIDTH = 480;
/** Viridis: lightness rises evenly from dark to light, so it reads on light and dark themes alike, and in greyscale. */
const PALETTE = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];

/** A cell's numbers and texts; the texts are ordinal, else ECharts reads "41%" as a number, and fails. */
const DIMENSIONS: NonNullable<HeatmapSeriesOption['dimensions']> = [
  'column',
  'row',
  'value',
  { name: 'text', type: 'ordinal' },
  { name: 'cell', type: 'ordinal' },
];

/** The cells to draw, whichever form they came in. */
interface Grid {
  rows: string[];
  columns: string[];
  /** Row-major; a value that is not finite (NaN where the data has no such pair) is no cell. */
  values: Float64Array;
  /** What the values are called in messages: `values`, or `"weight"`. */
  source: string;
  /** Values given that were not finite, of how many, counted as what ("cells", "rows"). */
  missing: number;
  total: number;
  noun: string;
}

/**
 * Non-finite values are left out (an empty cell) and the subtitle says how many; the text
 * line names the strongest cells.
 */
export function heatmap(data: HeatmapMatrix, options?: HeatmapOptions): Chart;
export function heatmap(data: ChartData, options: HeatmapTableOptions): Chart;
export function heatmap(
  data: HeatmapMatrix | ChartData,
  options: HeatmapOptions & Partial<HeatmapTableOptions> = {},
): Chart {
  checkScale(options);
  const fromTable =
    data instanceof Table ||
    options.x !== undefined ||
    options.y !== undefined ||
    options.value !== undefined;
  const grid = fromTable ? tableGrid(data as ChartData, options) : matrixGrid(data);
  return draw(grid, {
    ...options,
    rowName: options.rowName ?? options.y ?? '',
    columnName: options.columnName ?? options.x ?? '',
    valueName: options.valueName ?? options.value ?? 'value',
  });
}

function matrixGrid(data: unknown): Grid {
  if (
    data === null ||
    typeof data !== 'object' ||
    isValues(data) ||
    !('values' in data && 'rows' in data && 'columns' in data)
  ) {
    throw new Error(
      'heatmap: the data must be { values, rows, columns } ' +
        '(values row by row, and the rows’ and columns’ labels), ' +
        `or a Table with options { x, y, value }; got ${describeValue(data)}.`,
    );
  }
  const matrix = data as HeatmapMatrix;
  const rows = labelList(matrix.rows, 'rows');
  const columns = labelList(matrix.columns, 'columns');
  const values = flatten(matrix.values, rows.length, columns.length);
  let missing = 0;
  for (const v of values) if (!Number.isFinite(v)) missing++;
  return { rows, columns, values, source: 'values', missing, total: values.length, noun: 'cells' };
}

function labelList(labels: unknown, option: 'rows' | 'columns'): string[] {
  if (!isValues(labels))
    throw new Error(`heatmap: ${option} must be an array of labels, got ${describeValue(labels)}.`);
  if (labels.length === 0) throw new Error(`heatmap: ${option} is empty; nothing to draw.`);
  return Array.from(labels as ArrayLike<unknown>, (l) => (l == null ? '(missing)' : String(l)));
}

function flatten(values: unknown, numRows: number, numColumns: number): Float64Array {
  checkSize(numRows, numColumns);
  if (!isValues(values))
    throw new Error(
      `heatmap: values must be an array of numbers or one array per row, got ${describeValue(values)}.`,
    );
  const out = new Float64Array(numRows * numColumns);
  const list = values as ArrayLike<unknown>;
  if (isValues(list[0])) {
    if (list.length !== numRows)
      throw new Error(
        `heatmap: values has ${formatCountOf(list.length, 'row')}, but rows has ${formatCountOf(numRows, 'label')}; ` +
          `give one array of ${formatCountOf(numColumns, 'number')} per row.`,
      );
    for (let r = 0; r < numRows; r++) {
      const row = list[r];
      if (!isValues(row))
        throw new Error(
          `heatmap: values[${r}] must be an array of ${formatCountOf(numColumns, 'number')}, like values[0], ` +
            `got ${describeValue(row)}.`,
        );
      if (row.length !== numColumns)
        throw new Error(
          `heatmap: values[${r}] has ${formatCountOf(row.length, 'number')}, ` +
            `but columns has ${formatCountOf(numColumns, 'label')}.`,
        );
      for (let c = 0; c < numColumns; c++) out[r * numColumns + c] = asNumber((row as ArrayLike<unknown>)[c]);
    }
    return out;
  }
  if (list.length !== out.length) {
    throw new Error(
      `heatmap: values has ${formatCountOf(list.length, 'number')}, ` +
        `but rows (${formatCount(numRows)}) × columns (${formatCount(numColumns)}) needs ${formatCount(out.length)}; ` +
        'give the values row by row.',
    );
  }
  for (let i = 0; i < out.length; i++) out[i] = asNumber(list[i]);
  return out;
}

/** Anything but a number (null, text) is a missing value, like NaN. */
function asNumber(v: unknown): number {
  return typeof v === 'number' ? v : NaN;
}

function checkSize(numRows: number, numColumns: number): void {
  if (numRows * numColumns > MAX_CELLS) {
    throw new Error(
      `heatmap: ${formatCount(numRows)} rows × ${formatCount(numColumns)} columns ` +
        `is more than the ${formatCount(MAX_CELLS)} cells it draws; ` +
        'show fewer rows or columns (the last 100 history items, say).',
    );
  }
}

/** One row of the data per cell; rows and columns come in the order their labels first appear. */
function tableGrid(data: ChartData, options: Partial<HeatmapTableOptions>): Grid {
  const input = new ChartInput('heatmap', data);
  const xs = labelsOf(input.column(options.x as string, 'x'));
  const ys = labelsOf(input.column(options.y as string, 'y'));
  const v = input.numbers(options.value as string, 'value');
  const columns = new Map<string, number>();
  const rows = new Map<string, number>();
  const indexOf = (labels: Map<string, number>, label: string) =>
    labels.get(label) ?? labels.set(label, labels.size).size - 1;
  const n = input.numRows;
  const rowOf = Int32Array.from(ys, (label) => indexOf(rows, label));
  const columnOf = Int32Array.from(xs, (label) => indexOf(columns, label));
  checkSize(rows.size, columns.size);
  const values = new Float64Array(rows.size * columns.size).fill(NaN);
  const given = new Int32Array(values.length).fill(-1);
  let missing = 0;
  for (let r = 0; r < n; r++) {
    const cell = rowOf[r] * columns.size + columnOf[r];
    if (given[cell] >= 0) {
      throw new Error(
        `heatmap: "${ys[r]}" and "${xs[r]}" (${options.y}, ${options.x}) come twice, ` +
          `in rows ${given[cell]} and ${r}; give one value per pair (sum or average them first).`,
      );
    }
    given[cell] = r;
    if (Number.isFinite(v.values[r])) values[cell] = v.values[r];
    else missing++;
  }
  return {
    rows: [...rows.keys()],
    columns: [...columns.keys()],
    values,
    source: `"${v.name}"`,
    missing,
    total: n,
    noun: 'rows',
  };
}

type Named = Required<Pick<HeatmapOptions, 'rowName' | 'columnName' | 'valueName'>> & HeatmapOptions;

function draw(grid: Grid, options: Named): Chart {
  const { rows, columns, values } = grid;
  const format = formatOf(options.format);
  // Each cell is [column, row, value, value as text, "row → column"]: the texts are what cells and
  // tooltips show, since a formatter function could not be saved in the notebook.
  const data: NonNullable<HeatmapSeriesOption['data']> = [];
  const cells: { name: string; value: number; text: string }[] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < columns.length; c++) {
      const value = values[r * columns.length + c];
      if (!Number.isFinite(value)) continue;
      const cell = { name: `${rows[r]} → ${columns[c]}`, value, text: format(value) };
      cells.push(cell);
      data.push([c, r, value, cell.text, cell.name]);
      lo = Math.min(lo, value);
      hi = Math.max(hi, value);
    }
  }
  if (cells.length === 0)
    throw new Error(
      `heatmap: nothing to draw: ${grid.source} has no finite values (${formatCount(grid.total)} ${grid.noun}).`,
    );
  const [min, max] = scaleOf(lo, hi, options);

  const title =
    options.title ??
    `${options.valueName} by ${options.rowName || 'row'} and ${options.columnName || 'column'}`;
  const head = heading(title, [leftOut(grid.missing, grid.total, grid.noun)], false);
  const longest = columns.reduce((most, l) => Math.max(most, l.length), 0);
  const labelWidth = Math.min(longest * CHAR_PX, LABEL_WIDTH);
  // Column labels that fit their columns all show, else they turn and ECharts leaves out what would overlap.
  const turned = labelWidth > PLOT_WIDTH / columns.length;
  const labelled = rows.length <= MAX_LABELLED && columns.length <= MAX_LABELLED;
  const axisLabel = { width: LABEL_WIDTH, overflow: 'truncate' as const };
  const option: EChartsOption = {
    ...head,
    grid: { ...(head.grid as object), right: 96 },
    tooltip: { trigger: 'item' },
    xAxis: {
      type: 'category',
      data: columns,
      name: options.columnName,
      nameLocation: 'middle',
      // Below the turned labels' height: ECharts does not move the name off them.
      nameGap: turned ? 20 + Math.ceil(labelWidth * Math.SQRT1_2) : 28,
      axisLabel: { ...axisLabel, ...(turned ? { rotate: 45 } : { interval: 0 }) },
    },
    // The first row at the top, as a matrix is read; the inverted axis ends at the bottom, so its name goes
    // at its start.
    yAxis: {
      type: 'category',
      data: rows,
      inverse: true,
      name: options.rowName,
      nameLocation: 'start',
      axisLabel,
    },
    visualMap: {
      type: 'continuous',
      dimension: 2,
      min,
      max,
      text: [format(max), format(min)],
      right: 8,
      top: 'middle',
      inRange: { color: PALETTE },
    },
    series: [
      {
        type: 'heatmap',
        name: options.valueName,
        data,
        dimensions: DIMENSIONS,
        encode: { x: 0, y: 1, tooltip: 'text', itemName: 'cell' },
        label: { show: labelled, formatter: '{@text}' },
      },
    ],
  };
  const strongest = cells
    .sort((a, b) => b.value - a.value)
    .slice(0, STRONGEST)
    .map((cell) => `${cell.name} ${cell.text}`);
  const height = Math.min(720, Math.max(360, 180 + 20 * rows.length));
  return new Chart(option, { height }, `${title} · strongest: ${strongest.join(', ')}`);
}

function formatOf(format: unknown): (value: number) => string {
  if (format === undefined)
    return (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : String(Number(v.toPrecision(2))));
  if (typeof format !== 'function')
    throw new Error(
      'heatmap: option format must be a function from a number to its text, such as (v) => v.toFixed(3); ' +
        `got ${describeValue(format)}.`,
    );
  return (v) => String(format(v));
}

function checkScale(options: HeatmapOptions): void {
  for (const key of ['min', 'max'] as const) {
    const v = options[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v)))
      throw new Error(`heatmap: option ${key} must be a finite number, got ${describeValue(v)}.`);
  }
}

/** The colour scale's ends: as given, else the data's. */
function scaleOf(lo: number, hi: number, options: HeatmapOptions): [number, number] {
  if (options.min === undefined && options.max === undefined && lo === hi) {
    // Every cell alike: a scale reaching 0 still colours them (all ones in the top colour, all zeros in the
    // bottom one).
    return lo === 0 ? [0, 1] : [Math.min(lo, 0), Math.max(hi, 0)];
  }
  const min = options.min ?? lo;
  const max = options.max ?? hi;
  if (!(min < max)) {
    const from = (key: 'min' | 'max') => (options[key] === undefined ? ' (the data’s)' : '');
    throw new Error(
      `heatmap: the colour scale needs min below max, got min ${min}${from('min')} and max ${max}${from('max')}.`,
    );
  }
  return [min, max];
}
