import type { ChartOutput } from './kernel';

/**
 * A chart option from a notebook, made safe to draw: ECharts writes a tooltip's formatted
 * text into the page as HTML, so a file (a label, a formatter template) could put markup
 * and script there. Tooltips are drawn as plain text on the canvas instead.
 */
export function textTooltips(option: ChartOutput['option']): ChartOutput['option'] {
  const tooltip = option.tooltip;
  if (tooltip === undefined || tooltip === null || typeof tooltip !== 'object') return option;
  const asText = (t: unknown) => (t !== null && typeof t === 'object' ? { ...(t as Record<string, unknown>), renderMode: 'richText' } : t);
  return { ...option, tooltip: Array.isArray(tooltip) ? tooltip.map(asText) : asText(tooltip) };
}
