/** "Score a with index ia ranks below score b with index ib": lower score, or a tie and a higher index. */
function below(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa < sb || (sa === sb && ia > ib);
}

/** Places (s, it) at the root of a min-heap of `size` and sifts it down. */
function siftDown(scores: Float32Array, items: Int32Array, size: number, s: number, it: number): void {
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= size) break;
    const r = l + 1;
    const m = r < size && below(scores[r], items[r], scores[l], items[l]) ? r : l;
    if (!below(scores[m], items[m], s, it)) break;
    scores[c] = scores[m];
    items[c] = items[m];
    c = m;
  }
  scores[c] = s;
  items[c] = it;
}

/**
 * The k largest scores of a vector, by a bounded min-heap (O(n log k), no full sort), written
 * best first into `outItems`/`outScores` at `offset`; missing places get item -1. Ties go
 * to the lower index, the order evaluation ranks by, so what `recommend` shows and what the
 * metrics count are the same list. -Infinity (an excluded item) and NaN are never picked.
 * Returns how many were found.
 */
export function topK(scores: Float32Array, k: number, outItems: Int32Array, outScores: Float32Array, offset = 0): number {
  const heapItems = new Int32Array(k);
  const heapScores = new Float32Array(k);
  let size = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (s === -Infinity || Number.isNaN(s)) continue;
    if (size < k) {
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!below(s, i, heapScores[p], heapItems[p])) break;
        heapScores[c] = heapScores[p];
        heapItems[c] = heapItems[p];
        c = p;
      }
      heapScores[c] = s;
      heapItems[c] = i;
    } else if (below(heapScores[0], heapItems[0], s, i)) {
      siftDown(heapScores, heapItems, size, s, i);
    }
  }
  const found = size;
  for (let at = found - 1; at >= 0; at--) {
    outItems[offset + at] = heapItems[0];
    outScores[offset + at] = heapScores[0];
    size--;
    siftDown(heapScores, heapItems, size, heapScores[size], heapItems[size]);
  }
  for (let at = found; at < k; at++) {
    outItems[offset + at] = -1;
    outScores[offset + at] = NaN;
  }
  return found;
}
