/**
 * Negative sampling in one place, for every model trained with a sampled softmax (TwoTower,
 * SASRec, GRU4Rec, BST): drawing a batch's shared negatives, uniformly or by popularity^α,
 * and the log-Q correction that goes with them. A softmax over sampled candidates is biased
 * towards pushing down the items that are sampled most (in-batch negatives are the batch's
 * positives, so popular items are drawn as negatives in proportion to their popularity);
 * subtracting log(expected times an item is a candidate) from its logit removes that bias
 * (Bengio & Senécal 2008; Yi et al., RecSys 2019). The sampler and the correction must agree
 * on the distribution, which is why they live together.
 *
 * When the counts are not known upfront (data arriving as a stream), `StreamingFrequency`
 * estimates each item's frequency from the gaps between its occurrences (Yi et al. 2019,
 * Algorithm 2).
 */
import type { Random } from '../random';

/** One count per item (index = item): its interactions in the training data. */
export type ItemCounts = Float64Array | Int32Array;

export type NegativeStrategy = 'uniform' | 'popularity';

export interface NegativeSamplerOptions {
  /** 'uniform': every item equally; 'popularity': in proportion to count^alpha. */
  strategy: NegativeStrategy;
  /**
   * Exponent on the counts for popularity draws, default 0.75 (word2vec's): 0 draws the
   * items with interactions uniformly, 1 in proportion to their counts.
   */
  alpha?: number;
  random: Random;
}

const STRATEGIES: readonly NegativeStrategy[] = ['uniform', 'popularity'];

/**
 * Draws negatives with replacement. Popularity draws take O(1) each through Walker's alias
 * table: one uniform column, then that column's item or its alias.
 */
export class NegativeSampler {
  readonly strategy: NegativeStrategy;
  readonly alpha: number;
  readonly numItems: number;
  private readonly random: Random;
  /** Popularity: each item's probability of one draw (empty for uniform). */
  private readonly q: Float64Array;
  /** Popularity: per column, the chance of keeping the column's own item rather than its alias. */
  private readonly keep: Float64Array;
  private readonly alias: Int32Array;

  constructor(counts: ItemCounts, options: NegativeSamplerOptions) {
    const { strategy, alpha = 0.75, random } = options;
    if (!STRATEGIES.includes(strategy))
      throw new Error(
        `NegativeSampler: strategy must be ${STRATEGIES.map((s) => `"${s}"`).join(' or ')}, got ${String(strategy)}.`,
      );
    if (!(alpha >= 0) || !Number.isFinite(alpha)) {
      throw new Error(
        'NegativeSampler: alpha must be a finite number ≥ 0 (0 draws the items with interactions uniformly, ' +
          `1 in proportion to their counts, 0.75 is usual), got ${alpha}.`,
      );
    }
    checkCounts(counts, 'NegativeSampler');
    this.strategy = strategy;
    this.alpha = alpha;
    this.numItems = counts.length;
    this.random = random;
    if (strategy === 'uniform') {
      this.q = new Float64Array(0);
      this.keep = new Float64Array(0);
      this.alias = new Int32Array(0);
    } else {
      this.q = popularityWeights(counts, alpha);
      ({ keep: this.keep, alias: this.alias } = aliasTable(this.q));
    }
  }

  /** Fills out[from..to) with items drawn independently, with replacement. */
  draw(out: Int32Array, from = 0, to = out.length): void {
    if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to && to <= out.length)) {
      throw new RangeError(
        'NegativeSampler.draw: from and to must be whole numbers with 0 ≤ from ≤ to ≤ out.length ' +
          `(${out.length}), got ${from} and ${to}.`,
      );
    }
    const { random, numItems } = this;
    if (this.strategy === 'uniform') {
      for (let k = from; k < to; k++) out[k] = random.int(numItems);
      return;
    }
    const { keep, alias } = this;
    // Two random numbers, not the two parts of one: one 32-bit draw split over a large
    // catalogue would leave too few bits to decide between column and alias.
    for (let k = from; k < to; k++) {
      const column = random.int(numItems);
      out[k] = random.next() < keep[column] ? column : alias[column];
    }
  }

  /** The probability that one draw is item i. */
  probability(i: number): number {
    this.checkItem(i);
    return this.strategy === 'uniform' ? 1 / this.numItems : this.q[i];
  }

  /** log probability(i); −Infinity for an item popularity never draws. */
  logProbability(i: number): number {
    return Math.log(this.probability(i));
  }

  /** The expected number of times item i is among `draws` draws. */
  expectedDraws(i: number, draws: number): number {
    this.checkItem(i);
    // draws / n rather than draws · (1/n): what TwoTower computed before this module, to the bit.
    return this.strategy === 'uniform' ? draws / this.numItems : draws * this.q[i];
  }

  private checkItem(i: number): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.numItems))
      throw new RangeError(
        `NegativeSampler: item must be a whole number in [0, ${this.numItems}), got ${i}.`,
      );
  }
}

