/**
 * A seeded behaviour log shaped like Taobao UserBehavior (user, item, category, behaviour ∈
 * pv | cart | fav | buy, timestamp in seconds from 2017-11-25), made by a known process, so
 * that rankers (DeepFM, DIN, DIEN, MMoE, ESMM) have something to learn and a truth to be
 * checked against.
 *
 * - Items belong to one category each and have a latent quality (how often they are shown and
 *   clicked), a price-like propensity to be bought once clicked, and a bundle: 2–4 items of the
 *   same category that go together (a phone, its case, its charger). An item in a bundle with one
 *   the user just saw is far more likely to be clicked: item-item affinity within a category.
 * - Users have 2–4 interest categories with weights, and those drift: one interest fades while
 *   its category's successor (a fixed cycle over categories: maternity → baby, …) grows, the
 *   shift centred at a time of the user's own. So the latest behaviours weigh more than the old
 *   ones, and the order in which interests shift says what comes next.
 * - Visits are sessions of pages. A page's category is drawn from the current interests, more
 *   likely the more of the user's last 10 behaviours are in it; a page shows items (mostly of its
 *   category by popularity, some bundle partners of recent items, one from anywhere) and each is
 *   clicked with a probability that grows with the user's current interest in the item's
 *   category, the number of the user's last 10 behaviours in that category, a bundle partner
 *   among them, and the item's quality. Whether an item is clicked thus depends on the
 *   behaviours in the target's category, not on the whole history's mean.
 * - A click (pv) may lead to a cart and a fav, a cart (rarely a pv alone) to a buy; carting and
 *   buying grow with the item's propensity and the user's current interest in its category.
 *   With the defaults some 0.8 % of pvs are followed by a buy and 1.4 % of pv samples have a
 *   later buy of their item (a user views an item several times before buying it), 5 % a cart,
 *   3 % a fav: buys ≪ carts ≪ pvs, as in ESMM's data.
 * - Only pv, cart, fav and buy are logged: exposures that were not clicked are not.
 */
import {
  Table,
  readInteractionData,
  quoteIdentifier,
  type Database,
  type InteractionData,
  type TaobaoOptions,
} from '../../data';
import { Random } from '../random';

export interface SyntheticBehaviourOptions {
  users?: number;
  items?: number;
  categories?: number;
  /** Length of the log in days, from 2017-11-25 00:00 (Beijing time, as UserBehavior). */
  days?: number;
  /** Mean behaviours per user (each user's count varies around it). */
  eventsPerUser?: number;
  seed?: number;
}

/** The process behind a synthetic log. Users, items and categories are indexed from 0: index = id − 1. */
export interface BehaviourTruth {
  /** The log's first second (Unix time) and its length in seconds: every timestamp t has start ≤ t < start + span. */
  start: number;
  span: number;
  /**
   * Each item's category, quality (standard normal) and propensity to be bought once clicked (standard
   * normal; think: cheap).
   */
  itemCategory: Int32Array;
  itemQuality: Float64Array;
  itemPropensity: Float64Array;
  /** Each item's bundle: items of one bundle share a category and are clicked after one another. */
  itemBundle: Int32Array;
  /** When a user's interest in category c fades, category categorySuccessor[c] is the one that grows. */
  categorySuccessor: Int32Array;
  /** User u's interests are positions interestIndptr[u] … interestIndptr[u + 1]: category and base weight. */
  interestIndptr: Int32Array;
  interestCategories: Int32Array;
  interestWeights: Float64Array;
  /**
   * Per user: the interest that fades, the one that grows (its successor), and the time (Unix seconds) when
   * they weigh the same.
   */
  fading: Int32Array;
  growing: Int32Array;
  shiftTime: Float64Array;
  /** Exposures the process drew, clicked or not (only the clicks are in the log). */
  exposures: number;
  /** User u's interest over categories at Unix time t (shares summing to 1). */
  interest(user: number, time: number): Float64Array;
  /** The process in words, with its coefficients. */
  description: string;
}

