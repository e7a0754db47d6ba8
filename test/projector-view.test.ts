import { describe, expect, it } from 'vitest';
import { categoryColour, sequentialColour, type ProjectorOutput } from '../src/api';
import {
  LEVELS,
  ScreenGrid,
  centreOn,
  decodeProjector,
  extent,
  fit,
  newFrame,
  palette,
  pixel,
  project,
  faintPoints,
  rasterise,
  readNeighbours,
  rotate,
  searchLabels,
  zoomAt,
  type Raster,
} from '../renderer/src/lib/projector-view';

const base64 = (values: Float32Array | Uint16Array) =>
  Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');

function payload(coords: number[], dims: 2 | 3, extra: Partial<ProjectorOutput> = {}): ProjectorOutput {
  const count = coords.length / dims;
  return {
    widgetId: 'w',
    title: 't',
    method: 'pca',
    dims,
    count,
    coords: base64(Float32Array.from(coords)),
    labels: Array.from({ length: count }, (_, i) => `p${i}`),
    ...extra,
  };
}

/** Deterministic points, so a failure reproduces. */
function scattered(count: number, dims: number): number[] {
  let seed = 7;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  return Array.from({ length: count * dims }, next);
}

describe('the projector payload', () => {
  it('decodes little-endian Float32 coordinates, row by row', () => {
    const data = decodeProjector(payload([1.5, -2, 3, 0.25, 1e6, -7], 3));
    expect(data.count).toBe(2);
    expect(Array.from(data.coords)).toEqual([1.5, -2, 3, 0.25, 1e6, -7]);
    expect(data.legend.kind).toBe('none');
  });

  it('colours by category, an index past the categories counting as missing', () => {
    const color = {
      name: 'genre',
      kind: 'category' as const,
      categories: ['a', 'b'],
      values: base64(Uint16Array.of(1, 0, 1, 9)),
    };
    const data = decodeProjector(payload([0, 0, 1, 1, 2, 2, 3, 3], 2, { color }));
    expect(Array.from(data.colour)).toEqual([1, 0, 1, 2]);
    expect(data.legend.kind === 'category' && Array.from(data.legend.counts)).toEqual([1, 2]);
  });

  it('puts numbers on the sequential scale between min and max, NaN apart', () => {
    const color = {
      name: 'pop',
      kind: 'number' as const,
      min: 10,
      max: 20,
      values: base64(Float32Array.of(10, 20, 15, NaN)),
    };
    const data = decodeProjector(payload([0, 0, 1, 1, 2, 2, 3, 3], 2, { color }));
    expect(Array.from(data.colour)).toEqual([0, LEVELS - 1, LEVELS / 2, LEVELS]);
    expect(data.legend.kind === 'number' && data.legend.missing).toBe(1);
  });

  it('says which part does not fit the point count', () => {
    expect(() => decodeProjector({ ...payload([0, 0, 1, 1], 2), count: 3, labels: ['a', 'b', 'c'] })).toThrow(
      /coordinates hold 4 numbers where 6/,
    );
    expect(() => decodeProjector({ ...payload([0, 0, 1, 1], 2), labels: ['a'] })).toThrow(
      /1 labels for 2 points/,
    );
    const color = {
      name: 'g',
      kind: 'category' as const,
      categories: ['a'],
      values: base64(Uint16Array.of(0)),
    };
    expect(() => decodeProjector(payload([0, 0, 1, 1], 2, { color }))).toThrow(
      /'g' colours hold 1 values where 2/,
    );
  });
});