export interface CandidateLogQOptions {
  /**
   * Positives per batch that are also every row's candidates (in-batch negatives): an item
   * is among them batch × n_i / N times on average. 0: no in-batch negatives.
   */
  inBatch: number;
  /** Negatives drawn from `sampler` per batch and shared by its rows (default 0). */
  sampled?: number;
  sampler?: NegativeSampler;
}

/**
 * Per item, log of the expected number of times it is among one batch's candidates:
 * log(inBatch · n_i / N + sampled · q(i)), in-batch and sampled negatives alike (mixed
 * negatives: both). Subtract it from the item's logit. −Infinity for an item that is never
 * a candidate. Computed once per fit.
 */
export function candidateLogQ(counts: ItemCounts, options: CandidateLogQOptions): Float32Array {
  const { inBatch, sampled = 0, sampler } = options;
  const total = checkCounts(counts, 'candidateLogQ');
  if (!(Number.isInteger(inBatch) && inBatch >= 0))
    throw new Error(
      'candidateLogQ: inBatch must be a whole number ≥ 0 (the positives per batch that serve as negatives), ' +
        `got ${inBatch}.`,
    );
  if (!(Number.isInteger(sampled) && sampled >= 0))
    throw new Error(
      `candidateLogQ: sampled must be a whole number ≥ 0 (the negatives drawn per batch), got ${sampled}.`,
    );
  if (inBatch === 0 && sampled === 0)
    throw new Error(
      'candidateLogQ: a batch has no candidates: give inBatch (in-batch negatives), sampled with a sampler, or both.',
    );
  if (inBatch > 0 && total === 0)
    throw new Error(
      'candidateLogQ: every item count is 0, so there are no in-batch candidates; ' +
        'pass the training interactions per item.',
    );
  if (sampled > 0 && !sampler)
    throw new Error(
      `candidateLogQ: sampled is ${sampled} but no sampler was given; pass the NegativeSampler that draws them.`,
    );
  if (sampler && sampler.numItems !== counts.length)
    throw new Error(
      `candidateLogQ: the sampler draws from ${sampler.numItems} items but counts has ${counts.length}; ` +
        'build both from the same catalogue.',
    );
  const out = new Float32Array(counts.length);
  for (let i = 0; i < counts.length; i++) {
    const fromBatch = inBatch > 0 ? (inBatch * counts[i]) / total : 0;
    out[i] = Math.log(fromBatch + (sampled > 0 ? sampler!.expectedDraws(i, sampled) : 0));
  }
  return out;
}

export interface StreamingFrequencyOptions {
  /** How many distinct items to expect; sets the default number of buckets. */
  items?: number;
  /** Hash buckets; default the next power of two ≥ 4 × items. */
  buckets?: number;
  /** Weight of the newest gap in each bucket's running average (α of the paper), default 0.01. */
  learningRate?: number;
}

/**
 * Each item's frequency in a stream of batches, without knowing the items upfront (Yi et al.
 * 2019, Algorithm 2): per hash bucket, A holds the last step it was seen and B a running
 * average of the steps between its occurrences; 1/B is its expected occurrences per step.
 *
 * Two departures from the paper, both to make early estimates usable:
 * - B starts at 0 and is divided by 1 − (1 − α)^k after k occurrences, as Adam debiases its
 *   moments; otherwise the zero start overstates a bucket's frequency until it has been seen
 *   some 1/α times.
 * - Several occurrences in one step share that step's gap evenly instead of the first taking
 *   it all and the others a gap of 0: the same mean gap, so the same estimate on average.
 * A bucket's first occurrence counts the gap from the stream's first step, as if last seen
 * just before it.
 */
