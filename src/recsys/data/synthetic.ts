/**
 * The default sample data: a seeded, reproducible world that models can learn from.
 * Users have profiles (gender, occupation, age, interests) and latent tastes made of the
 * genres they are interested in; items have genres, titles, latent traits and a long-tail
 * popularity. Each user's history is a run of sessions in time order; within a session the
 * next item tends to resemble the previous one (sequential dependence). Ratings are roughly
 * normal around each user's own mean, higher for items closer to their taste.
 *
 * `order: 'chains'` makes the order itself the signal, for sequence models: each genre's items
 * form chains (cycles of 5–15, like a series' episodes), a session starts at an item drawn by
 * taste and then mostly follows its chain to the next unseen episode. A history holds many
 * chain fragments, so an order-blind model (popularity, co-occurrence) cannot tell which one
 * the user is in now, nor which end of it comes next; the last item tells a sequence model.
 * Items and users are the same as in the default order for the same seed; only histories differ.
 */
import { Table, readInteractionData, type Database, type InteractionData } from '../../data';
import { Dataset } from './dataset';
import { FeatureSet } from './features';
import { Random } from '../random';

export interface SyntheticOptions {
  users?: number;
  items?: number;
  /** Mean interactions per user (each user's count varies around it). */
  interactionsPerUser?: number;
  /** Size of the latent taste space. */
  dims?: number;
  seed?: number;
  /**
   * How a history is ordered. `'similar'` (default): within a session the next item tends to
   * resemble the previous one, drawn among all items. `'chains'`: each item has a successor in
   * its first genre (the genre's items shuffled and cut into cycles of 5–15); with probability
   * `chainProbability` the next item is the last one's successor (skipping episodes the user
   * has seen), otherwise a new session starts at an item drawn by taste. Sessions of about five
   * items leave some eight chain fragments in a history of 40.
   */
  order?: 'similar' | 'chains';
  /** With `order: 'chains'`: how often the next item follows the chain (default 0.8). */
  chainProbability?: number;
}

const GENRES = [
  'Action',
  'Adventure',
  'Animation',
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Horror',
  'Romance',
  'Sci-Fi',
  'Thriller',
];
const OCCUPATIONS = [
  'student',
  'engineer',
  'artist',
  'teacher',
  'doctor',
  'writer',
  'lawyer',
  'scientist',
  'programmer',
  'retired',
  'sales',
  'other',
];
const ADJECTIVES = [
  'Silent',
  'Crimson',
  'Lost',
  'Golden',
  'Hidden',
  'Broken',
  'Last',
  'Wild',
  'Frozen',
  'Electric',
  'Secret',
  'Distant',
  'Burning',
  'Quiet',
  'Iron',
  'Midnight',
];
const NOUNS = [
  'River',
  'Empire',
  'Garden',
  'Signal',
  'Harbor',
  'Machine',
  'Kingdom',
  'Letter',
  'Storm',
  'Mirror',
  'Orchard',
  'Voyage',
  'Circuit',
  'Lantern',
  'Island',
  'Verdict',
];
const ONSETS = ['b', 'd', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'sh', 'ch', 'br', 'tr'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou'];

function uniqueName(random: Random, taken: Set<string>): string {
  for (let syllables = 2; ; syllables++) {
    for (let attempt = 0; attempt < 20; attempt++) {
      let name = '';
      for (let s = 0; s < syllables; s++)
        name += ONSETS[random.int(ONSETS.length)] + VOWELS[random.int(VOWELS.length)];
      if (!taken.has(name)) {
        taken.add(name);
        return name;
      }
    }
  }
}

/** Samples an index with probability ∝ exp(logits[i]), skipping `excluded`. */
function sampleSoftmax(
  logits: Float64Array,
  excluded: Uint8Array,
  random: Random,
  weights: Float64Array,
): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (!excluded[i] && logits[i] > max) max = logits[i];
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += weights[i] = excluded[i] ? 0 : Math.exp(logits[i] - max);
  let x = random.next() * total;
  for (let i = 0; i < logits.length; i++) if ((x -= weights[i]) <= 0 && weights[i] > 0) return i;
  return logits.length - 1;
}

/**
 * Each item's successor: the items of each (first) genre in random order, cut into cycles of
 * 5–15 (a shorter rest joins the last cycle), so every item has one and chains never cross genres.
 */
function chainSuccessors(itemGenres: readonly string[][], random: Random): Int32Array {
  const successor = new Int32Array(itemGenres.length);
  for (const genre of GENRES) {
    const members = random.shuffle(
      Int32Array.from(itemGenres.flatMap((g, i) => (g[0] === genre ? [i] : []))),
    );
    for (let start = 0; start < members.length;) {
      let end = Math.min(members.length, start + 5 + random.int(11));
      if (members.length - end < 5) end = members.length;
      for (let p = start; p < end; p++) successor[members[p]] = members[p + 1 < end ? p + 1 : start];
      start = end;
    }
  }
  return successor;
}

