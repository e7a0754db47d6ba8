import { describe, expect, it } from 'vitest';
import {
  NegativeSampler,
  StreamingFrequency,
  candidateLogQ,
  type ItemCounts,
} from '../src/recsys/engine/negatives';
import { Random } from '../src/recsys/random';

/** Zipf counts: item i has round(top / (i + 1)^s) interactions. */
function zipfCounts(items: number, top: number, s = 1): Float64Array {
  return Float64Array.from({ length: items }, (_, i) => Math.round(top / (i + 1) ** s));
}

/** How often each item was drawn in `draws` draws, in one call. */
function histogram(sampler: NegativeSampler, draws: number): Float64Array {
  const out = new Int32Array(draws);
  sampler.draw(out);
  const seen = new Float64Array(sampler.numItems);
  for (const i of out) seen[i]++;
  return seen;
}

/** Pearson's chi-square of observed counts against expected ones (cells expected > 0). */
function chiSquare(observed: Float64Array, expected: (i: number) => number): number {
  let x2 = 0;
  for (let i = 0; i < observed.length; i++) {
    const e = expected(i);
    if (e > 0) x2 += (observed[i] - e) ** 2 / e;
  }
  return x2;
}

/** A bound chi-square with `dof` degrees of freedom exceeds with probability far below 1e-4. */
const chiBound = (dof: number) => dof + 6 * Math.sqrt(2 * dof);

describe('NegativeSampler', () => {
  const draws = 200_000;

  it('draws uniformly: flat counts, and exactly the draws of Random.int (as TwoTower made them)', () => {
    const counts = zipfCounts(50, 1000);
    const sampler = new NegativeSampler(counts, { strategy: 'uniform', random: new Random(7) });
    const seen = histogram(sampler, draws);
    expect(chiSquare(seen, () => draws / 50)).toBeLessThan(chiBound(49));
    expect(sampler.probability(0)).toBe(1 / 50);
    expect(sampler.logProbability(49)).toBeCloseTo(-Math.log(50), 12);

    const again = new Int32Array(100);
    new NegativeSampler(counts, { strategy: 'uniform', random: new Random(3) }).draw(again);
    const reference = new Random(3);
    expect([...again]).toEqual(Array.from({ length: 100 }, () => reference.int(50)));
  });

  it('draws by popularity^alpha: probability and draws match count^α / Σ count^α', () => {
    const counts = zipfCounts(50, 1000);
    const sum = counts.reduce((s, n) => s + n ** 0.75, 0);
    // α = 0.75 by default.
    const sampler = new NegativeSampler(counts, { strategy: 'popularity', random: new Random(11) });
    for (let i = 0; i < 50; i++) expect(sampler.probability(i)).toBeCloseTo(counts[i] ** 0.75 / sum, 12);
    const seen = histogram(sampler, draws);
    expect(chiSquare(seen, (i) => (draws * counts[i] ** 0.75) / sum)).toBeLessThan(chiBound(49));
    // Popular items are drawn more, but less than in proportion to their counts.
    expect(seen[0] / seen[49]).toBeGreaterThan(15);
    expect(seen[0] / seen[49]).toBeLessThan(25); // 50^0.75 ≈ 18.8; counts alone would give 50
  });

  it('is uniform over the items with interactions at α = 0 and follows the counts at α = 1', () => {
    const counts = zipfCounts(40, 2000);
    const flat = new NegativeSampler(counts, { strategy: 'popularity', alpha: 0, random: new Random(5) });
    for (let i = 0; i < 40; i++) expect(flat.probability(i)).toBeCloseTo(1 / 40, 14);
    expect(chiSquare(histogram(flat, draws), () => draws / 40)).toBeLessThan(chiBound(39));

    const total = counts.reduce((s, n) => s + n, 0);
    const linear = new NegativeSampler(counts, { strategy: 'popularity', alpha: 1, random: new Random(5) });
    for (let i = 0; i < 40; i++) expect(linear.probability(i)).toBeCloseTo(counts[i] / total, 14);
    expect(chiSquare(histogram(linear, draws), (i) => (draws * counts[i]) / total)).toBeLessThan(
      chiBound(39),
    );
  });

  it('never draws an item of count 0 by popularity, at any α', () => {
    const counts = Int32Array.from({ length: 30 }, (_, i) => (i % 4 === 0 || i === 29 ? 0 : 30 - i));
    for (const alpha of [0, 0.5, 1, 3]) {
      const sampler = new NegativeSampler(counts, {
        strategy: 'popularity',
        alpha,
        random: new Random(alpha * 10 + 1),
      });
      const seen = histogram(sampler, 50_000);
      counts.forEach((n, i) => {
        if (n === 0) {
          expect(seen[i]).toBe(0);
          expect(sampler.probability(i)).toBe(0);
          expect(sampler.logProbability(i)).toBe(-Infinity);
        } else expect(seen[i]).toBeGreaterThan(0);
      });
    }
  });

  it('fills only the range it is given, and the same seed draws the same items', () => {
    const counts = zipfCounts(20, 100);
    const out = new Int32Array(10).fill(-1);
    new NegativeSampler(counts, { strategy: 'popularity', random: new Random(9) }).draw(out, 3, 7);
    expect([...out.subarray(0, 3), ...out.subarray(7)]).toEqual([-1, -1, -1, -1, -1, -1]);
    expect([...out.subarray(3, 7)].every((i) => i >= 0 && i < 20)).toBe(true);
    const again = new Int32Array(10).fill(-1);
    new NegativeSampler(counts, { strategy: 'popularity', random: new Random(9) }).draw(again, 3, 7);
    expect(again).toEqual(out);
  });
});