/** The log as UserBehavior.csv's columns (ids from 1), sorted by user then time, with the item table and the truth. */
export interface SyntheticBehaviour {
  user: Int32Array;
  item: Int32Array;
  category: Int32Array;
  behaviour: string[];
  timestamp: Float64Array;
  /** Every item of the catalogue (logged or not) and its category id. */
  items: { item: Int32Array; category: Int32Array };
  truth: BehaviourTruth;
}

/** 2017-11-25 00:00 in Beijing (UTC+8): UserBehavior's first day. */
const START = Date.UTC(2017, 10, 25) / 1000 - 8 * 3600;
/** How many of the latest behaviours count as "recent". */
const RECENT = 10;
/** Items a page shows: from its category, bundle partners of recent items, from anywhere. */
const PAGE_CATEGORY = 5;
const PAGE_PARTNERS = 2;
const PAGE_ANY = 1;
/**
 * Chance that the next page of a session is of a newly drawn category; that a category is drawn at random,
 * not by interest.
 */
const SWITCH = 0.2;
const EXPLORE = 0.07;
/** Sharpness of the interest shift (in shares of the log's span). */
const SHIFT_WIDTH = 0.06;

/** The coefficients of the process's logits (sigmoid of the sum). */
const CLICK = { bias: -3.1, interest: 2.0, recent: 0.35, recentCap: 6, partner: 1.6, quality: 0.5 };
const CART = { bias: -4.0, propensity: 0.5, interest: 1.5 };
const FAV = { bias: -4.6, quality: 0.6, interest: 1.0 };
const BUY_AFTER_CART = { bias: -4.1, propensity: 1.0, interest: 2.0 };
const BUY_WITHOUT_CART = { bias: -8.3, propensity: 1.0, interest: 2.0 };
/** How a user's category is chosen: ∝ interest × (1 + REINFORCE × recent behaviours in it). */
const REINFORCE = 0.3;

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** A seeded Taobao-like behaviour log with its truth. */
export function syntheticBehaviour(options: SyntheticBehaviourOptions = {}): SyntheticBehaviour {
  const numUsers = options.users ?? 2000;
  const numItems = options.items ?? 3000;
  const numCategories = options.categories ?? 40;
  const days = options.days ?? 8;
  const perUser = options.eventsPerUser ?? 60;
  const seed = options.seed ?? 42;
  const check = (name: string, value: number, ok: boolean, what: string) => {
    if (!ok) throw new Error(`syntheticBehaviour: ${name} must be ${what}, got ${value}.`);
  };
  check('users', numUsers, Number.isInteger(numUsers) && numUsers >= 1, 'a whole number ≥ 1');
  check(
    'categories',
    numCategories,
    Number.isInteger(numCategories) && numCategories >= 2,
    'a whole number ≥ 2',
  );
  check(
    'items',
    numItems,
    Number.isInteger(numItems) && numItems >= numCategories,
    `a whole number ≥ categories (${numCategories})`,
  );
  check('days', days, days > 0 && days <= 3650, 'more than 0 (and at most 3650)');
  check(
    'eventsPerUser',
    perUser,
    perUser >= 1 && perUser * 10 < days * 86400,
    'at least 1 (and fewer than one a second)',
  );
  const span = Math.round(days * 86400);
  const random = new Random(seed);

  // Items: a category each (every category gets one, then by size), quality, propensity, bundles.
  const categorySize = Float64Array.from({ length: numCategories }, () => Math.exp(0.6 * random.normal()));
  const itemCategory = new Int32Array(numItems);
  for (let i = 0; i < numItems; i++) itemCategory[i] = i < numCategories ? i : pick(categorySize, random);
  random.shuffle(itemCategory);
  const itemQuality = Float64Array.from({ length: numItems }, () => random.normal());
  const itemPropensity = Float64Array.from({ length: numItems }, () => random.normal());
  const popularity = Float64Array.from(itemQuality, (q) => Math.exp(0.8 * q + 0.8 * random.normal()));
  // The items of each category, with cumulative popularity, to draw a page's items.
  const categoryIndptr = new Int32Array(numCategories + 1);
  for (let i = 0; i < numItems; i++) categoryIndptr[itemCategory[i] + 1]++;
  for (let c = 0; c < numCategories; c++) categoryIndptr[c + 1] += categoryIndptr[c];
  const categoryItems = new Int32Array(numItems);
  const fill = categoryIndptr.slice(0, numCategories);
  for (let i = 0; i < numItems; i++) categoryItems[fill[itemCategory[i]]++] = i;
  const categoryCumulative = new Float64Array(numItems);
  for (let c = 0; c < numCategories; c++) {
    let total = 0;
    for (let p = categoryIndptr[c]; p < categoryIndptr[c + 1]; p++)
      categoryCumulative[p] = total += popularity[categoryItems[p]];
  }
  const allCumulative = new Float64Array(numItems);
  for (let i = 0, total = 0; i < numItems; i++) allCumulative[i] = total += popularity[i];
  // Bundles: each category's items shuffled and cut into runs of 2–4 (a last single joins the run before).
  const itemBundle = new Int32Array(numItems);
  const bundleIndptr: number[] = [0];
  const bundleItems = new Int32Array(numItems);
  let placed = 0;
  for (let c = 0; c < numCategories; c++) {
    const members = random.shuffle(categoryItems.slice(categoryIndptr[c], categoryIndptr[c + 1]));
    for (let s = 0; s < members.length;) {
      let end = Math.min(members.length, s + 2 + random.int(3));
      if (members.length - end === 1) end++;
      for (let p = s; p < end; p++) {
        itemBundle[members[p]] = bundleIndptr.length - 1;
        bundleItems[placed++] = members[p];
      }
      bundleIndptr.push(placed);
      s = end;
    }
  }

  // Categories follow one another in a cycle: when an interest fades, its successor grows.
  const order = random.shuffle(Int32Array.from({ length: numCategories }, (_, c) => c));
  const categorySuccessor = new Int32Array(numCategories);
  for (let p = 0; p < numCategories; p++) categorySuccessor[order[p]] = order[(p + 1) % numCategories];

  // Users: 2–4 interests, the first fading into the second (its successor), the rest stable.
  const interestIndptr = new Int32Array(numUsers + 1);
  const interestCategories: number[] = [];
  const interestWeights: number[] = [];
  const fading = new Int32Array(numUsers);
  const growing = new Int32Array(numUsers);
  const shiftAt = new Float64Array(numUsers);
  for (let u = 0; u < numUsers; u++) {
    const count = Math.min(numCategories, 2 + random.int(3));
    fading[u] = random.int(numCategories);
    growing[u] = categorySuccessor[fading[u]];
    const chosen = [fading[u], growing[u]];
    while (chosen.length < count) {
      const c = random.int(numCategories);
      if (!chosen.includes(c)) chosen.push(c);
    }
    chosen.forEach((c, k) => {
      interestCategories.push(c);
      interestWeights.push(k < 2 ? 1.5 * Math.exp(0.3 * random.normal()) : Math.exp(0.4 * random.normal()));
    });
    interestIndptr[u + 1] = interestCategories.length;
    shiftAt[u] = 0.3 + 0.4 * random.next();
  }
  /** User u's interest shares at a fraction `tau` of the span, into `out` (length = categories). */
  const interestAt = (u: number, tau: number, out: Float64Array): Float64Array => {
    out.fill(0);
    const shift = sigmoid((tau - shiftAt[u]) / SHIFT_WIDTH);
    let total = 0;
    for (let p = interestIndptr[u]; p < interestIndptr[u + 1]; p++) {
      const k = p - interestIndptr[u];
      const w = interestWeights[p] * (k === 0 ? 1 - shift : k === 1 ? shift : 1);
      out[interestCategories[p]] += w;
      total += w;
    }
    for (let c = 0; c < numCategories; c++) out[c] /= total;
    return out;
  };

  // The log.
  const users: number[] = [];
  const items: number[] = [];
  const codes: number[] = [];
  const times: number[] = [];
  const share = new Float64Array(numCategories);
  const recentCount = new Int32Array(numCategories);
  const recentItems = new Int32Array(RECENT);
  const recentCategories = new Int32Array(RECENT);
  const choice = new Float64Array(numCategories);
  const page = new Int32Array(PAGE_CATEGORY + PAGE_PARTNERS + PAGE_ANY);
  const bought = new Set<number>();
  let exposures = 0;
  for (let u = 0; u < numUsers; u++) {
    const n = Math.min(
      20 * perUser,
      Math.max(5, Math.round(perUser * Math.exp(0.6 * random.normal() - 0.18))),
    );
    const sessions = Math.max(1, Math.round(n / 6));
    const quota = new Int32Array(sessions);
    for (let e = 0; e < n; e++) quota[random.int(sessions)]++;
    const starts = Float64Array.from({ length: sessions }, () => random.next() * span).sort();
    recentCount.fill(0);
    let recentSize = 0;
    bought.clear();
    const first = times.length;
    let t = 0;
    const emit = (item: number, code: number, gap: number) => {
      t += gap;
      users.push(u);
      items.push(item);
      codes.push(code);
      times.push(t);
      const c = itemCategory[item];
      const slot = recentSize % RECENT;
      if (recentSize >= RECENT) recentCount[recentCategories[slot]]--;
      recentItems[slot] = item;
      recentCategories[slot] = c;
      recentCount[c]++;
      recentSize++;
    };
    const drawCategory = (): number => {
      if (random.next() < EXPLORE) return random.int(numCategories);
      for (let c = 0; c < numCategories; c++) choice[c] = share[c] * (1 + REINFORCE * recentCount[c]);
      return pick(choice, random);
    };
    for (let s = 0; s < sessions; s++) {
      if (!quota[s]) continue;
      interestAt(u, starts[s] / span, share);
      t = starts[s];
      let remaining = quota[s];
      let category = drawCategory();
      let gap = 0;
      for (let pages = 0; remaining > 0; pages++) {
        if (pages > 0 && random.next() < SWITCH) category = drawCategory();
        // The page: items of its category by popularity, partners of recent items, any item.
        let shown = 0;
        const show = (item: number) => {
          for (let p = 0; p < shown; p++) if (page[p] === item) return;
          page[shown++] = item;
        };
        for (let k = 0; k < PAGE_CATEGORY; k++)
          show(
            categoryItems[
              draw(categoryCumulative, categoryIndptr[category], categoryIndptr[category + 1], random)
            ],
          );
        for (let k = 0; k < PAGE_PARTNERS && recentSize > 0; k++) {
          const seen = recentItems[random.int(Math.min(recentSize, RECENT))];
          const b = itemBundle[seen];
          const size = bundleIndptr[b + 1] - bundleIndptr[b];
          const partner = bundleItems[bundleIndptr[b] + random.int(size)];
          if (partner !== seen) show(partner);
        }
        for (let k = 0; k < PAGE_ANY; k++) show(draw(allCumulative, 0, numItems, random));
        exposures += shown;
        gap += 10 + random.int(110);
        for (let p = 0; p < shown && remaining > 0; p++) {
          const item = page[p];
          const c = itemCategory[item];
          let partner = 0;
          for (let r = 0; r < Math.min(recentSize, RECENT); r++)
            if (recentItems[r] !== item && itemBundle[recentItems[r]] === itemBundle[item]) partner = 1;
          const click =
            CLICK.bias +
            CLICK.interest * share[c] +
            CLICK.recent * Math.min(recentCount[c], CLICK.recentCap) +
            CLICK.partner * partner +
            CLICK.quality * itemQuality[item];
          if (random.next() >= sigmoid(click)) continue;
          emit(item, 0, gap);
          gap = 10 + random.int(110);
          remaining--;
          // The funnel: cart, fav, buy; the interest is the one at the pv.
          const interest = share[c];
          const carted =
            random.next() <
            sigmoid(CART.bias + CART.propensity * itemPropensity[item] + CART.interest * interest);
          if (carted) {
            emit(item, 1, 3 + random.int(40));
            remaining--;
          }
          if (random.next() < sigmoid(FAV.bias + FAV.quality * itemQuality[item] + FAV.interest * interest)) {
            emit(item, 2, 3 + random.int(40));
            remaining--;
          }
          const buy = carted ? BUY_AFTER_CART : BUY_WITHOUT_CART;
          if (
            !bought.has(item) &&
            random.next() <
              sigmoid(buy.bias + buy.propensity * itemPropensity[item] + buy.interest * interest)
          ) {
            emit(item, 3, 20 + random.int(280));
            remaining--;
            bought.add(item);
          }
        }
      }
    }
    // Strictly increasing whole seconds within the span (sessions drawn close together may overlap).
    const last = times.length - 1;
    for (let e = first; e <= last; e++)
      times[e] = Math.max(Math.floor(times[e]), e > first ? times[e - 1] + 1 : 0);
    if (times[last] > span - 1) {
      times[last] = span - 1;
      for (let e = last - 1; e >= first && times[e] >= times[e + 1]; e--) times[e] = times[e + 1] - 1;
    }
  }

  const behaviourNames = ['pv', 'cart', 'fav', 'buy'];
  const itemCategoryIds = Int32Array.from(itemCategory, (c) => c + 1);
  const truth: BehaviourTruth = {
    start: START,
    span,
    itemCategory,
    itemQuality,
    itemPropensity,
    itemBundle,
    categorySuccessor,
    interestIndptr,
    interestCategories: Int32Array.from(interestCategories),
    interestWeights: Float64Array.from(interestWeights),
    fading,
    growing,
    shiftTime: Float64Array.from(shiftAt, (tau) => START + tau * span),
    exposures,
    interest: (user, time) => interestAt(user, (time - START) / span, new Float64Array(numCategories)),
    description: describe({
      numUsers,
      numItems,
      numCategories,
      days,
      perUser,
      seed,
      bundles: bundleIndptr.length - 1,
    }),
  };
  return {
    user: Int32Array.from(users, (u) => u + 1),
    item: Int32Array.from(items, (i) => i + 1),
    category: Int32Array.from(items, (i) => itemCategoryIds[i]),
    behaviour: codes.map((c) => behaviourNames[c]),
    timestamp: Float64Array.from(times, (t) => START + t),
    items: { item: Int32Array.from({ length: numItems }, (_, i) => i + 1), category: itemCategoryIds },
    truth,
  };
}

