import { describe, expect, it } from 'vitest';
import type { EChartsOption, HeatmapSeriesOption } from 'echarts';
import { type Chart, heatmap, loadECharts, renderSvg } from '../src/charts';
import { safeChartOption, type ChartOutput } from '../src/api';
import { Table } from '../src/data';

/** The parts of a heatmap's option the tests read. */
function parts(c: Chart) {
  const o = c.option as EChartsOption & Record<string, unknown>;
  return {
    title: o.title as { text: string; subtext: string },
    x: o.xAxis as { data: string[]; name: string; axisLabel: { rotate?: number; interval?: number } },
    y: o.yAxis as { data: string[]; name: string; inverse: boolean },
    visualMap: o.visualMap as { type: string; dimension: number; min: number; max: number; text: string[] },
    series: (o.series as HeatmapSeriesOption[])[0] as Omit<HeatmapSeriesOption, 'data' | 'label'> & {
      data: (number | string)[][];
      label: { show: boolean };
    },
    tooltip: o.tooltip as Record<string, unknown>,
  };
}

/**
 * What ECharts' tooltip says of a cell. It draws no tooltip without a page, so its series
 * model, which makes the tooltip's content, is asked directly.
 */
function tooltipOf(
  c: Chart,
  dataIndex: number,
): { header: string; blocks: { name: string; value: unknown }[] } {
  type Model = {
    getSeriesByIndex(i: number): { formatTooltip(i: number, multipleSeries: boolean, type: string): unknown };
  };
  const instance = loadECharts().init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: c.width,
    height: c.height,
  });
  try {
    instance.setOption({ ...c.option, animation: false });
    const model = (instance as unknown as { getModel(): Model }).getModel();
    return model.getSeriesByIndex(0).formatTooltip(dataIndex, false, 'item') as ReturnType<typeof tooltipOf>;
  } finally {
    instance.dispose();
  }
}

const attention = () =>
  heatmap(
    {
      values: Float32Array.of(0.1, 0.41, 0.2, 0.05, 0.3, 0.12),
      rows: ['Alien', 'next'],
      columns: ['Heat', 'Aliens', 'Up'],
    },
    { rowName: 'query', columnName: 'history', valueName: 'attention' },
  );