describe('candidateLogQ', () => {
  // A skewed interaction list: item i has about 3000 / (i + 1) interactions.
  const numItems = 100;
  const counts = zipfCounts(numItems, 3000, 1);
  const interactions = Int32Array.from(Array.from(counts).flatMap((n, i) => Array<number>(n).fill(i)));
  const total = interactions.length;
  const batch = 64;
  const sampled = 32;
  const batches = 4000;

  /**
   * Trains' view of the candidates: per batch, `batch` positives taken in a fresh shuffle
   * of the interactions each epoch (as TwoTower does), then `sampled` draws; returns how
   * often each item was a candidate over all batches.
   */
  function simulate(inBatch: boolean, sampler: NegativeSampler | null, random: Random): Float64Array {
    const seen = new Float64Array(numItems);
    const order = Int32Array.from(interactions);
    const drawn = new Int32Array(sampled);
    const perEpoch = Math.floor(total / batch);
    for (let b = 0; b < batches; b++) {
      if (b % perEpoch === 0) random.shuffle(order);
      if (inBatch) for (let k = (b % perEpoch) * batch, end = k + batch; k < end; k++) seen[order[k]]++;
      if (sampler) {
        sampler.draw(drawn);
        for (const i of drawn) seen[i]++;
      }
    }
    return seen;
  }

  /** Every item's candidate count is within 5 standard deviations of exp(logQ) per batch. */
  function expectMatches(seen: Float64Array, logQ: Float32Array): void {
    for (let i = 0; i < numItems; i++) {
      const expected = batches * Math.exp(logQ[i]);
      expect(
        Math.abs(seen[i] - expected),
        `item ${i}: seen ${seen[i]}, expected ${expected.toFixed(1)}`,
      ).toBeLessThan(5 * Math.sqrt(expected) + 1);
    }
  }

  it('in-batch negatives: popular items are candidates batch × n_i / N times a batch', () => {
    const logQ = candidateLogQ(counts, { inBatch: batch });
    const seen = simulate(true, null, new Random(1));
    expectMatches(seen, logQ);
    for (let i = 0; i < numItems; i++) expect(logQ[i]).toBeCloseTo(Math.log((batch * counts[i]) / total), 5);
    // The bias the correction removes: the most popular item is a negative 100 times as
    // often as the least popular one.
    expect(seen[0] / seen[numItems - 1]).toBeGreaterThan(70);
  });

  it('uniform negatives: every item sampled / numItems times a batch', () => {
    const sampler = new NegativeSampler(counts, { strategy: 'uniform', random: new Random(2) });
    const logQ = candidateLogQ(counts, { inBatch: 0, sampled, sampler });
    expectMatches(simulate(false, sampler, new Random(2)), logQ);
    expect(logQ.every((v) => Math.abs(v - Math.log(sampled / numItems)) < 1e-6)).toBe(true);
  });

  it('popularity negatives: sampled × count^α / Σ count^α times a batch', () => {
    const sampler = new NegativeSampler(counts, {
      strategy: 'popularity',
      alpha: 0.5,
      random: new Random(3),
    });
    const logQ = candidateLogQ(counts, { inBatch: 0, sampled, sampler });
    expectMatches(simulate(false, sampler, new Random(3)), logQ);
    const sum = counts.reduce((s, n) => s + Math.sqrt(n), 0);
    expect(logQ[0]).toBeCloseTo(Math.log((sampled * Math.sqrt(counts[0])) / sum), 5);
  });

  it('mixed negatives: the sum of both, for popularity and uniform draws', () => {
    for (const strategy of ['popularity', 'uniform'] as const) {
      const sampler = new NegativeSampler(counts, { strategy, random: new Random(4) });
      const logQ = candidateLogQ(counts, { inBatch: batch, sampled, sampler });
      expectMatches(simulate(true, sampler, new Random(4)), logQ);
    }
  });

  it("is TwoTower's correction for in-batch plus uniform negatives, to the last bit", () => {
    const sampler = new NegativeSampler(counts, { strategy: 'uniform', random: new Random(1) });
    const logQ = candidateLogQ(counts, { inBatch: batch, sampled: 7, sampler });
    expect(logQ).toEqual(Float32Array.from(counts, (n) => Math.log((batch * n) / total + 7 / numItems)));
  });
});

