import type { ChartOutput } from './payloads';

/**
 * A chart option from a notebook, made safe to draw: ECharts writes a tooltip's formatted
 * text into the page as HTML, so a file (a label, a formatter template) could put markup
 * and script there; tooltips are drawn as plain text on the canvas instead. The toolbox's
 * data view and its buttons' hover titles are HTML too: the data view is left out, the
 * titles are not shown. A title's link opens only http(s) addresses, never `javascript:`.
 */
export function safeChartOption(option: ChartOutput['option']): ChartOutput['option'] {
  return {
    ...option,
    ...each(option, 'tooltip', (t) => ({ ...t, renderMode: 'richText' })),
    ...each(option, 'title', withWebLinks),
    ...each(option, 'toolbox', withoutHtml),
  };
}

type Part = Record<string, unknown>;

/** `option[key]` (one component or a list of them) with `change` applied to each. */
function each(option: ChartOutput['option'], key: string, change: (part: Part) => Part): Part {
  const value = option[key];
  const one = (v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? change(v as Part) : v;
  if (value === undefined || value === null || typeof value !== 'object') return {};
  return { [key]: Array.isArray(value) ? value.map(one) : one(value) };
}

function withWebLinks(title: Part): Part {
  const web = (v: unknown) => typeof v === 'string' && /^https?:\/\//i.test(v.trim());
  const { link, sublink, ...rest } = title;
  return { ...rest, ...(web(link) ? { link } : {}), ...(web(sublink) ? { sublink } : {}) };
}

function withoutHtml(toolbox: Part): Part {
  const feature = toolbox.feature;
  const kept =
    feature !== null && typeof feature === 'object' && !Array.isArray(feature)
      ? Object.fromEntries(Object.entries(feature).filter(([name]) => name !== 'dataView'))
      : undefined;
  return { ...toolbox, showTitle: false, ...(kept ? { feature: kept } : {}) };
}