/**
 * The synthetic log as `rl.importTaobao` imports UserBehavior.csv: table `<table>` (default
 * 'taobao') with user, item, category INTEGER, behaviour VARCHAR, timestamp BIGINT, and
 * `<table>_items` (item, category) for the items in the log; so a notebook runs unchanged on
 * the real file or this sample. `behaviours` keeps only those, as importTaobao's does.
 */
export async function importSyntheticBehaviour(
  db: Database,
  options: SyntheticBehaviourOptions & Pick<TaobaoOptions, 'table' | 'behaviours'> = {},
): Promise<InteractionData & { truth: BehaviourTruth }> {
  const table = options.table ?? 'taobao';
  const known = ['pv', 'buy', 'cart', 'fav'];
  const unknown = options.behaviours?.filter((b) => !known.includes(b));
  if (unknown?.length)
    throw new Error(
      `importSyntheticBehaviour: unknown behaviour ${unknown.map((b) => `"${b}"`).join(', ')}; ` +
        `the log has ${known.join(', ')}.`,
    );
  const log = syntheticBehaviour(options);
  const keep = options.behaviours ? new Set<string>(options.behaviours) : null;
  const rows = keep ? log.behaviour.flatMap((b, r) => (keep.has(b) ? [r] : [])) : null;
  const column = <A extends Int32Array | Float64Array>(a: A): A => {
    if (!rows) return a;
    const out = a.slice(0, rows.length) as A;
    for (let k = 0; k < rows.length; k++) out[k] = a[rows[k]];
    return out;
  };
  const name = quoteIdentifier(table);
  await db.register(
    table,
    Table.fromColumns({
      user: column(log.user),
      item: column(log.item),
      category: column(log.category),
      behaviour: rows ? rows.map((r) => log.behaviour[r]) : log.behaviour,
      timestamp: column(log.timestamp),
    }),
  );
  await db.run(`ALTER TABLE ${name} ALTER COLUMN timestamp SET DATA TYPE BIGINT`);
  await db.run(
    `CREATE OR REPLACE TABLE ${quoteIdentifier(`${table}_items`)} AS
     SELECT item, min(category) AS category FROM ${name} GROUP BY item ORDER BY item`,
  );
  const seed = options.seed ?? 42;
  const data = await readInteractionData(
    db,
    `synthetic behaviour (seed ${seed}${keep ? `; ${[...keep].join(', ')}` : ''})`,
    { interactions: table, items: `${table}_items` },
    {},
  );
  return { ...data, truth: log.truth };
}