describe('StreamingFrequency', () => {
  /** Per-step draws of `batch` items from `weights` (normalised), as a stream of batches. */
  function stream(weights: Float64Array, batch: number, random: Random) {
    const sampler = new NegativeSampler(weights, { strategy: 'popularity', alpha: 1, random });
    const items = new Int32Array(batch);
    return (): Int32Array => (sampler.draw(items), items);
  }
  const numItems = 200;
  const batch = 256;
  const zipf = Float64Array.from({ length: numItems }, (_, i) => 1 / (i + 1));
  const zipfSum = zipf.reduce((s, w) => s + w, 0);
  /** The true expected occurrences per step of item i under Zipf weights, ranks reversed or not. */
  const truth = (i: number, reversed = false) => (batch * zipf[reversed ? numItems - 1 - i : i]) / zipfSum;

  it('converges to the true per-step frequency, and is right from the first steps', () => {
    const frequency = new StreamingFrequency({ items: numItems, learningRate: 0.002 });
    expect(frequency.buckets).toBe(1024);
    const next = stream(zipf, batch, new Random(21));
    for (let step = 0; step < 40; step++) frequency.observe(next(), step);
    // Without debiasing the zero start, items 1 and 2 would still be overstated by some 20 and 45 % here.
    for (let i = 0; i < 3; i++)
      expect(Math.abs(frequency.probability(i) / truth(i) - 1), `item ${i} early`).toBeLessThan(0.15);
    for (let step = 40; step < 3000; step++) frequency.observe(next(), step);
    for (let i = 0; i < 10; i++)
      expect(Math.abs(frequency.probability(i) / truth(i) - 1), `item ${i}`).toBeLessThan(0.15);
    expect(frequency.probability(0)).toBeGreaterThan(20 * frequency.probability(numItems - 1));
  });

  it('averages the gaps between occurrences, debiased, with the first gap counted from the stream start', () => {
    const frequency = new StreamingFrequency({ buckets: 1024, learningRate: 0.5 });
    frequency.observe(Int32Array.of(1, 3, 3, 3, 3), 0);
    expect(frequency.probability(3)).toBe(4); // four in its first step: a gap of 1/4 each
    frequency.observe(Int32Array.of(2), 9);
    expect(frequency.probability(2)).toBeCloseTo(1 / 10, 12); // not seen in the 9 steps before
    frequency.observe(Int32Array.of(2, 2), 13);
    // Gaps 10, then 2 and 2 (the 4 steps shared): B = 0.25 · 5 + 0.75 · 2, debiased by 1 − 0.5³.
    expect(frequency.probability(2)).toBeCloseTo((1 - 0.125) / 2.75, 12);
    expect(frequency.probability(5)).toBe(0);
  });

  it('adapts when the distribution shifts', () => {
    const frequency = new StreamingFrequency({ items: numItems }); // learning rate 0.01
    // With α = 0.01 one step's estimate wanders about ±7 % (some 200 occurrences in its
    // window): the checks average it over 100 steps.
    const before = stream(zipf, batch, new Random(22));
    let oldTop = 0;
    for (let step = 0; step < 1000; step++) {
      frequency.observe(before(), step);
      if (step >= 900) oldTop += frequency.probability(0) / 100;
    }
    expect(Math.abs(oldTop / truth(0) - 1)).toBeLessThan(0.15);

    const after = stream(zipf.slice().reverse(), batch, new Random(23));
    const mean = new Float64Array(numItems);
    for (let step = 1000; step < 2500; step++) {
      frequency.observe(after(), step);
      if (step >= 2400) for (let i = 0; i < numItems; i++) mean[i] += frequency.probability(i) / 100;
    }
    for (let i = numItems - 5; i < numItems; i++)
      expect(Math.abs(mean[i] / truth(i, true) - 1), `new top item ${i}`).toBeLessThan(0.15);
    // The old top item, now rare, has followed it down from ~43 a step to ~0.2.
    expect(frequency.probability(0)).toBeLessThan(oldTop / 50);
    expect(Math.abs(frequency.probability(0) / truth(0, true) - 1)).toBeLessThan(0.5);
  });

  it('gives log(expected occurrences in a batch), close to candidateLogQ for known counts', () => {
    const frequency = new StreamingFrequency({ items: numItems, learningRate: 0.002 });
    const next = stream(zipf, batch, new Random(24));
    for (let step = 0; step < 3000; step++) frequency.observe(next(), step);
    const top = Int32Array.from({ length: 10 }, (_, i) => i);
    const out = frequency.logQ(top, batch, new Float32Array(10));
    const half = frequency.logQ(top, batch / 2, new Float32Array(10));
    const known = candidateLogQ(zipf, { inBatch: batch });
    for (let i = 0; i < 10; i++) {
      expect(out[i]).toBeCloseTo(Math.log(frequency.probability(i)), 5);
      expect(half[i]).toBeCloseTo(out[i] - Math.log(2), 5);
      expect(Math.abs(out[i] - known[i])).toBeLessThan(Math.log(1.15));
    }
  });
});