describe('heatmap', () => {
  it(
    'draws rows × columns as a heatmap series over two category axes, ' +
      'rows from the top, on a continuous scale',
    () => {
      const { title, x, y, visualMap, series, tooltip } = parts(attention());
      expect(series.type).toBe('heatmap');
      expect(x).toMatchObject({ data: ['Heat', 'Aliens', 'Up'], name: 'history' });
      expect(y).toMatchObject({ data: ['Alien', 'next'], name: 'query', inverse: true });
      expect(title).toMatchObject({ text: 'attention by query and history', subtext: '' });
      // [column, row, value, value as text, cell], row by row.
      expect(series.data[0]).toEqual([0, 0, expect.closeTo(0.1, 6), '0.1', 'Alien → Heat']);
      expect(series.data.map((d) => d.slice(0, 2))).toEqual([
        [0, 0],
        [1, 0],
        [2, 0],
        [0, 1],
        [1, 1],
        [2, 1],
      ]);
      expect(series.label.show).toBe(true);
      expect(visualMap).toMatchObject({ type: 'continuous', dimension: 2, text: ['0.41', '0.05'] });
      expect(visualMap.min).toBeCloseTo(0.05, 6);
      expect(visualMap.max).toBeCloseTo(0.41, 6);
      expect(tooltip).toEqual({ trigger: 'item' });
    },
  );

  it(
    'takes one array per row as it takes a flat array, ' +
      'and the colour scale’s ends and the values’ format as given',
    () => {
      const c = heatmap(
        {
          values: [
            [0.1, 0.41, 0.2],
            [0.05, 0.3, 0.12],
          ],
          rows: ['Alien', 'next'],
          columns: ['Heat', 'Aliens', 'Up'],
        },
        { min: 0, max: 1, format: (v) => `${Math.round(v * 100)}%` },
      );
      expect(parts(c).visualMap).toMatchObject({ min: 0, max: 1, text: ['100%', '0%'] });
      expect(parts(c).series.data[1]).toEqual([1, 0, 0.41, '41%', 'Alien → Aliens']);
      expect(parts(c).title.text).toBe('value by row and column');
      expect(tooltipOf(c, 1).blocks[0]).toMatchObject({ name: 'Alien → Aliens', value: '41%' });
    },
  );

  it('colours a grid whose cells are all alike on a scale reaching 0', () => {
    expect(parts(heatmap({ values: [[1, 1]], rows: ['next'], columns: ['a', 'b'] })).visualMap).toMatchObject(
      { min: 0, max: 1 },
    );
    expect(parts(heatmap({ values: [[0, 0]], rows: ['next'], columns: ['a', 'b'] })).visualMap).toMatchObject(
      { min: 0, max: 1 },
    );
  });

  it('draws values beyond the scale’s ends in the end colours', () => {
    const svg = renderSvg(
      heatmap({ values: [[-1, 0.9]], rows: ['a'], columns: ['x', 'y'] }, { min: 0, max: 0.5 }),
    );
    const fills = [
      ...svg.matchAll(/<path [^>]*fill="([^"]+)" ecmeta_series_index="0" ecmeta_data_index="\d+"/g),
    ].map((m) => m[1]);
    expect(fills).toEqual(['rgb(68,1,84)', 'rgb(253,231,37)']);
  });

  it('shows values in cells only on small grids, and turns many column labels', () => {
    const grid = (n: number) =>
      heatmap({
        values: new Float64Array(n * n).map((_, i) => i),
        rows: Array.from({ length: n }, (_, i) => `position ${i}`),
        columns: Array.from({ length: n }, (_, i) => `item ${i}`),
      });
    expect(parts(grid(15)).series.label.show).toBe(true);
    expect(parts(grid(16)).series.label.show).toBe(false);
    expect(parts(grid(3)).x.axisLabel).toMatchObject({ interval: 0 });
    expect(parts(grid(16)).x.axisLabel).toMatchObject({ rotate: 45 });
    expect(grid(30).height).toBeGreaterThan(grid(3).height);
  });

  it('leaves out values that are not finite, and says how many', () => {
    const c = heatmap({
      values: [
        [NaN, 0.5],
        [Infinity, 0.25],
      ],
      rows: ['a', 'b'],
      columns: ['x', 'y'],
    });
    expect(parts(c).series.data.map((d) => d[4])).toEqual(['a → y', 'b → y']);
    expect(parts(c).title.subtext).toBe('2 of 4 cells left out: missing or not finite');
  });

  it('takes a Table with one row per cell, rows and columns in the order they first appear', () => {
    const t = Table.fromColumns({
      position: Int32Array.of(1, 1, 2, 2),
      item: ['Up', 'Heat', 'Heat', 'Up'],
      weight: Float64Array.of(0.7, 0.3, 0.6, NaN),
    });
    const c = heatmap(t, { x: 'item', y: 'position', value: 'weight' });
    expect(parts(c).x.data).toEqual(['Up', 'Heat']);
    expect(parts(c).y.data).toEqual(['1', '2']);
    expect(parts(c).series.data).toEqual([
      [0, 0, 0.7, '0.7', '1 → Up'],
      [1, 0, 0.3, '0.3', '1 → Heat'],
      [1, 1, 0.6, '0.6', '2 → Heat'],
    ]);
    expect(parts(c).title).toEqual(
      expect.objectContaining({
        text: 'weight by position and item',
        subtext: '1 of 4 rows left out: missing or not finite',
      }),
    );
    // Named columns work alike; a pair that is not there is an empty cell.
    const named = heatmap({ q: ['a', 'b'], k: ['x', 'y'], w: [1, 2] }, { x: 'k', y: 'q', value: 'w' });
    expect(parts(named).series.data.map((d) => d[4])).toEqual(['a → x', 'b → y']);
  });

  it('draws one shape per cell in its static form, and its text names the strongest cells', () => {
    const c = attention();
    const svg = renderSvg(c);
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(svg.match(/<path [^>]*ecmeta_series_index="0" ecmeta_data_index="\d+"/g)).toHaveLength(6);
    expect(svg).toContain('attention by query and history');
    expect(c.text).toBe(
      'attention by query and history · strongest: Alien → Aliens 0.41, next → Aliens 0.3, Alien → Up 0.2',
    );
  });

  it('keeps a hostile label as text: in the option, the tooltip, the picture and the text line', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const c = heatmap({ values: [[0.9, 0.1]], rows: [evil], columns: ['Alien', evil] });
    expect(parts(c).x.data).toEqual(['Alien', evil]);
    expect(parts(c).series.data[0][4]).toBe(`${evil} → Alien`);
    // No formatter that could hold markup: ECharts makes the tooltip from the data, and the workbench draws it as text.
    expect(safeChartOption(c.option as ChartOutput['option']).tooltip).toEqual({
      trigger: 'item',
      renderMode: 'richText',
    });
    expect(tooltipOf(c, 0)).toMatchObject({
      header: 'value',
      blocks: [{ name: `${evil} → Alien`, value: '0.9' }],
    });
    const svg = renderSvg(c);
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;img src=x');
    expect(c.text).toContain(`strongest: ${evil} → Alien 0.9`);
  });

  it('says what is wrong with the data, naming the sizes', () => {
    const rows = ['a', 'b'];
    const columns = ['x', 'y', 'z'];
    expect(() => heatmap({ values: new Float32Array(5), rows, columns })).toThrow(
      'heatmap: values has 5 numbers, but rows (2) × columns (3) needs 6; give the values row by row.',
    );
    expect(() => heatmap({ values: [[1, 2, 3]], rows, columns })).toThrow(
      'heatmap: values has 1 row, but rows has 2 labels; give one array of 3 numbers per row.',
    );
    expect(() =>
      heatmap({
        values: [
          [1, 2, 3],
          [1, 2],
        ],
        rows,
        columns,
      }),
    ).toThrow('heatmap: values[1] has 2 numbers, but columns has 3 labels.');
    expect(() => heatmap({ values: [[1, 2, 3], 4 as never], rows, columns })).toThrow(
      'heatmap: values[1] must be an array of 3 numbers, like values[0], got number 4.',
    );
    expect(() => heatmap({ values: [], rows: [], columns })).toThrow(
      'heatmap: rows is empty; nothing to draw.',
    );
    expect(() => heatmap({ values: new Float32Array(6).fill(NaN), rows, columns })).toThrow(
      'heatmap: nothing to draw: values has no finite values (6 cells).',
    );
    expect(() => heatmap({ values: [1, 2] } as never)).toThrow(
      'heatmap: the data must be { values, rows, columns } (values row by row, and the rows’ and columns’ labels), ' +
        'or a Table with options { x, y, value }; got a Object.',
    );
    expect(() =>
      heatmap({
        values: new Float32Array(1_000_000),
        rows: new Array<string>(1000).fill('r'),
        columns: new Array<string>(1000).fill('c'),
      }),
    ).toThrow(
      'heatmap: 1,000 rows × 1,000 columns is more than the 100,000 cells it draws; ' +
        'show fewer rows or columns (the last 100 history items, say).',
    );
  });

  it('says what is wrong with the options and the table’s columns', () => {
    const m = { values: [[0.2, 0.4]], rows: ['a'], columns: ['x', 'y'] };
    expect(() => heatmap(m, { min: 0.5 })).toThrow(
      'heatmap: the colour scale needs min below max, got min 0.5 and max 0.4 (the data’s).',
    );
    expect(() => heatmap(m, { max: NaN })).toThrow(
      'heatmap: option max must be a finite number, got number NaN.',
    );
    expect(() => heatmap(m, { format: '.2f' as never })).toThrow(
      'heatmap: option format must be a function from a number to its text, such as (v) => v.toFixed(3); got ".2f".',
    );
    const t = Table.fromColumns({ q: ['a', 'a'], k: ['x', 'x'], w: Float64Array.of(1, 2) });
    expect(() => heatmap(t, { x: 'k', y: 'q', value: 'w' })).toThrow(
      'heatmap: "a" and "x" (q, k) come twice, in rows 0 and 1; give one value per pair (sum or average them first).',
    );
    expect(() => heatmap(t, { x: 'k', y: 'q', value: 'weight' })).toThrow(
      'heatmap: no column "weight" (value); the columns are q, k, w.',
    );
    expect(() => heatmap(t, { x: 'k', y: 'q', value: 'k' })).toThrow(
      'heatmap: column "k" (value) holds text, not numbers; choose a numeric column or convert it first.',
    );
    expect(() => heatmap(t, {} as never)).toThrow(
      'heatmap: option x must name a column (one of q, k, w), got undefined.',
    );
  });
});
