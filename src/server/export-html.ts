/**
 * One self-contained HTML page for a notebook: every cell and output, charts interactive
 * (ECharts is inlined), nothing fetched from the network. HTML that comes from the
 * notebook is sanitized; SVG is shown as an image, where its scripts cannot run.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import {
  MIME,
  cellKind,
  cellSource,
  joinText,
  type Cell,
  type JsonValue,
  type MimeBundle,
  type Notebook,
} from '../notebook';
import {
  MISSING_COLOUR,
  categoryColour,
  escapeHtml,
  formatCount,
  mapBounds,
  mapFrame,
  plainColour,
  sequentialColour,
  progressText,
  readOutput,
  readPayload,
  safeChartOption,
  stripAnsi,
  type ChartOutput,
  type MimePayloads,
  type ProjectorOutput,
  type RecLabMime,
} from '../api';

// Not named `require`: bundlers for the desktop app declare one of their own.
const requireHere = createRequire(import.meta.url);

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags,
    'img',
    'span',
    'div',
    'details',
    'summary',
    'del',
    'ins',
    'sub',
    'sup',
  ],
  // No style attribute (a CSS url() would fetch), and images from data: URIs only: the page
  // fetches nothing.
  allowedAttributes: {
    '*': ['class', 'title', 'align', 'colspan', 'rowspan'],
    a: ['href', 'name'],
    img: ['src', 'alt', 'width', 'height'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['data'] },
};

export function sanitize(html: string): string {
  return sanitizeHtml(html, SANITIZE);
}

const text = (v: JsonValue | undefined) =>
  typeof v === 'string' ? v : Array.isArray(v) ? joinText(v as string[]) : '';

interface Context {
  /** `labels`: names the page's tooltips show by a point's third value (projector maps). */
  charts: { id: string; option: ChartOutput['option']; labels?: string[] }[];
  attachments?: Record<string, Record<string, string>>;
}

/** The app's icon, inlined: the page needs nothing from the network or the disk. */
let icon: string | undefined;
const iconDataUri = (): string =>
  (icon ??=
    'data:image/svg+xml;base64,' +
    readFileSync(fileURLToPath(new URL('../../resources/icon.svg', import.meta.url))).toString('base64'));