/**
 * The first unseen item after `item` along its chain (episodes already seen are skipped), or −1 when the
 * whole cycle is seen.
 */
function nextUnseen(successor: Int32Array, item: number, seen: Uint8Array): number {
  for (let i = successor[item]; i !== item; i = successor[i]) if (!seen[i]) return i;
  return -1;
}

export function synthetic(options: SyntheticOptions = {}): Dataset {
  return generate(options).dataset;
}

/**
 * The synthetic sample as an importer gives data: DuckDB tables named as
 * `rl.importMovieLens` names them (`<prefix>_ratings`, `_movies`, `_users`; prefix `ml`), so
 * a notebook's SQL and code run unchanged on either; `Dataset.fromData` builds the dataset.
 */
export async function importSynthetic(
  db: Database,
  options: SyntheticOptions & { prefix?: string } = {},
): Promise<InteractionData> {
  const { raw, dataset } = generate(options);
  const prefix = options.prefix ?? 'ml';
  const tables = { interactions: `${prefix}_ratings`, items: `${prefix}_movies`, users: `${prefix}_users` };
  const join = (lists: string[][]) => lists.map((l) => l.join('|'));
  await db.register(
    tables.interactions,
    Table.fromColumns({
      user: raw.users.map((u) => raw.userNames[u]),
      item: raw.items.map((i) => raw.itemNames[i]),
      rating: Float64Array.from(raw.ratings),
      timestamp: Float64Array.from(raw.times),
    }),
  );
  await db.register(
    tables.items,
    Table.fromColumns({ item: raw.itemNames, title: raw.titles, genres: join(raw.itemGenres) }),
  );
  await db.register(
    tables.users,
    Table.fromColumns({
      user: raw.userNames,
      gender: raw.gender,
      occupation: raw.occupation,
      age: Int32Array.from(raw.age),
      interests: join(raw.interests),
    }),
  );
  return readInteractionData(db, dataset.name, tables, { genres: '|', interests: '|' });
}