describe('bad input', () => {
  const random = new Random(1);

  it('says which count is wrong and what counts must be', () => {
    for (const counts of [
      Float64Array.of(1, -2, 3),
      Float64Array.of(1, NaN),
      Float64Array.of(Infinity, 1),
    ] as ItemCounts[]) {
      expect(() => new NegativeSampler(counts, { strategy: 'uniform', random })).toThrow(
        /NegativeSampler: the count of item \d is (-2|NaN|Infinity); counts must be finite and ≥ 0/,
      );
      expect(() => candidateLogQ(counts, { inBatch: 4 })).toThrow(/candidateLogQ: the count of item \d/);
    }
    expect(() => new NegativeSampler(new Int32Array(0), { strategy: 'uniform', random })).toThrow(
      /counts is empty; pass one count per item/,
    );
  });

  it('refuses popularity sampling when every count is 0, and a bad alpha or strategy', () => {
    expect(() => new NegativeSampler(new Int32Array(5), { strategy: 'popularity', random })).toThrow(
      /every item's count is 0.*use strategy 'uniform'/,
    );
    expect(new NegativeSampler(new Int32Array(5), { strategy: 'uniform', random }).probability(2)).toBe(0.2);
    for (const alpha of [-0.5, NaN, Infinity]) {
      expect(
        () => new NegativeSampler(Float64Array.of(1, 2), { strategy: 'popularity', alpha, random }),
      ).toThrow(/alpha must be a finite number ≥ 0/);
    }
    const strategy = 'zipf' as unknown as 'uniform';
    expect(() => new NegativeSampler(Float64Array.of(1, 2), { strategy, random })).toThrow(
      /strategy must be "uniform" or "popularity", got zipf/,
    );
  });

  it('refuses a draw range or item outside the catalogue', () => {
    const sampler = new NegativeSampler(Float64Array.of(1, 2), { strategy: 'popularity', random });
    expect(() => sampler.draw(new Int32Array(4), 2, 5)).toThrow(
      /0 ≤ from ≤ to ≤ out.length \(4\), got 2 and 5/,
    );
    expect(() => sampler.probability(2)).toThrow(/item must be a whole number in \[0, 2\), got 2/);
  });

  it('says what candidateLogQ is missing', () => {
    const counts = Float64Array.of(3, 1);
    const sampler = new NegativeSampler(Float64Array.of(1, 1, 1), { strategy: 'uniform', random });
    expect(() => candidateLogQ(counts, { inBatch: 0 })).toThrow(/no candidates/);
    expect(() => candidateLogQ(counts, { inBatch: 2, sampled: 4 })).toThrow(
      /sampled is 4 but no sampler was given/,
    );
    expect(() => candidateLogQ(counts, { inBatch: 2, sampled: 4, sampler })).toThrow(
      /sampler draws from 3 items but counts has 2/,
    );
    expect(() => candidateLogQ(counts, { inBatch: -1 })).toThrow(/inBatch must be a whole number ≥ 0/);
    expect(() => candidateLogQ(new Int32Array(2), { inBatch: 8 })).toThrow(/every item count is 0/);
  });

  it('says what is wrong with StreamingFrequency settings and steps', () => {
    for (const buckets of [0, -4, 2.5, NaN])
      expect(() => new StreamingFrequency({ buckets })).toThrow(
        /buckets must be a whole number ≥ 1 \(a power of two/,
      );
    expect(() => new StreamingFrequency({})).toThrow(/give items .* or buckets/);
    for (const learningRate of [0, 1.5, NaN])
      expect(() => new StreamingFrequency({ items: 10, learningRate })).toThrow(
        /learningRate must be in \(0, 1\]/,
      );
    const frequency = new StreamingFrequency({ buckets: 64 });
    const out = new Float32Array(1);
    expect(() => frequency.logQ(Int32Array.of(1), 8, out)).toThrow(/nothing observed yet/);
    frequency.observe(Int32Array.of(1, 2), 5);
    expect(() => frequency.observe(Int32Array.of(1), 4)).toThrow(
      /step 4 comes after step 5; steps must not decrease/,
    );
    expect(() => frequency.observe(Int32Array.of(1), 5.5)).toThrow(/step must be a whole number ≥ 0/);
    expect(() => frequency.logQ(Int32Array.of(3), 8, out)).toThrow(/item 3 has never been observed/);
    expect(() => frequency.logQ(Int32Array.of(1, 2), 8, out)).toThrow(/out has 1 places for 2 items/);
  });
});