export function notebookToHtml(notebook: Notebook, title: string): string {
  const context: Context = { charts: [] };
  const body = notebook.cells.map((cell, i) => renderCell(cell, i, context)).join('\n');
  const echarts = context.charts.length
    ? readFileSync(requireHere.resolve('echarts/dist/echarts.min.js'), 'utf8')
    : '';
  const chartData = JSON.stringify(context.charts).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="RecLab">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="${iconDataUri()}">
<style>${STYLE}</style>
</head>
<body>
<main>
<h1 class="title">${escapeHtml(title)}</h1>
${body}
</main>
${echarts ? `<script>${echarts.replace(/<\/script/gi, '<\\/script')}</script>` : ''}
<script>
(function () {
  var charts = ${chartData};
  var dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
  charts.forEach(function (c) {
    var el = document.getElementById(c.id);
    if (!el || !window.echarts) return;
    var chart = window.echarts.init(el, dark ? 'dark' : null, { renderer: 'canvas' });
    // Drawn as text on the canvas, never as HTML: labels come from the notebook.
    if (c.labels)
      c.option.tooltip = {
        renderMode: 'richText',
        formatter: function (p) { return String(c.labels[p.value[2]]); }
      };
    chart.setOption(c.option);
    chart.setOption({ backgroundColor: 'transparent' });
    window.addEventListener('resize', function () { chart.resize(); });
  });
})();
</script>
</body>
</html>
`;
}

function renderCell(cell: Cell, index: number, context: Context): string {
  const source = cellSource(cell);
  if (cell.cell_type === 'markdown') {
    context.attachments = cell.attachments as Context['attachments'];
    const html = marked
      .parse(source, { async: false })
      .replace(/attachment:([^"')\s]+)/g, (m, name: string) => {
        const bundle: unknown = context.attachments?.[name];
        if (bundle === null || typeof bundle !== 'object') return m;
        // An image, as base64, or nothing: the value lands inside an attribute.
        const [mime, data] = Object.entries(bundle)[0] ?? [];
        const base64 = typeof data === 'string' ? data.replace(/\s/g, '') : '';
        return /^image\/[\w.+-]+$/.test(mime ?? '') && BASE64.test(base64)
          ? `data:${mime};base64,${base64}`
          : m;
      });
    return `<section class="cell markdown" data-index="${index}">${sanitize(html)}</section>`;
  }
  if (cell.cell_type !== 'code')
    return `<section class="cell raw" data-index="${index}"><pre>${escapeHtml(source)}</pre></section>`;
  const language = cellKind(cell);
  // A number in a well-formed file; escaped all the same, since a file may hold anything there.
  const count = escapeHtml(String(cell.execution_count ?? ' '));
  const outputs = (cell.outputs ?? []).map((o) => renderOutput(o, context)).join('\n');
  const input =
    `<span class="prompt">[${count}]</span><span class="lang">${language === 'sql' ? 'SQL' : 'TS'}</span>` +
    `<pre><code>${escapeHtml(source)}</code></pre>`;
  return `<section class="cell code" data-index="${index}">
<div class="input">${input}</div>
${outputs ? `<div class="outputs">${outputs}</div>` : ''}
</section>`;
}

function renderOutput(raw: unknown, context: Context): string {
  const read = readOutput(raw);
  if (!read.ok) return `<pre class="unreadable">Unreadable output: ${escapeHtml(read.error)}.</pre>`;
  const output = read.output;
  switch (output.output_type) {
    case 'stream':
      return `<pre class="stream ${output.name}">${escapeHtml(stripAnsi(joinText(output.text)))}</pre>`;
    case 'error':
      return (
        `<pre class="error"><b>${escapeHtml(output.ename)}: ${escapeHtml(output.evalue)}</b>\n` +
        `${escapeHtml(stripAnsi(output.traceback.slice(1).join('\n')))}</pre>`
      );
    case 'display_data':
    case 'execute_result':
      return renderBundle(output.data, context);
    default:
      return '';
  }
}

/** The richest form this page can show, as a renderer picks by mime type. */
function renderBundle(data: MimeBundle, context: Context): string {
  const projector = payload(data, MIME.projector);
  // A payload that does not hold together (a hand-edited file) falls back to the static picture.
  if (projector && wholeProjector(projector)) {
    const id = `chart-${context.charts.length + 1}`;
    const { option, height } = projectorOption(projector);
    context.charts.push({ id, option, labels: projector.labels });
    return `<div class="chart map" id="${id}" style="width:${MAP_WIDTH}px;height:${height}px"></div>`;
  }
  const chart = payload(data, MIME.echarts);
  if (chart) {
    const id = `chart-${context.charts.length + 1}`;
    context.charts.push({ id, option: safeChartOption(chart.option) });
    return `<div class="chart" id="${id}" style="width:${chart.width || 640}px;height:${chart.height || 360}px"></div>`;
  }
  const progress = payload(data, MIME.progress);
  if (progress) {
    return `<div class="progress"><progress max="${progress.total}" value="${progress.value}"></progress> <span>${escapeHtml(progressText(progress).replace(/[█░]+ /, ''))}</span></div>`;
  }
  if (data['text/html'] !== undefined) return `<div class="html">${sanitize(text(data['text/html']))}</div>`;
  if (data['image/svg+xml'] !== undefined) {
    const svg = Buffer.from(text(data['image/svg+xml'])).toString('base64');
    return `<img class="image" alt="chart" src="data:image/svg+xml;base64,${svg}">`;
  }
  for (const mime of ['image/png', 'image/jpeg', 'image/gif']) {
    if (data[mime] === undefined) continue;
    // Only base64 goes into the attribute: anything else could close it and add markup.
    const base64 = text(data[mime]).replace(/\s/g, '');
    if (BASE64.test(base64)) return `<img class="image" alt="" src="data:${mime};base64,${base64}">`;
  }
  if (data['text/markdown'] !== undefined)
    return `<div class="markdown">${sanitize(marked.parse(text(data['text/markdown']), { async: false }))}</div>`;
  if (data['text/plain'] !== undefined)
    return `<pre class="text">${escapeHtml(stripAnsi(text(data['text/plain'])))}</pre>`;
  return '';
}

/** A RecLab payload of the bundle when it fits its schema; one that does not is left for a plainer form. */
function payload<M extends RecLabMime>(data: MimeBundle, mime: M): MimePayloads[M] | undefined {
  if (data[mime] === undefined) return undefined;
  const read = readPayload(mime, data[mime]);
  return read.ok ? read.value : undefined;
}

const MAP_WIDTH = 720;

/**
 * An embedding map as the page can show it without RecLab: its first two coordinates as
 * an interactive scatter in the view's colours and proportions, one series per colour
 * category (the legend, beside it as in the view, filters them), or a colour scale for a
 * numeric column. Names show on hover.
 */
function projectorOption(p: ProjectorOutput): { option: ChartOutput['option']; height: number } {
  const coords = floats(p.coords);
  const point = (i: number) => [round(coords[i * p.dims]), round(coords[i * p.dims + 1]), i];
  // Opaque, as the view draws them: ECharts' default opacity would pale every colour.
  const base = { type: 'scatter', symbolSize: 4, large: p.count > 2000, largeThreshold: 2000 };
  const style = (color: string) => ({ itemStyle: { color, opacity: 1 } });
  const title = {
    text: p.title,
    subtext:
      `${p.method.toUpperCase()}, ${formatCount(p.count)} points` +
      (p.dims === 3 ? ' (first two of three dimensions)' : ''),
  };
  const color = p.color;
  const names = color?.kind === 'category' ? [...color.categories, '(missing)'] : [];
  // Room on the right for the legend (as wide as its names) or the colour scale.
  const frame = mapFrame(mapBounds(coords, p.count, p.dims), {
    width: MAP_WIDTH,
    maxHeight: 520,
    top: 80,
    margin: 20,
    side: color?.kind === 'category' ? names : color ? 110 : 0,
  });
  // No axes, as in the view: a map's coordinates have no units to read.
  const axes = {
    grid: frame.grid,
    xAxis: { type: 'value', ...frame.x, show: false },
    yAxis: { type: 'value', ...frame.y, show: false },
  };
  const chart = (option: ChartOutput['option']) => ({ option, height: frame.height });
  if (color?.kind === 'category') {
    const values = new Uint16Array(bytes(color.values).buffer);
    // An index past the categories marks a missing value: those points are a series of their own.
    const groups = names.map(() => [] as (number | null)[][]);
    for (let i = 0; i < p.count; i++) groups[Math.min(values[i], names.length - 1)].push(point(i));
    const series = names
      .map((name, c) => ({
        ...base,
        ...style(c < color.categories.length ? categoryColour(c) : MISSING_COLOUR),
        name,
        data: groups[c],
      }))
      .filter((series) => series.data.length);
    const legend = {
      type: 'scroll',
      // Square swatches, as the view's legend has.
      icon: 'roundRect',
      itemWidth: 10,
      itemHeight: 10,
      orient: 'vertical',
      right: 20,
      top: 'middle',
      textStyle: { width: frame.legend - 30, overflow: 'break' },
    };
    return chart({ title, ...axes, legend, series });
  }
  const data = Array.from({ length: p.count }, (_, i) => point(i));
  if (color?.kind === 'number') {
    const values = floats(color.values);
    data.forEach((d, i) => d.push(round(values[i])));
    const visualMap = {
      type: 'continuous',
      dimension: 3,
      min: color.min,
      max: color.max,
      text: [color.name, ''],
      calculable: true,
      right: 0,
      top: 'middle',
      inRange: { color: Array.from({ length: 11 }, (_, i) => sequentialColour(i / 10, false)) },
    };
    return chart({ title, ...axes, visualMap, series: [{ ...base, data }] });
  }
  return chart({ title, ...axes, series: [{ ...base, ...style(plainColour(false)), data }] });
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Whether the payload's parts agree (the schema has checked their types): sizes and encodings, before
 * anything is decoded.
 */
function wholeProjector(p: ProjectorOutput): boolean {
  const encoded = (value: string, byteLength: number) =>
    value.length === Math.ceil(byteLength / 3) * 4 && BASE64.test(value);
  const { count, dims, color } = p;
  if (p.labels.length !== count || !encoded(p.coords, count * dims * 4)) return false;
  if (!color) return true;
  if (color.kind === 'category') return encoded(color.values, count * 2);
  return Number.isFinite(color.min) && Number.isFinite(color.max) && encoded(color.values, count * 4);
}

const bytes = (base64: string) => Uint8Array.from(Buffer.from(base64, 'base64'));
const floats = (base64: string) => new Float32Array(bytes(base64).buffer);
const round = (v: number) => (Number.isFinite(v) ? Math.round(v * 1e4) / 1e4 : null);

const STYLE = `
:root {
  color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #656d76; --code: #f6f8fa; --border: #d0d7de;
  --error: #cf222e; --accent: #0969da;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --code: #161b22; --border: #30363d; --error: #ff7b72;
    --accent: #4493f8;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
}
main { max-width: 980px; margin: 0 auto; padding: 24px; }
.title { font-size: 1.4em; color: var(--muted); font-weight: 500; }
.cell { margin: 16px 0; }
.input { display: grid; grid-template-columns: 56px 36px 1fr; align-items: start; }
.prompt, .lang { font: 12px ui-monospace, monospace; color: var(--muted); padding-top: 10px; }
.lang { color: var(--accent); }
pre {
  margin: 0; padding: 8px 12px; overflow-x: auto; font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace;
  white-space: pre;
}
.input pre { background: var(--code); border: 1px solid var(--border); border-radius: 6px; }
.outputs { margin-left: 92px; margin-top: 6px; overflow-x: auto; }
.stream.stderr { background: rgba(255, 180, 0, 0.08); }
.error, .unreadable { color: var(--error); white-space: pre-wrap; }
table { border-collapse: collapse; font-size: 13px; margin: 4px 0; }
th, td { border: 1px solid var(--border); padding: 3px 8px; }
/* Text reads from the left and numbers line up on the right, as in the app's grid; a Markdown table's own
   alignment (its align attribute) stands. */
th:not([align]), td:not([align]) { text-align: left; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: var(--code); }
.image { max-width: 100%; }
.chart { max-width: 100%; }
.progress { display: flex; gap: 8px; align-items: center; font: 12px ui-monospace, monospace; }
`;
