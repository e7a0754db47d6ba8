import { Dataset, FeatureSet } from '../../src/recsys';
import { Random } from '../../src/recsys/random';

/**
 * Users in taste groups, each group mostly choosing among its own block of items (with a
 * popularity skew inside the block), sometimes anywhere. Items carry their block as a
 * `genre` feature. Popularity alone cannot tell a user's block; a model that learns
 * from co-occurrence can.
 */
export function tasteGroups({
  users = 240,
  groups = 6,
  itemsPerGroup = 30,
  perUser = 16,
  seed = 1,
} = {}): Dataset {
  const random = new Random(seed);
  const numItems = groups * itemsPerGroup;
  const user: string[] = [];
  const item: string[] = [];
  for (let u = 0; u < users; u++) {
    const group = u % groups;
    const chosen = new Set<number>();
    while (chosen.size < perUser) {
      const skewed = Math.floor(itemsPerGroup * random.next() ** 2);
      chosen.add(random.next() < 0.9 ? group * itemsPerGroup + skewed : random.int(numItems));
    }
    for (const i of chosen) {
      user.push(`u${u}`);
      item.push(`i${i}`);
    }
  }
  const d = Dataset.fromInteractions({ user, item });
  const genre = d.itemNames.map((name) => `g${Math.floor(Number(name.slice(1)) / itemsPerGroup)}`);
  return d.withItems(
    d.itemNames.map((n) => `Item ${n}`),
    FeatureSet.encode(d.numItems, [{ name: 'genre', values: genre }]),
  );
}
