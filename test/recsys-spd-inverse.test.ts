import { afterEach, describe, expect, it } from 'vitest';
import { Dataset, EASE, FitCancelledError, invertSpd } from '../src/recsys';
import { setTrainingHost } from '../src/recsys/engine/training';
import { SpdMatrix, inversionSteps } from '../src/recsys/linalg/spd-inverse';

/** F Fᵀ + I with F m × m/2 of uniform values from a fixed seed: SPD, condition number in the hundreds. */
function randomSpd(m: number, seed: number): Float64Array {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5;
  const k = Math.max(1, m >> 1);
  const f = Float64Array.from({ length: m * k }, next);
  const g = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j <= i; j++) {
      let s = i === j ? 1 : 0;
      for (let t = 0; t < k; t++) s += f[i * k + t] * f[j * k + t];
      g[i * m + j] = s;
      g[j * m + i] = s;
    }
  return g;
}

/** The textbook route, unblocked: G = L Lᵀ, then G⁻¹ = L⁻ᵀ L⁻¹, column by column. */
function referenceInverse(g: Float64Array, m: number): Float64Array {
  const l = new Float64Array(m * m);
  for (let j = 0; j < m; j++)
    for (let i = j; i < m; i++) {
      let s = g[i * m + j];
      for (let k = 0; k < j; k++) s -= l[i * m + k] * l[j * m + k];
      l[i * m + j] = i === j ? Math.sqrt(s) : s / l[j * m + j];
    }
  const p = new Float64Array(m * m);
  const y = new Float64Array(m);
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < m; i++) {
      let s = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) s -= l[i * m + k] * y[k];
      y[i] = s / l[i * m + i];
    }
    for (let i = m - 1; i >= 0; i--) {
      let s = y[i];
      for (let k = i + 1; k < m; k++) s -= l[k * m + i] * p[k * m + c];
      p[i * m + c] = s / l[i * m + i];
    }
  }
  return p;
}

afterEach(() => setTrainingHost(null));

describe('the SPD inverse', () => {
  // Sizes off the block (128) and the tile (4); 700 is large enough to run on worker threads.
  it.each([1, 7, 130, 513, 700])('matches a Float64 reference at m = %i', async (m) => {
    const g = randomSpd(m, m);
    const expected = referenceInverse(g, m);
    const p = await invertSpd(g.slice(), m);
    let largest = 0;
    let error = 0;
    for (let i = 0; i < m * m; i++) {
      largest = Math.max(largest, Math.abs(expected[i]));
      error = Math.max(error, Math.abs(p[i] - expected[i]));
    }
    expect(error / largest).toBeLessThan(1e-10);
  });

  it('refuses a matrix that is not positive definite, naming the pivot', async () => {
    const m = 3;
    const g = Float64Array.from([1, 2, 0, 2, 1, 0, 0, 0, 1]);
    await expect(invertSpd(g, m)).rejects.toThrow(
      /not positive definite \(pivot 1 is -3\); raise the regularisation/,
    );
  });

  it('stops between blocks when its pause throws, on worker threads too', async () => {
    const m = 700;
    const matrix = new SpdMatrix(m);
    const g = randomSpd(m, 1);
    for (let i = 0; i < m; i++) matrix.values.set(g.subarray(i * m, i * m + i + 1), i * matrix.stride);
    let pauses = 0;
    const stop = new Error('stop');
    await expect(
      matrix.invert(async () => {
        if (++pauses === 2) throw stop;
      }),
    ).rejects.toBe(stop);
    expect(pauses).toBeLessThan(inversionSteps(m));
  });
});

/** `users` users with `perUser` consecutive items each, one after another around `items` items. */
function wide(users: number, items: number, perUser: number): Dataset {
  const user: string[] = [];
  const item: string[] = [];
  for (let u = 0; u < users; u++)
    for (let k = 0; k < perUser; k++) {
      user.push(`u${u}`);
      item.push(`i${(u * perUser + k) % items}`);
    }
  return Dataset.fromInteractions({ user, item });
}

describe('EASE’s inverse', () => {
  it('says the memory it needs in its progress label, before the matrices exist', async () => {
    const labels: string[] = [];
    setTrainingHost({
      progress: (label) => (labels.push(label), { tick() {}, done() {} }),
      check() {},
      show: () => ({ update() {} }),
    });
    await new EASE().fit(wide(40, 30, 5));
    expect(labels).toContain('EASE: inverting the 30 × 30 Gram matrix (1 MB)');
  });

  it('refuses matrices larger than it may take, saying how much and what to do', async () => {
    // 24,000 items: 4.7 GB of Float64 alone, more than WebAssembly's 4 GiB (or half of a small machine's memory).
    const model = new EASE({ maxItems: 30_000 });
    await expect(model.fit(wide(2_400, 24_000, 10))).rejects.toThrow(
      /^EASE needs 7\.0 GB for its 24,000 × 24,000 item matrices \(the Gram matrix, inverted in place in Float64, and the weights in Float32\): .+\. Raise minCount \(now 1\) or lower maxItems \(now 30,000\) to keep at most [\d,]+ items\.$/,
    );
  });

  it('stops when the fit is cancelled while it inverts', async () => {
    const controller = new AbortController();
    let ticks = 0;
    setTrainingHost({
      // The first block swept cancels the fit: the next check between blocks must stop it.
      progress: () => ({ tick: () => (++ticks, controller.abort()), done() {} }),
      check() {},
      show: () => ({ update() {} }),
    });
    const data = wide(400, 700, 40);
    await expect(new EASE().fit(data, { signal: controller.signal })).rejects.toBeInstanceOf(
      FitCancelledError,
    );
    expect(ticks).toBe(1);
  });
});
