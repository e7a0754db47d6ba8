import { beforeAll, describe, expect, it } from 'vitest';
import { MIME, WIDGET, type RecommendOutput, type WidgetContext, type WidgetSpec } from '../src/api';
import { Table } from '../src/data';
import { Dataset, ItemCF, MostPopular, synthetic } from '../src/recsys';
import { type RecommendWidget, widgets } from '../src/views';
import type { JsonValue } from '../src/notebook';

let data: Dataset;
let itemcf: ItemCF;
let popular: MostPopular;
const none: WidgetContext = { variables: () => [] };

beforeAll(async () => {
  data = synthetic({ users: 120, items: 80, seed: 3 });
  itemcf = new ItemCF();
  await itemcf.fit(data, { progress: false });
  popular = new MostPopular();
  await popular.fit(data, { progress: false });
});

function spec(widget: RecommendWidget): WidgetSpec {
  return widget[WIDGET]();
}
const payload = (bundle: Record<string, unknown>) => bundle[MIME.recommend] as RecommendOutput;

describe('the top-10 widget', () => {
  it('shows a named user’s top 10 and history at once, as static tables a file keeps', () => {
    // A user whose neighbours reach ten unseen items.
    const user = data.userNames.find((u) => itemcf.recommend(u).numRows === 10)!;
    const bundle = spec(widgets.recommend(itemcf, { user })).bundle('k-w1');
    const last = payload(bundle).last!;
    expect(payload(bundle).widgetId).toBe('k-w1');
    expect(last.user).toBe(user);
    expect(last.rows).toHaveLength(10);
    expect(last.columns).toEqual(['rank', 'item', 'title', 'score', 'reason']);
    expect(last.rows.map((r) => r[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(last.rows[0][1]).toBe(itemcf.recommend(user).value('item', 0));
    const history = itemcf.history(user);
    expect(last.history.total).toBe(history.numRows);
    // Times as the UTC date and minute, not rounded seconds.
    const t = history.value('timestamp', 0) as number;
    expect(last.history.rows[0][last.history.columns.indexOf('timestamp')]).toBe(
      new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' '),
    );
    expect(String(bundle['text/html'])).toMatch(/<table[\s\S]*<table/);
    expect(String(bundle['text/plain'])).toContain(`Top 10 for user ${user} (ItemCF)`);
  });

  it('says how to use it when nothing was asked yet', () => {
    const bundle = spec(widgets.recommend([itemcf, popular])).bundle('k-w2');
    expect(payload(bundle)).toEqual({ widgetId: 'k-w2', models: ['ItemCF', 'MostPopular'], model: 'ItemCF' });
    expect(String(bundle['text/plain'])).toMatch(/run the cell/);
  });

  it('completes user names, prefix matches first', () => {
    const s = spec(widgets.recommend(itemcf));
    const name = data.userNames[7];
    const found = s.call('users', { query: name.slice(0, 2).toUpperCase() }, none) as { result: string[] };
    expect(found.result.length).toBeGreaterThan(0);
    expect(found.result.length).toBeLessThanOrEqual(20);
    const firstContains = found.result.findIndex(
      (n) => !n.toLowerCase().startsWith(name.slice(0, 2).toLowerCase()),
    );
    if (firstContains >= 0)
      expect(
        found.result
          .slice(firstContains)
          .every((n) => !n.toLowerCase().startsWith(name.slice(0, 2).toLowerCase())),
      ).toBe(true);
    expect(found.result.every((n) => n.toLowerCase().includes(name.slice(0, 2).toLowerCase()))).toBe(true);
  });

  it(
    'lists names starting with what was typed before names containing it, ' +
      'whatever their order in the data',
    async () => {
      const few = Dataset.fromInteractions({
        user: ['xab', 'zzz', 'Abx', 'xab', 'Abx'],
        item: ['i1', 'i2', 'i1', 'i2', 'i3'],
      });
      const model = new MostPopular();
      await model.fit(few, { progress: false });
      expect(
        (spec(widgets.recommend(model)).call('users', { query: 'ab' }, none) as { result: string[] }).result,
      ).toEqual(['Abx', 'xab']);
    },
  );

  it('offers the name typed exactly first, then the shorter names', async () => {
    // Users 1 … 400 in an order where "30" comes late, as MovieLens ids sorted as text do.
    const ids = Array.from({ length: 400 }, (_, i) => String(400 - i));
    const many = Dataset.fromInteractions({ user: ids, item: ids.map(() => 'i1') });
    const model = new MostPopular();
    await model.fit(many, { progress: false });
    const found = (
      spec(widgets.recommend(model)).call('users', { query: '30' }, none) as { result: string[] }
    ).result;
    expect(found.slice(0, 3)).toEqual(['30', '300', '301']);
  });

  it('switches models, names them after the notebook’s variables, and replaces its output with the new list', () => {
    const widget = widgets.recommend(popular);
    const s = spec(widget);
    s.bundle('k-w3');
    const context: WidgetContext = {
      variables: () => [
        ['pop', popular],
        ['cf', itemcf],
        ['notAModel', 3],
        ['unfitted', new ItemCF()],
      ],
    };
    expect((s.call('models', null, context) as { result: JsonValue }).result).toEqual({
      models: ['pop', 'cf'],
      model: 'pop',
    });
    const user = data.userNames[9];
    const reply = s.call('recommend', { user, model: 'cf' }, context) as {
      result: { model: string; rows: unknown[][] };
      changed: boolean;
    };
    expect(reply.result.model).toBe('cf');
    expect(reply.result.rows[0][1]).toBe(itemcf.recommend(user).value('item', 0));
    expect(reply.changed).toBe(true);
    expect(payload(s.bundle('k-w3'))).toMatchObject({
      widgetId: 'k-w3',
      model: 'cf',
      last: { user, model: 'cf' },
    });
  });

  it('follows a variable given a new model when its cell runs again, and refuses an unfitted one', async () => {
    const s = spec(widgets.recommend(popular));
    const first = new MostPopular();
    await first.fit(data, { progress: false });
    s.call('models', null, { variables: () => [['model', first]] });
    const second = new ItemCF();
    await second.fit(data, { progress: false });
    s.call('models', null, { variables: () => [['model', second]] });
    const user = data.userNames[9];
    const reply = s.call('recommend', { user, model: 'model' }, { variables: () => [['model', second]] }) as {
      result: { rows: unknown[][] };
    };
    expect(reply.result.rows[0][1]).toBe(second.recommend(user).value('item', 0));
    expect(() => widgets.recommend(new ItemCF())).toThrow(/ItemCF is not fitted yet; run its fit first/);
  });

  it('refuses an unknown user naming the closest ones, and a model that scored NaN', async () => {
    const s = spec(widgets.recommend(itemcf));
    const near = data.userNames[4];
    expect(() => s.call('recommend', { user: near + 'x' }, none)).toThrow(
      new RegExp(`Unknown user "${near}x".*Closest user names: .*"${near}"`),
    );
    const broken = new MostPopular();
    await broken.fit(data, { progress: false });
    // A diverged model: every score NaN.
    (broken as unknown as { scoreUser(u: number, out: Float32Array): void }).scoreUser = (_u, out) =>
      out.fill(NaN);
    expect(() => widgets.recommend(broken, { user: near })).toThrow(
      /scored item .* as NaN for user .*Fit it again/,
    );
  });

  it('adds the items table’s columns to each list, matched by item id', () => {
    const items = Table.fromColumns({
      id: data.itemNames.slice(),
      genre: data.itemNames.map((n, i) => `genre ${i % 3}`),
    });
    const user = data.userNames[2];
    const last = payload(spec(widgets.recommend(itemcf, { user, items })).bundle('k-w4')).last!;
    expect(last.columns).toEqual(['rank', 'item', 'title', 'genre', 'score', 'reason']);
    const item = String(last.rows[0][1]);
    expect(last.rows[0][3]).toBe(`genre ${data.itemNames.indexOf(item) % 3}`);
    expect(() => widgets.recommend(itemcf, { items, itemColumn: 'movieId' })).toThrow(
      /no column "movieId"; its columns are id, genre/,
    );
  });
});