function generate(options: SyntheticOptions) {
  const numUsers = options.users ?? 1000;
  const numItems = options.items ?? 500;
  const perUser = options.interactionsPerUser ?? 40;
  const dims = options.dims ?? 8;
  const order = options.order ?? 'similar';
  if (order !== 'similar' && order !== 'chains')
    throw new Error(`synthetic: order must be 'similar' or 'chains', got ${JSON.stringify(order)}.`);
  const chainProbability = options.chainProbability ?? 0.8;
  if (!(chainProbability >= 0 && chainProbability <= 1))
    throw new Error(`synthetic: chainProbability must be between 0 and 1, got ${chainProbability}.`);
  const random = new Random(options.seed ?? 42);
  const normals = (n: number, scale = 1) => Float64Array.from({ length: n }, () => random.normal() * scale);
  const genreVectors = GENRES.map(() => normals(dims));
  /**
   * Items and users alike: 1–3 distinct genres, and a vector at out[offset…] near their mean
   * (noise of scale `noise`), so items of a genre and users fond of it lie close.
   */
  const genreMix = (noise: number, out: Float64Array, offset: number): string[] => {
    const count = 1 + random.int(3);
    const genres = new Set<number>();
    while (genres.size < count) genres.add(random.int(GENRES.length));
    for (let d = 0; d < dims; d++) {
      let v = random.normal() * noise;
      for (const g of genres) v += genreVectors[g][d] / genres.size;
      out[offset + d] = v;
    }
    return [...genres].map((g) => GENRES[g]);
  };

  // Items: genres, latent traits near their genres, a Zipf-like popularity, a title.
  const itemGenres: string[][] = [];
  const itemVectors = new Float64Array(numItems * dims);
  const popularity = new Float64Array(numItems);
  const titles: string[] = [];
  const takenTitles = new Set<string>();
  for (let i = 0; i < numItems; i++) {
    itemGenres.push(genreMix(0.5, itemVectors, i * dims));
    let title = `The ${ADJECTIVES[random.int(ADJECTIVES.length)]} ${NOUNS[random.int(NOUNS.length)]}`;
    for (let n = 2; takenTitles.has(title); n++) title = `${title.replace(/ \d+$/, '')} ${n}`;
    takenTitles.add(title);
    titles.push(title);
  }
  const ranks = random.shuffle(Int32Array.from({ length: numItems }, (_, i) => i));
  for (let i = 0; i < numItems; i++) popularity[ranks[i]] = -0.9 * Math.log(i + 1);

  // Users: a profile and a taste built from their interests.
  const names: string[] = [];
  const takenNames = new Set<string>();
  const gender: string[] = [];
  const occupation: string[] = [];
  const age: number[] = [];
  const interests: string[][] = [];
  const tastes = new Float64Array(numUsers * dims);
  for (let u = 0; u < numUsers; u++) {
    names.push(uniqueName(random, takenNames));
    gender.push(random.next() < 0.5 ? 'F' : 'M');
    occupation.push(OCCUPATIONS[random.int(OCCUPATIONS.length)]);
    age.push(18 + random.int(50));
    interests.push(genreMix(0.3, tastes, u * dims));
  }

  // Drawn after items and users, so the chains leave both as the default order has them.
  const successor = order === 'chains' ? chainSuccessors(itemGenres, random) : null;

  // Histories: sessions in time order; the next item depends on the taste and on the previous item.
  const users: number[] = [];
  const items: number[] = [];
  const ratings: number[] = [];
  const times: number[] = [];
  const affinity = new Float64Array(numItems);
  const logits = new Float64Array(numItems);
  const scratch = new Float64Array(numItems);
  const seen = new Uint8Array(numItems);
  const start = Date.UTC(2024, 0, 1) / 1000;
  for (let u = 0; u < numUsers; u++) {
    seen.fill(0);
    for (let i = 0; i < numItems; i++) {
      let s = 0;
      for (let d = 0; d < dims; d++) s += tastes[u * dims + d] * itemVectors[i * dims + d];
      affinity[i] = s;
    }
    // Ratings follow the taste in this user's own units, so they stay roughly normal around the user's mean.
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < numItems; i++) {
      sum += affinity[i];
      squares += affinity[i] * affinity[i];
    }
    const centre = sum / numItems;
    const spread = Math.sqrt(Math.max(1e-9, squares / numItems - centre * centre));
    const n = Math.min(
      numItems - 1,
      Math.max(3, Math.round(perUser * Math.exp(random.normal() * 0.6 - 0.18))),
    );
    const mean = 3.4 + random.normal() * 0.4;
    let t = start + random.int(30 * 86400);
    let previous = -1;
    for (let e = 0; e < n; e++) {
      let item = -1;
      let newSession: boolean;
      if (successor) {
        if (previous >= 0 && random.next() < chainProbability) item = nextUnseen(successor, previous, seen);
        newSession = item < 0;
      } else {
        newSession = previous < 0 || random.next() < 0.2;
      }
      if (newSession) t += 3600 + random.int(7 * 86400);
      else t += 60 + random.int(1800);
      if (item < 0) {
        for (let i = 0; i < numItems; i++) {
          let l = 1.2 * affinity[i] + popularity[i];
          if (!newSession) {
            let s = 0;
            for (let d = 0; d < dims; d++) s += itemVectors[previous * dims + d] * itemVectors[i * dims + d];
            l += 0.8 * s;
          }
          logits[i] = l;
        }
        item = sampleSoftmax(logits, seen, random, scratch);
      }
      seen[item] = 1;
      previous = item;
      const rating = Math.min(
        5,
        Math.max(
          1,
          Math.round(mean + 0.5 * ((affinity[item] - centre) / spread - 1) + random.normal() * 0.6),
        ),
      );
      users.push(u);
      items.push(item);
      ratings.push(rating);
      times.push(t);
    }
  }

  const itemNames = Array.from(
    { length: numItems },
    (_, i) => `item${String(i + 1).padStart(String(numItems).length, '0')}`,
  );
  const raw = {
    userNames: names,
    itemNames,
    users,
    items,
    ratings,
    times,
    titles,
    itemGenres,
    gender,
    occupation,
    age,
    interests,
  };
  const dataset = new Dataset({
    // Said in the name, so an evaluation's split description tells the two orders apart.
    name: `synthetic (seed ${options.seed ?? 42}${successor ? ', chains' : ''})`,
    userNames: names,
    itemNames,
    users: Int32Array.from(users),
    items: Int32Array.from(items),
    values: Float32Array.from(ratings),
    timestamps: Float64Array.from(times),
    feedback: 'explicit',
    itemTitles: titles,
    itemFeatures: FeatureSet.encode(numItems, [{ name: 'genres', values: itemGenres }]),
    userFeatures: FeatureSet.encode(numUsers, [
      { name: 'gender', values: gender },
      { name: 'occupation', values: occupation },
      { name: 'age', values: age, numeric: true },
      { name: 'interests', values: interests },
    ]),
  });
  return { dataset, raw };
}