export class StreamingFrequency {
  readonly buckets: number;
  readonly learningRate: number;
  /** Per bucket, the last step it was seen (NaN: never). */
  private readonly A: Float64Array;
  /** Per bucket, the running average of the steps between its occurrences, not yet debiased. */
  private readonly B: Float64Array;
  /** Per bucket, (1 − α)^(occurrences averaged into B): what B's zero start still weighs. */
  private readonly startWeight: Float64Array;
  /** Per bucket, its occurrences in the batch being observed; all 0 between calls. */
  private readonly pending: Int32Array;
  private firstStep = NaN;
  private lastStep = NaN;
  private observed = 0;

  constructor(options: StreamingFrequencyOptions) {
    const { items, buckets, learningRate = 0.01 } = options;
    if (buckets === undefined && items === undefined)
      throw new Error(
        'StreamingFrequency: give items (how many distinct items to expect) or buckets (how many hash buckets).',
      );
    if (items !== undefined && !(Number.isInteger(items) && items >= 1))
      throw new Error(
        `StreamingFrequency: items must be a whole number ≥ 1 (how many distinct items to expect), got ${items}.`,
      );
    if (buckets !== undefined && !(Number.isInteger(buckets) && buckets >= 1)) {
      throw new Error(
        'StreamingFrequency: buckets must be a whole number ≥ 1 ' +
          `(a power of two such as ${nextPowerOfTwo(4 * (items ?? 1000))} is usual), got ${buckets}.`,
      );
    }
    if (!(learningRate > 0 && learningRate <= 1))
      throw new Error(
        'StreamingFrequency: learningRate must be in (0, 1] ' +
          `(0.01 is usual; larger follows a changing stream faster but is noisier), got ${learningRate}.`,
      );
    this.buckets = buckets ?? nextPowerOfTwo(4 * items!);
    this.learningRate = learningRate;
    this.A = new Float64Array(this.buckets).fill(NaN);
    this.B = new Float64Array(this.buckets);
    this.startWeight = new Float64Array(this.buckets).fill(1);
    this.pending = new Int32Array(this.buckets);
  }

  /** Updates the estimates with one batch's items, seen at training step `step`. */
  observe(items: Int32Array, step: number): void {
    if (!(Number.isInteger(step) && step >= 0))
      throw new Error(
        `StreamingFrequency.observe: step must be a whole number ≥ 0 (the training step), got ${step}.`,
      );
    if (step < this.lastStep)
      throw new Error(
        `StreamingFrequency.observe: step ${step} comes after step ${this.lastStep}; ` +
          'steps must not decrease (pass the training step, counting up).',
      );
    if (Number.isNaN(this.firstStep)) this.firstStep = step;
    this.lastStep = step;
    this.observed += items.length;
    const { A, B, startWeight, pending } = this;
    const decay = 1 - this.learningRate;
    for (let k = 0; k < items.length; k++) pending[this.bucket(items[k])]++;
    for (let k = 0; k < items.length; k++) {
      const h = this.bucket(items[k]);
      const c = pending[h];
      if (c === 0) continue; // this bucket's occurrences are already taken in
      pending[h] = 0;
      const since = Number.isNaN(A[h]) ? step - this.firstStep + 1 : step - A[h];
      const keep = c === 1 ? decay : decay ** c;
      B[h] = keep * B[h] + (1 - keep) * (since / c);
      startWeight[h] *= keep;
      A[h] = step;
    }
  }

  /** Item i's expected occurrences per step (0 if never seen). Items sharing its bucket add theirs. */
  probability(i: number): number {
    const h = this.bucket(i);
    return Number.isNaN(this.A[h]) ? 0 : (1 - this.startWeight[h]) / this.B[h];
  }