/** Draws an index with probability ∝ weights. */
function pick(weights: Float64Array, random: Random): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  let x = random.next() * total;
  for (let i = 0; i < weights.length; i++) if ((x -= weights[i]) < 0 && weights[i] > 0) return i;
  for (let i = weights.length - 1; i > 0; i--) if (weights[i] > 0) return i;
  return 0;
}

/** Draws a position in from … to − 1 by `cumulative`, a running sum that starts at `from` (binary search). */
function draw(cumulative: Float64Array, from: number, to: number, random: Random): number {
  const x = random.next() * cumulative[to - 1];
  let lo = from;
  let hi = to - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function describe(o: {
  numUsers: number;
  numItems: number;
  numCategories: number;
  days: number;
  perUser: number;
  seed: number;
  bundles: number;
}): string {
  return [
    `Synthetic behaviour log (seed ${o.seed}): ${o.numUsers} users, ` +
      `${o.numItems} items in ${o.numCategories} categories (${o.bundles} bundles of 2–4 items), ` +
      `${o.days} days from 2017-11-25, about ${o.perUser} behaviours per user.`,
    'Interests: each user has 2–4 interest categories; the first fades and its successor category grows ' +
      `(shift centred at 30–70 % of the span, width ${SHIFT_WIDTH}), the others stay. ` +
      "interest(c, t) = that category's share of the user's weights at t.",
    "Pages: a session's page is of a category drawn " +
      `∝ interest × (1 + ${REINFORCE} × behaviours in it among the last ${RECENT}) ` +
      `(at random with probability ${EXPLORE}; a new one with probability ${SWITCH} per page); ` +
      `it shows ${PAGE_CATEGORY} items of that category by popularity, ` +
      `${PAGE_PARTNERS} bundle partners of recent items, ${PAGE_ANY} from anywhere.`,
    `Click (pv): sigmoid(${CLICK.bias} + ${CLICK.interest}·interest(category) + ` +
      `${CLICK.recent}·min(behaviours in the category among the last ${RECENT}, ${CLICK.recentCap}) + ` +
      `${CLICK.partner}·[a bundle partner among the last ${RECENT}] + ${CLICK.quality}·quality). ` +
      'Unclicked exposures are not logged.',
    `Cart: sigmoid(${CART.bias} + ${CART.propensity}·propensity + ${CART.interest}·interest). ` +
      `Fav: sigmoid(${FAV.bias} + ${FAV.quality}·quality + ${FAV.interest}·interest).`,
    `Buy (once per item): after a cart sigmoid(${BUY_AFTER_CART.bias} + ` +
      `${BUY_AFTER_CART.propensity}·propensity + ${BUY_AFTER_CART.interest}·interest), ` +
      `else sigmoid(${BUY_WITHOUT_CART.bias} + ${BUY_WITHOUT_CART.propensity}·propensity + ` +
      `${BUY_WITHOUT_CART.interest}·interest).`,
  ].join('\n');
}
