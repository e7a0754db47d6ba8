/**
 * A seeded random stream (mulberry32): the same seed gives the same splits, samples and
 * initial weights on every machine, which `Math.random` cannot promise.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Shuffles `values` in place (Fisher–Yates). */
  shuffle<T extends { length: number; [i: number]: number }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const v = values[i];
      values[i] = values[j];
      values[j] = v;
    }
    return values;
  }

  /** `take` of the indices 0 … n-1 without repeats (all of them when n ≤ take), in ascending order. */
  sample(n: number, take: number): Int32Array {
    const all = Int32Array.from({ length: n }, (_, i) => i);
    if (n <= take) return all;
    // A partial Fisher–Yates shuffle: the first `take` places end up a uniform sample.
    for (let i = 0; i < take; i++) {
      const j = i + this.int(n - i);
      const v = all[i];
      all[i] = all[j];
      all[j] = v;
    }
    return all.slice(0, take).sort();
  }
}