describe('projector colours', () => {
  it('has one colour per category or level, and grey for missing last', () => {
    const data = decodeProjector(
      payload([0, 0], 2, {
        color: {
          name: 'g',
          kind: 'category',
          categories: ['a', 'b', 'c'],
          values: base64(Uint16Array.of(0)),
        },
      }),
    );
    expect(palette(data.legend, false)).toEqual([
      categoryColour(0),
      categoryColour(1),
      categoryColour(2),
      '#8b949e',
    ]);
    expect(palette({ kind: 'number', name: 'x', min: 0, max: 1, missing: 0 }, true)).toHaveLength(LEVELS + 1);
  });

  it('keeps many categories apart', () => {
    const colours = Array.from({ length: 40 }, (_, i) => categoryColour(i));
    expect(new Set(colours).size).toBe(40);
    for (const c of colours) expect(c).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('leaves out the sequential end that the background would swallow', () => {
    expect(sequentialColour(0, false)).toBe('#440154');
    expect(sequentialColour(0, true)).not.toBe('#440154');
    expect(sequentialColour(1, true)).toBe('#fde725');
    expect(sequentialColour(1, false)).not.toBe('#fde725');
  });

  it('packs a colour as an ImageData pixel', () => {
    expect(pixel('#102030')).toBe(0xff302010);
    expect(pixel('#102030', 0x40)).toBe(0x40302010);
  });
});

describe('the projector view', () => {
  const [W, H] = [400, 300];

  it('fits the whole 2-D map in the canvas, north up', () => {
    const coords = Float32Array.from(scattered(500, 2));
    const box = extent(coords, 500, 2);
    const frame = newFrame(500);
    project(coords, 2, box, '2d', fit(box, '2d', W, H), W, H, frame);
    for (let i = 0; i < 500; i++) {
      expect(frame.x[i]).toBeGreaterThanOrEqual(0);
      expect(frame.x[i]).toBeLessThanOrEqual(W);
      expect(frame.y[i]).toBeGreaterThanOrEqual(0);
      expect(frame.y[i]).toBeLessThanOrEqual(H);
    }
    const top = coords.filter((_, k) => k % 2 === 1).indexOf(box.max[1]);
    expect(frame.y[top]).toBe(Math.min(...frame.y));
  });

  it('fits a 3-D map in the canvas however it is turned', () => {
    const coords = Float32Array.from(scattered(300, 3));
    const box = extent(coords, 300, 3);
    let view = fit(box, '3d', W, H);
    const frame = newFrame(300);
    for (let turn = 0; turn < 20; turn++) {
      view = rotate(view, 37, -23);
      project(coords, 3, box, '3d', view, W, H, frame);
      expect(Math.min(...frame.x)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...frame.y)).toBeLessThanOrEqual(H);
      // Tight: turned into the screen's plane, the farthest point would reach the margin.
      const reach = Math.max(
        ...Array.from(frame.x, (x, i) =>
          Math.hypot(x - W / 2, frame.y[i] - H / 2, frame.depth[i] * view.scale),
        ),
      );
      expect(reach).toBeCloseTo(0.45 * H, 3);
    }
  });

  it('turns without stretching: a rotation keeps every distance, even after many drags', () => {
    const coords = Float32Array.of(0, 0, 0, 1, 2, 2);
    const box = extent(coords, 2, 3);
    let view = { ...fit(box, '3d', W, H), scale: 1 };
    for (let i = 0; i < 5000; i++) view = rotate(view, 3.7, -1.3);
    const frame = newFrame(2);
    project(coords, 3, box, '3d', view, W, H, frame);
    const length = Math.hypot(
      frame.x[1] - frame.x[0],
      frame.y[1] - frame.y[0],
      frame.depth[1] - frame.depth[0],
    );
    expect(length).toBeCloseTo(3, 5);
  });

  it('zooms about the pointer and centres on a point', () => {
    const coords = Float32Array.of(0, 0, 4, 2, -3, 1);
    const box = extent(coords, 3, 2);
    const view = fit(box, '2d', W, H);
    const frame = newFrame(3);
    project(coords, 2, box, '2d', view, W, H, frame);
    const [x, y] = [frame.x[1], frame.y[1]];
    project(coords, 2, box, '2d', zoomAt(view, 3, x, y, W, H), W, H, frame);
    expect(frame.x[1]).toBeCloseTo(x, 3);
    expect(frame.y[1]).toBeCloseTo(y, 3);
    project(coords, 2, box, '2d', view, W, H, frame);
    project(coords, 2, box, '2d', centreOn(view, frame.x[2], frame.y[2], W, H), W, H, frame);
    expect(frame.x[2]).toBeCloseTo(W / 2, 3);
    expect(frame.y[2]).toBeCloseTo(H / 2, 3);
  });
});

describe('drawing the points', () => {
  const raster = (depth = false): Raster => ({
    pixels: new Uint32Array(10 * 10),
    width: 10,
    height: 10,
    ratio: 1,
    size: 3,
    depth: depth ? new Float32Array(100) : undefined,
  });
  const frame = (points: [number, number, number][]) => ({
    x: Float32Array.from(points, (p) => p[0]),
    y: Float32Array.from(points, (p) => p[1]),
    depth: Float32Array.from(points, (p) => p[2]),
  });
  const colours = Uint32Array.of(pixel('#ff0000'), pixel('#00ff00'), pixel('#0000ff'));

  it('draws each point as a square and counts those on the canvas', () => {
    const r = raster();
    const drawn = rasterise(
      frame([
        [5, 5, 0],
        [50, 5, 0],
        [NaN, 1, 0],
        [0, 0, 0],
      ]),
      Uint16Array.of(0, 1, 1, 2),
      colours,
      undefined,
      r,
    );
    expect(drawn).toBe(2);
    expect(r.pixels.filter((p) => p === colours[0]).length).toBe(9);
    expect(r.pixels[0]).toBe(colours[2]);
    expect(r.pixels.filter((p) => p === colours[2]).length).toBe(4);
  });

  it('hides a farther point behind a nearer one in 3-D, whatever the order', () => {
    const r = raster(true);
    rasterise(
      frame([
        [5, 5, 2],
        [5, 5, -1],
      ]),
      Uint16Array.of(0, 1),
      colours,
      undefined,
      r,
    );
    expect(r.pixels[5 * 10 + 5]).toBe(colours[0]);
  });

  it('draws faint points faint and beneath the others', () => {
    const r = raster();
    const colour = Uint16Array.of(0, 1, 1);
    rasterise(
      frame([
        [5, 5, 0],
        [5, 5, 0],
        [1, 1, 0],
      ]),
      colour,
      colours,
      faintPoints(colour, Uint8Array.of(0, 1, 0, 0), undefined),
      r,
    );
    expect(r.pixels[5 * 10 + 5]).toBe(colours[0]);
    expect(r.pixels[1 * 10 + 1] >>> 24).toBeLessThan(0x80);
  });

  it('leaves a point and its neighbours bright and the rest faint, within the categories picked', () => {
    const colour = Uint16Array.of(0, 1, 0, 1, 0);
    expect(faintPoints(colour, undefined, undefined)).toBeUndefined();
    expect(Array.from(faintPoints(colour, undefined, [3, 0, 4])!)).toEqual([0, 1, 1, 0, 0]);
    expect(Array.from(faintPoints(colour, Uint8Array.of(1, 0, 0), [3, 0, 4])!)).toEqual([1, 1, 1, 0, 1]);
    expect(Array.from(faintPoints(colour, Uint8Array.of(1, 0, 0), undefined)!)).toEqual([1, 0, 1, 0, 1]);
    const into = new Uint8Array(5);
    expect(faintPoints(colour, undefined, [1], into)).toBe(into);
  });
});

describe('finding the point under the pointer', () => {
  it('finds the nearest point within the radius, as a search of every point would', () => {
    const count = 20_000;
    const f = newFrame(count);
    const xy = scattered(count, 2);
    for (let i = 0; i < count; i++) {
      f.x[i] = (xy[2 * i] + 1) * 400;
      f.y[i] = (xy[2 * i + 1] + 1) * 300;
    }
    const grid = new ScreenGrid();
    grid.build(f, 800, 600);
    const probes = scattered(500, 2);
    for (let p = 0; p < 500; p++) {
      const [px, py] = [(probes[2 * p] + 1) * 400, (probes[2 * p + 1] + 1) * 300];
      let best = -1;
      let bestDistance = 36;
      for (let i = 0; i < count; i++) {
        const d = (f.x[i] - px) ** 2 + (f.y[i] - py) ** 2;
        if (d < bestDistance) [best, bestDistance] = [i, d];
      }
      expect(grid.nearest(px, py, 6)).toBe(best);
    }
  });

  it('finds nothing beyond the radius or off the canvas, and prefers the nearer of two points in one place', () => {
    const f = {
      x: Float32Array.of(100, 100, -5),
      y: Float32Array.of(100, 100, 10),
      depth: Float32Array.of(1, 3, 0),
    };
    const grid = new ScreenGrid();
    grid.build(f, 200, 200);
    expect(grid.nearest(100, 107, 6)).toBe(-1);
    expect(grid.nearest(103, 103, 6)).toBe(1);
    expect(grid.nearest(-3, 10, 6)).toBe(-1);
  });
});

describe('searching labels', () => {
  it('matches substrings whatever their case, listing the first few and counting all', () => {
    const lowered = ['toy story', 'story of us', 'heat', 'toy soldiers'];
    expect(searchLabels(lowered, ' STORY', 1)).toEqual({ matches: [0], total: 2 });
    expect(searchLabels(lowered, 'toy', 20)).toEqual({ matches: [0, 3], total: 2 });
    expect(searchLabels(lowered, '  ', 20)).toEqual({ matches: [], total: 0 });
  });
});

describe("the kernel's neighbours", () => {
  it('are taken as they are when well formed, and refused otherwise', () => {
    const good = [{ index: 3, label: 'x', similarity: 0.9 }];
    expect(readNeighbours(good)).toEqual(good);
    expect(() => readNeighbours({ error: 'no' })).toThrow(/list of neighbours/);
    expect(() => readNeighbours([{ index: '3', label: 'x', similarity: 1 }])).toThrow(/list of neighbours/);
  });
});
