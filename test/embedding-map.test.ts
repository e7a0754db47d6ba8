import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MIME, WIDGET, categoryColour, type ProjectorOutput } from '../src/api';
import type { KernelClient } from '../src/kernel-client';
import { initTensorFlow } from '../src/tf-backend';
import { FeatureSet, ItemCF, TwoTower, setTrainingHost, synthetic } from '../src/recsys';
import { EmbeddingMap, embeddings } from '../src/views';
import { Model } from '../src/recsys/model';
import { Random } from '../src/recsys/random';
import { run, suiteKernel } from './helpers/kernel';

afterEach(() => setTrainingHost(null));

const noVariables = { variables: () => [] };

function randomRows(n: number, dim: number, seed: number): number[][] {
  const random = new Random(seed);
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => random.normal()));
}

const float32 = (base64: string) => {
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};
const uint16 = (base64: string) => {
  const bytes = Buffer.from(base64, 'base64');
  return new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};

function payload(map: EmbeddingMap, widgetId = 'w1'): ProjectorOutput {
  return map.bundle(widgetId)[MIME.projector] as unknown as ProjectorOutput;
}

/** Counts the progress bars begun: none means no projection ran. */
function progressSpy(): { bars: string[] } {
  const bars: string[] = [];
  setTrainingHost({
    progress: (label) => (bars.push(label), { tick() {}, done() {} }),
    check() {},
    show: () => ({ update() {} }),
  });
  return { bars };
}