  /**
   * Fills out[k] with log(expected occurrences of items[k] among `batch` items of the
   * stream): log probability when `batch` is the size of the observed steps, scaled by
   * batch / (items per step) otherwise. Observe a batch before asking for its items. Returns `out`.
   */
  logQ(items: Int32Array, batch: number, out: Float32Array): Float32Array {
    if (!(batch > 0 && Number.isFinite(batch)))
      throw new Error(
        'StreamingFrequency.logQ: batch must be a number > 0 ' +
          `(the items per batch whose candidates these are), got ${batch}.`,
      );
    if (out.length < items.length)
      throw new Error(`StreamingFrequency.logQ: out has ${out.length} places for ${items.length} items.`);
    if (this.observed === 0)
      throw new Error('StreamingFrequency.logQ: nothing observed yet; call observe(batchItems, step) first.');
    const perStep = this.observed / (this.lastStep - this.firstStep + 1);
    const scale = Math.log(batch / perStep);
    for (let k = 0; k < items.length; k++) {
      const p = this.probability(items[k]);
      if (p === 0)
        throw new Error(
          `StreamingFrequency.logQ: item ${items[k]} has never been observed; ` +
            'call observe with each batch before logQ for its candidates.',
        );
      out[k] = Math.log(p) + scale;
    }
    return out;
  }

  /** Fibonacci (multiplicative) hashing: spreads consecutive ids evenly over the buckets. */
  private bucket(item: number): number {
    return Math.floor(((Math.imul(item, 0x9e3779b1) >>> 0) / 4294967296) * this.buckets);
  }
}

/** Checks that every count is finite and ≥ 0; returns their sum. */
function checkCounts(counts: ItemCounts, where: string): number {
  if (counts.length === 0)
    throw new Error(
      `${where}: counts is empty; pass one count per item (its interactions in the training data).`,
    );
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i];
    if (!(n >= 0) || n === Infinity)
      throw new Error(
        `${where}: the count of item ${i} is ${n}; counts must be finite and ≥ 0 (the interactions of each item).`,
      );
    total += n;
  }
  return total;
}

/** count^alpha, normalised to sum 1; items of count 0 get 0 whatever alpha. */
function popularityWeights(counts: ItemCounts, alpha: number): Float64Array {
  let max = 0;
  for (let i = 0; i < counts.length; i++) max = Math.max(max, counts[i]);
  if (max === 0)
    throw new Error(
      "NegativeSampler: every item's count is 0, so popularity sampling has nothing to draw; " +
        "pass the items' interaction counts or use strategy 'uniform'.",
    );
  const q = new Float64Array(counts.length);
  let sum = 0;
  // (n / max)^alpha rather than n^alpha: the same proportions without overflow for large alpha.
  for (let i = 0; i < counts.length; i++) sum += q[i] = counts[i] > 0 ? (counts[i] / max) ** alpha : 0;
  for (let i = 0; i < q.length; i++) q[i] /= sum;
  return q;
}

/**
 * Walker's alias table (Vose's construction): column j keeps item j with probability
 * keep[j] and gives alias[j] otherwise, so that a uniform column draws item i with q[i].
 */
function aliasTable(q: Float64Array): { keep: Float64Array; alias: Int32Array } {
  const n = q.length;
  const keep = new Float64Array(n);
  const alias = new Int32Array(n);
  const scaled = Float64Array.from(q, (p) => p * n);
  const small = new Int32Array(n);
  const large = new Int32Array(n);
  let ns = 0;
  let nl = 0;
  for (let i = 0; i < n; i++) {
    if (scaled[i] < 1) small[ns++] = i;
    else large[nl++] = i;
  }
  while (ns > 0 && nl > 0) {
    const s = small[--ns];
    const l = large[--nl];
    keep[s] = scaled[s];
    alias[s] = l;
    // (l + s) − 1 rather than l − (1 − s): loses less to rounding.
    scaled[l] = scaled[l] + scaled[s] - 1;
    if (scaled[l] < 1) small[ns++] = l;
    else large[nl++] = l;
  }
  // What is left is 1 up to rounding. An item of probability 0 cannot be left: the others
  // would then hold a whole column more than their total.
  while (nl > 0) keep[large[--nl]] = 1;
  while (ns > 0) keep[small[--ns]] = 1;
  return { keep, alias };
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
