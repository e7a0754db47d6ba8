import { describe, expect, it } from 'vitest';
import { safeChartOption } from '../src/api';

describe('a chart option from a notebook file', () => {
  it('draws tooltips as text, one or several', () => {
    expect(safeChartOption({ tooltip: { formatter: '<b>{b}</b>' } }).tooltip).toEqual({
      formatter: '<b>{b}</b>',
      renderMode: 'richText',
    });
    expect(safeChartOption({ tooltip: [{ trigger: 'axis' }, { trigger: 'item' }] }).tooltip).toEqual([
      { trigger: 'axis', renderMode: 'richText' },
      { trigger: 'item', renderMode: 'richText' },
    ]);
    expect(safeChartOption({ series: [] })).toEqual({ series: [] });
  });

  it('keeps a title’s http(s) links and drops any other', () => {
    const title = safeChartOption({
      title: { text: 't', link: 'javascript:alert(1)', sublink: ' https://example.org/x' },
    }).title;
    expect(title).toEqual({ text: 't', sublink: ' https://example.org/x' });
    expect(safeChartOption({ title: [{ link: 'JAVASCRIPT:x' }, { link: 'http://a' }] }).title).toEqual([
      {},
      { link: 'http://a' },
    ]);
  });

  it('leaves out the toolbox’s data view and hover titles, which ECharts writes as HTML', () => {
    const toolbox = safeChartOption({
      toolbox: {
        feature: {
          dataView: { lang: ['<img src=x onerror=alert(1)>'] },
          saveAsImage: { title: '<b>x</b>' },
        },
      },
    }).toolbox;
    expect(toolbox).toEqual({ showTitle: false, feature: { saveAsImage: { title: '<b>x</b>' } } });
  });
});