describe('rl.charts.embeddings', () => {
  it('maps rows with labels and category colours; the payload decodes back to the map', async () => {
    const rows = randomRows(300, 6, 1);
    const genres = rows.map((_, i) => (i % 10 === 0 ? null : i % 3 === 0 ? 'drama' : 'comedy'));
    const map = await embeddings(rows, {
      labels: rows.map((_, i) => `movie ${i}`),
      colorBy: { name: 'genre', values: genres },
      title: 'Movies',
    });
    expect(map).toBeInstanceOf(EmbeddingMap);
    const bundle = map.bundle('w7');
    const p = bundle[MIME.projector] as unknown as ProjectorOutput;
    expect(p).toMatchObject({ widgetId: 'w7', title: 'Movies', method: 'pca', dims: 2, count: 300 });
    expect(p.labels).toEqual(map.labels);
    expect(p.labels[12]).toBe('movie 12');
    expect(float32(p.coords)).toEqual(map.coords);
    expect(map.coords.length).toBe(600);
    // Categories by size, most first; a missing value indexes one past them.
    expect(p.color).toMatchObject({ name: 'genre', kind: 'category', categories: ['comedy', 'drama'] });
    const values = uint16(p.color!.values);
    genres.forEach((g, i) =>
      expect(
        g === null ? values[i] === 2 : p.color!.kind === 'category' && p.color!.categories[values[i]] === g,
      ).toBe(true),
    );
    expect(String(bundle['text/plain'])).toBe(
      'Movies: 300 points of 6 numbers mapped to 2-D by PCA, coloured by genre (2 categories). ' +
        'Open the notebook in RecLab to hover, search and list neighbours.',
    );
    const svg = String(bundle['image/svg+xml']);
    expect(svg).toMatch(/^<svg[\s\S]*comedy[\s\S]*drama[\s\S]*missing[\s\S]*<\/svg>$/);
  });

  it('draws the static SVG in the view’s colours and proportions, with whole legend names', async () => {
    const rows = randomRows(200, 2, 6).map(([x, y]) => [x * 4, y]);
    const names = ['Drama', "Children's", 'A category with a rather long name'];
    const map = await embeddings(rows, { colorBy: rows.map((_, i) => names[i % 3]) });
    const svg = String(map.bundle('w')['image/svg+xml']);
    names.forEach((name, i) => {
      const swatch = new RegExp(`fill="${categoryColour(i)}"[^>]*ecmeta_ssr_type="legend"`);
      expect(svg).toMatch(swatch);
      expect(svg).toContain(`>${name.replace("'", '&#39;')}</text>`);
    });
    const xs = [...svg.matchAll(/M(-?[\d.]+) (-?[\d.]+)l3 0/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const span = (v: number[]) => Math.max(...v) - Math.min(...v);
    const x = Array.from({ length: map.count }, (_, i) => map.coords[2 * i]);
    const y = Array.from({ length: map.count }, (_, i) => map.coords[2 * i + 1]);
    expect(span(xs.map((p) => p[0])) / span(xs.map((p) => p[1]))).toBeCloseTo(span(x) / span(y), 1);
  });

  it('colours by numbers on a scale, NaN as missing', async () => {
    const rows = randomRows(50, 4, 2);
    const popularity = rows.map((_, i) => (i === 3 ? NaN : i * 2));
    const p = payload(await embeddings(rows, { colorBy: { name: 'popularity', values: popularity } }));
    expect(p.color).toMatchObject({ name: 'popularity', kind: 'number', min: 0, max: 98 });
    const values = float32(p.color!.values);
    expect(values[3]).toBeNaN();
    expect(values[10]).toBe(20);
    expect(p.labels.slice(0, 3)).toEqual(['0', '1', '2']);
  });

  it(
    'samples the static picture but keeps every point in the payload; ' +
      'a 3-D map is drawn by its first two coordinates',
    async () => {
      const data = new Float32Array(8000 * 3);
      const random = new Random(4);
      data.forEach((_, i) => (data[i] = random.normal()));
      const map = await embeddings(data, { dim: 3, dims: 3 });
      expect(map.coords.length).toBe(24_000);
      expect(float32(payload(map).coords)).toEqual(map.coords);
      const svg = String(map.bundle('w')['image/svg+xml']);
      expect(svg).toContain('5,000 of 8,000 points; first two of three coordinates');
    },
  );

  it('maps a fitted model’s item vectors, labelled by item title', async () => {
    await initTensorFlow('wasm');
    const data = synthetic({ users: 120, items: 80, seed: 3 });
    const model = new TwoTower({ epochs: 1 });
    await model.fit(data, { progress: false });
    const map = await embeddings(model, { method: 'umap', nNeighbors: 5, epochs: 20 });
    expect(map.count).toBe(80);
    expect(map.labels).toEqual(Array.from({ length: 80 }, (_, i) => data.itemTitle(i)));
    expect(map.title).toBe('TwoTower item embeddings by UMAP');
    expect(map.dim).toBe(model.itemEmbeddings().dim);
  });

  it('colours a fitted model’s items by an attribute named in colorBy, the first of several values', async () => {
    await initTensorFlow('wasm');
    const data = synthetic({ users: 60, items: 40, seed: 5 });
    const model = new TwoTower({ epochs: 1 });
    await model.fit(data, { progress: false });
    const p = payload(await embeddings(model, { colorBy: 'genres' }));
    expect(p.color).toMatchObject({ name: 'genres (first value)', kind: 'category' });
    const values = uint16(p.color!.values);
    const categories = p.color!.kind === 'category' ? p.color!.categories : [];
    for (let i = 0; i < 40; i++) expect(categories[values[i]]).toBe(data.itemFeatures.decode('genres', i)[0]);
    await expect(embeddings(model, { colorBy: 'genre' })).rejects.toThrow(
      'rl.charts.embeddings: TwoTower\'s items have no attribute "genre"; their attributes are "genres".',
    );
    await expect(embeddings(randomRows(5, 3, 1), { colorBy: 'genres' })).rejects.toThrow(
      'colorBy "genres" names an item attribute, which only a fitted model\'s items have',
    );
  });

  it('colours by a numeric item attribute on a scale', async () => {
    const { model } = modelWithItems(6);
    const years = [1990, 2001, null, 1975, 2020, 1999];
    Object.assign(model.train, {
      itemFeatures: FeatureSet.encode(6, [{ name: 'year', values: years, numeric: true }]),
    });
    const p = payload(await embeddings(model, { colorBy: 'year' }));
    expect(p.color).toMatchObject({ name: 'year', kind: 'number', min: 1975, max: 2020 });
    expect(Array.from(float32(p.color!.values))).toEqual([1990, 2001, NaN, 1975, 2020, 1999]);
  });
});

describe('nearest neighbours', () => {
  const rows = randomRows(500, 8, 5);
  let map: EmbeddingMap;
  beforeAll(async () => {
    map = await embeddings(rows, { labels: rows.map((_, i) => `item ${i}`) });
  });

  function bruteForce(i: number, k: number): { index: number; similarity: number }[] {
    const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    return rows
      .map((r, j) => ({
        index: j,
        similarity: r.reduce((s, x, c) => s + x * rows[i][c], 0) / (norm(r) * norm(rows[i])),
      }))
      .filter((n) => n.index !== i)
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, k);
  }

  it('are the points most similar by cosine in the original space, the point itself left out', () => {
    for (const i of [0, 17, 499]) {
      const found = map.neighbours(i, 12);
      const truth = bruteForce(i, 12);
      expect(found.map((n) => n.index)).toEqual(truth.map((n) => n.index));
      found.forEach((n, r) => expect(n.similarity).toBeCloseTo(truth[r].similarity, 5));
      expect(found[0].label).toBe(`item ${truth[0].index}`);
    }
    expect(map.neighbours('item 17', 3)).toEqual(map.neighbours(17, 3));
    expect(map.neighbours(4)).toHaveLength(10);
  });

  it('say what is wrong with a bad point or k', () => {
    expect(() => map.neighbours(500)).toThrow("No point 500: the map's points are numbered 0 to 499.");
    expect(() => map.neighbours(-1)).toThrow('No point -1');
    expect(() => map.neighbours(2.5)).toThrow('No point 2.5');
    expect(() => map.neighbours('itme 17')).toThrow(
      'No point is labelled "itme 17"; the closest labels are "item 17"',
    );
    expect(() => map.neighbours(3, 0)).toThrow('neighbours: k must be a whole number of at least 1, got 0.');
  });

  it('answer the projector view through the widget contract', async () => {
    const spec = map[WIDGET]();
    const reply = await spec.call('neighbours', { index: 17, k: 4 }, noVariables);
    expect(reply.result).toEqual(map.neighbours(17, 4));
    expect(reply.changed).toBeUndefined();
    expect(spec.bundle('w3')[MIME.projector]).toMatchObject({ widgetId: 'w3', count: 500 });
    expect(() => spec.call('neighbours', { index: 'x' }, noVariables)).toThrow('No point is labelled "x"');
    // Read as numbers, these would answer for point 0 or 1.
    expect(() => spec.call('neighbours', { index: null }, noVariables)).toThrow(
      "neighbours: index must be a point's number or its label, got null.",
    );
    expect(() => spec.call('neighbours', { index: true }, noVariables)).toThrow('got true.');
    expect(() => spec.call('neighbours', {}, noVariables)).toThrow('got nothing.');
    expect(() => spec.call('neighbours', { index: '' }, noVariables)).toThrow('No point is labelled ""');
    expect(() => spec.call('neighbours', { index: 17, k: true }, noVariables)).toThrow(
      'neighbours: k must be a whole number of at least 1, got true.',
    );
    expect(() => spec.call('zoom', {}, noVariables)).toThrow(
      'The projector has no method "zoom"; it answers "neighbours".',
    );
  });
});

describe('bad input is refused before anything is computed', () => {
  const rows = randomRows(40, 5, 6);
  const cases: [string, () => Promise<unknown>, string][] = [
    [
      'an unknown method',
      () => embeddings(rows, { method: 'mds' as 'pca' }),
      `No projection method "mds": choose 'pca', 'umap', 'tsne'.`,
    ],
    [
      '10 million rows',
      () => embeddings(new Array(10_000_000)),
      'rl.charts.embeddings: 10,000,000 points is more than the projector shows (1,000,000 at most); ' +
        'sample them first, e.g. every 10th vector (1,000,000 points), with their labels and colours alike.',
    ],
    [
      '10 million flat numbers',
      () => embeddings(new Float32Array(10_000_000), { dim: 1 }),
      '10,000,000 points is more than the projector shows',
    ],
    [
      'UMAP over its limit',
      () => embeddings({ data: new Float32Array(60_000 * 2), dim: 2 }, { method: 'umap' }),
      'UMAP takes at most 50,000 points (its layout takes about 45 s at that size), ' +
        "and there are 60,000: use method 'pca', or sample them first, e.g. every 2nd vector (30,000 points)",
    ],
    [
      'UMAP over its limit for long vectors',
      () => embeddings({ data: new Float32Array(20_000 * 256), dim: 256 }, { method: 'umap' }),
      'UMAP takes at most 15,000 points (its neighbour search compares every pair of points, 256 numbers each; ' +
        'fewer numbers per point allow more points), ' +
        "and there are 20,000: use method 'pca', or sample them first, e.g. every 2nd vector (10,000 points)",
    ],
    [
      't-SNE over its limit',
      () => embeddings({ data: new Float32Array(10_001 * 2), dim: 2 }, { method: 'tsne' }),
      't-SNE takes at most 10,000 points (it compares every pair of points to find neighbours), ' +
        "and there are 10,001: use method 'pca'",
    ],
    [
      'labels of another length',
      () => embeddings(rows, { labels: ['a', 'b'] }),
      '2 labels for 40 points; give one label per point.',
    ],
    [
      'colours of another length',
      () => embeddings(rows, { colorBy: [1, 2, 3] }),
      'colorBy has 3 values for 40 points; give one per point.',
    ],
    [
      'an infinite colour',
      () => embeddings(rows, { colorBy: rows.map((_, i) => (i === 5 ? Infinity : i)) }),
      'colorBy value 5 is Infinity',
    ],
    [
      'a NaN in a vector',
      () =>
        embeddings(
          rows.map((r, i) => (i === 7 ? [1, 2, NaN, 4, 5] : r)),
          { labels: rows.map((_, i) => `m${i}`) },
        ),
      'rl.charts.embeddings: vector 7 ("m7") holds NaN at position 2; ' +
        'the projector needs finite numbers: fix or drop that vector.',
    ],
    [
      'an infinity in a flat array',
      () =>
        embeddings(
          Float32Array.from(rows.flat(), (v, i) => (i === 13 ? -Infinity : v)),
          { dim: 5 },
        ),
      'vector 2 holds -Infinity at position 3',
    ],
    [
      'rows of different lengths',
      () => embeddings([...rows.slice(0, 3), [1, 2]]),
      'row 3 has 2 numbers where row 0 has 5; every vector needs the same length.',
    ],
    [
      'a flat array without dim',
      () => embeddings(new Float32Array(10)),
      'a flat array of numbers needs { dim }, the numbers per vector.',
    ],
    [
      'a setting of another method',
      () => embeddings(rows, { method: 'umap', perplexity: 5 }),
      'perplexity is not a UMAP setting (its settings are nNeighbors, minDist, epochs).',
    ],
    ['an unknown option', () => embeddings(rows, { colourBy: [] } as object), 'no option "colourBy"'],
    ['dims 4', () => embeddings(rows, { dims: 4 as 2 }), 'dims must be 2 or 3, got 4.'],
    [
      '3-D from 2 numbers',
      () =>
        embeddings(
          [
            [1, 2],
            [3, 4],
            [5, 6],
          ],
          { dims: 3 },
        ),
      'a 3-D map needs vectors of at least 3 numbers; these have 2.',
    ],
    ['no vectors', () => embeddings([]), 'there are no vectors to map.'],
    ['not vectors', () => embeddings('abc' as unknown as number[][]), 'rl.charts.embeddings maps vectors'],
    [
      'a model without vectors',
      async () => embeddings(await fitted(new ItemCF())),
      'ItemCF has no item embeddings to map; models with them include TwoTower and AutoEncoder.',
    ],
    [
      'a model not fitted',
      () => embeddings(new TwoTower()),
      'TwoTower is not fitted yet: call fit(train) first.',
    ],
  ];
  for (const [what, call, message] of cases) {
    it(what, async () => {
      const spy = progressSpy();
      await expect(call()).rejects.toThrow(message);
      expect(spy.bars).toEqual([]);
    });
  }

  it("a model with too many items, before its items' titles are read", async () => {
    for (const [items, message] of [
      [1_000_001, '1,000,001 points is more than the projector shows'],
      [60_000, 'UMAP takes at most 50,000 points'],
    ] as const) {
      const { model, titlesRead } = modelWithItems(items);
      await expect(embeddings(model, { method: 'umap' })).rejects.toThrow(message);
      expect(titlesRead()).toBe(0);
    }
  });
});

describe('in a notebook', () => {
  let kernel: KernelClient;
  suiteKernel((k) => (kernel = k));

  it('shows the projector with progress, answers its view, and says why a matrix is too large', async () => {
    const cell = await run(
      kernel,
      'const rows = Array.from({ length: 200 }, (_, i) => [Math.cos(i), Math.sin(i), i % 7, 1]);\n' +
        "await rl.charts.embeddings(rows, { method: 'umap', nNeighbors: 5, epochs: 20, " +
        "labels: rows.map((_, i) => 'p' + i) })",
    );
    expect(cell.reply.status).toBe('ok');
    expect(cell.updates.some((u) => MIME.progress in u)).toBe(true);
    const shown = cell.outputs.find((o) => o.output_type === 'execute_result');
    const p = (shown?.output_type === 'execute_result'
      ? shown.data[MIME.projector]
      : undefined) as unknown as ProjectorOutput;
    expect(p).toMatchObject({ method: 'umap', count: 200, dims: 2 });
    const reply = await kernel.query('widget', {
      widgetId: p.widgetId,
      method: 'neighbours',
      params: { index: 0, k: 3 },
    });
    const neighbours = reply.result as { index: number; label: string }[];
    expect(neighbours).toHaveLength(3);
    neighbours.forEach((n) => expect(n.label).toBe(`p${n.index}`));
    expect(neighbours.map((n) => n.index)).not.toContain(0);
    const big = await run(kernel, 'await rl.charts.embeddings(new Float32Array(20_000_000), { dim: 2 })');
    expect(big.reply.status).toBe('error');
    expect(big.text).toContain(
      '10,000,000 points is more than the projector shows (1,000,000 at most); sample them first',
    );
  });
});

/** A stand-in for a fitted model with `items` item vectors of two numbers, counting the item titles read. */
function modelWithItems(items: number): { model: Model<object>; titlesRead: () => number } {
  let titles = 0;
  const train = { numItems: items, itemTitle: (i: number) => (titles++, `item ${i}`) };
  const model = Object.create(Model.prototype, {
    name: { value: 'Huge' },
    train: { value: train },
    itemEmbeddings: { value: () => ({ data: new Float32Array(items * 2), dim: 2 }) },
  }) as Model<object>;
  return { model, titlesRead: () => titles };
}

async function fitted(model: ItemCF): Promise<ItemCF> {
  await model.fit(synthetic({ users: 50, items: 30, seed: 1 }), { progress: false });
  return model;
}
