import { Dataset, FeatureSet } from '../../src/recsys';
import {
  RankingSamples,
  type BehaviourLog,
  type RankingVocabulary,
  type Task,
} from '../../src/recsys/data/ranking-samples';
import { Random } from '../../src/recsys/random';

/**
 * A seeded behaviour log and its ranking samples, made by hand (no data builder): each user
 * has two interest categories and starts with a few views in them; then, step by step, an
 * item is shown (half the time from the user's interests, else from anywhere) and clicked
 * far more often when one of the user's last `recent` behaviours is in the item's category;
 * a click becomes a buy with a probability set by the item's propensity. Clicks and buys go
 * into the log, so later samples read them as history. Samples are split by time.
 */
export interface RankingFixture {
  train: RankingSamples;
  test: RankingSamples;
  all: RankingSamples;
  /** Each item's propensity to be bought once clicked (standard normal). */
  propensity: Float64Array;
}

export function rankingFixture({
  users = 100,
  items = 60,
  categories = 6,
  steps = 20,
  recent = 4,
  seed = 7,
  testShare = 0.25,
} = {}): RankingFixture {
  const random = new Random(seed);
  const itemCategory = Int32Array.from({ length: items }, (_, i) => i % categories);
  const propensity = Float64Array.from({ length: items }, () => random.normal());
  const byCategory = Array.from({ length: categories }, (_, c) =>
    Array.from({ length: items }, (_, i) => i).filter((i) => itemCategory[i] === c),
  );
  const pick = (c: number) => byCategory[c][random.int(byCategory[c].length)];

  const indptr = new Int32Array(users + 1);
  const log = {
    items: [] as number[],
    categories: [] as number[],
    behaviours: [] as number[],
    times: [] as number[],
  };
  const samples = {
    users: [] as number[],
    items: [] as number[],
    times: [] as number[],
    historyEnds: [] as number[],
    click: [] as number[],
    cart: [] as number[],
    buy: [] as number[],
  };
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

  for (let u = 0; u < users; u++) {
    const first = random.int(categories);
    const interests = [first, (first + 1 + random.int(categories - 1)) % categories];
    const own: { item: number; behaviour: number; time: number }[] = [];
    const push = (item: number, behaviour: number, time: number) => own.push({ item, behaviour, time });
    // A few views in the interests before the first sample.
    for (let k = 0; k < 3; k++) push(pick(interests[random.int(2)]), 0, k / 1000);
    for (let s = 0; s < steps; s++) {
      const time = (s + 1 + random.next() * 0.5) / (steps + 1);
      const item = random.next() < 0.5 ? pick(interests[random.int(2)]) : random.int(items);
      const c = itemCategory[item];
      const inRecent = own.slice(-recent).some((b) => itemCategory[b.item] === c);
      const click = random.next() < (inRecent ? 0.75 : 0.08) ? 1 : 0;
      const buy = click && random.next() < sigmoid(3 * propensity[item] - 1) ? 1 : 0;
      const cart = buy || (click && random.next() < 0.2) ? 1 : 0;
      samples.users.push(u);
      samples.items.push(item);
      samples.times.push(time);
      samples.historyEnds.push(own.length);
      samples.click.push(click);
      samples.cart.push(cart);
      samples.buy.push(buy);
      if (click) push(item, 0, time);
      if (cart) push(item, 1, time + 1e-4);
      if (buy) push(item, 3, time + 2e-4);
    }
    for (const b of own) {
      log.items.push(b.item);
      log.categories.push(itemCategory[b.item]);
      log.behaviours.push(b.behaviour);
      log.times.push(b.time);
    }
    indptr[u + 1] = log.items.length;
  }

  const vocabulary: RankingVocabulary = {
    users: Array.from({ length: users }, (_, u) => `user${u}`),
    items: Array.from({ length: items }, (_, i) => `item${i}`),
    categories: Array.from({ length: categories }, (_, c) => `cat${c}`),
    itemCategory,
    userFeatures: FeatureSet.empty(users),
    itemFeatures: FeatureSet.empty(items),
  };
  const behaviourLog: BehaviourLog = {
    indptr,
    items: Int32Array.from(log.items),
    categories: Int32Array.from(log.categories),
    behaviours: Int32Array.from(log.behaviours),
    times: Float64Array.from(log.times),
  };
  const sampleItems = Int32Array.from(samples.items);
  const labels = {} as Record<Task, Uint8Array>;
  for (const t of ['click', 'cart', 'buy'] as const) labels[t] = Uint8Array.from(samples[t]);
  const all = new RankingSamples({
    name: 'fixture',
    vocabulary,
    log: behaviourLog,
    users: Int32Array.from(samples.users),
    items: sampleItems,
    categories: Int32Array.from(sampleItems, (i) => itemCategory[i]),
    times: Float64Array.from(samples.times),
    historyEnds: Int32Array.from(samples.historyEnds),
    labels,
  });
  const cut = 1 - testShare;
  const rows = (keep: (t: number) => boolean) =>
    Int32Array.from(all.times.keys()).filter((s) => keep(all.times[s]));
  return {
    train: all.subset(
      rows((t) => t < cut),
      'fixture train',
    ),
    test: all.subset(
      rows((t) => t >= cut),
      'fixture test',
    ),
    all,
    propensity,
  };
}

/** The user of each row of a behaviour log (rows are grouped by user, `indptr` marks the groups). */
export function logUsers(log: BehaviourLog): Int32Array {
  const users = new Int32Array(log.items.length);
  for (let u = 0; u + 1 < log.indptr.length; u++) users.fill(u, log.indptr[u], log.indptr[u + 1]);
  return users;
}

/**
 * The log the samples were read from as a retrieval Dataset, as a notebook makes both from one
 * behaviour log: item names are the bridge between retrieval models and rankers.
 */
export function logDataset(samples: RankingSamples): Dataset {
  const { vocabulary, log } = samples;
  const users = logUsers(log);
  return Dataset.fromInteractions({
    user: Array.from(users, (u) => vocabulary.users[u]),
    item: Array.from(log.items, (i) => vocabulary.items[i]),
    timestamp: log.times,
  });
}
