/** Looking up users and items by the names people type. */

/** Index of every name; names are the original ids as text. */
export function indexNames(names: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  names.forEach((n, i) => index.set(n, i));
  return index;
}

/**
 * The `n` names nearest to `query`: names that start with or contain it first, then by edit
 * distance, so a typo or a partial name still finds its user.
 */
export function closestNames(query: string, names: readonly string[], n = 5): string[] {
  const q = query.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const name of names) {
    const lower = name.toLowerCase();
    const bonus = lower.startsWith(q) ? -2 : lower.includes(q) ? -1 : 0;
    scored.push({ name, score: editDistance(q, lower) + bonus * 100 });
  }
  scored.sort((a, b) => a.score - b.score || a.name.length - b.name.length || (a.name < b.name ? -1 : 1));
  return scored.slice(0, n).map((s) => s.name);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** An error for a name that is not there, listing the closest ones. */
export function unknownName(kind: 'user' | 'item', name: string | number, names: readonly string[]): Error {
  const close = closestNames(String(name), names);
  const hint = close.length
    ? ` Closest ${kind} names: ${close.map((c) => JSON.stringify(c)).join(', ')}.`
    : '';
  return new Error(
    `Unknown ${kind} ${JSON.stringify(String(name))}: the dataset has ${names.length} ${kind}s.${hint}`,
  );
}
